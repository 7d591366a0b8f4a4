"""ASGI entry point, with the settings config.select_settings() picks."""

from django.core.asgi import get_asgi_application

from config import select_settings

select_settings()

application = get_asgi_application()
