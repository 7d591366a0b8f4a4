"""WSGI entry point: `gunicorn config.wsgi` serves with the production settings by default."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_production")

application = get_wsgi_application()
