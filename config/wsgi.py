"""WSGI entry point: `gunicorn config.wsgi`, with the settings config.select_settings() picks."""

from django.core.wsgi import get_wsgi_application

from config import select_settings

select_settings()

application = get_wsgi_application()
