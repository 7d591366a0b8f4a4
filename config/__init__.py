"""Project configuration. `select_settings()` is the one settings selection of every entry point.

manage.py, gunicorn (config.wsgi) and ASGI servers all read the same rule: DJANGO_SETTINGS_MODULE
when it is set, otherwise the production settings, which refuse to start without a real
SECRET_KEY. The development settings (insecure defaults) are chosen explicitly: the Makefile,
the test runner and the benchmark set DJANGO_SETTINGS_MODULE=config.settings. So a command an
operator runs in a production shell reads the same settings as the server it administers.
"""

import os

PRODUCTION = "config.settings_production"
DEVELOPMENT = "config.settings"


def select_settings() -> str:
    return os.environ.setdefault("DJANGO_SETTINGS_MODULE", PRODUCTION)
