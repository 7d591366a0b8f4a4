"""ASGI entry point, with the production settings by default."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_production")

application = get_asgi_application()
