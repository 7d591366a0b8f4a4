"""Production settings: everything of config.settings, with DEBUG off and a real secret.

gunicorn config.wsgi uses this module unless DJANGO_SETTINGS_MODULE says otherwise.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.env import envbool
from config.settings import *  # noqa: F403
from config.settings import INSECURE_SECRET_KEY, SECRET_KEY

DEBUG = envbool("DEBUG", False)

if SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a random string of at least 32 characters for production "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
    )

SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", True)
SECURE_CONTENT_TYPE_NOSNIFF = True

# Static files (the dashboard's Chart.js, the admin's, the API docs') served by the app itself
# through WhiteNoise, without a separate web server. WHITENOISE_USE_FINDERS: served straight
# from the apps' static/ folders, so a deployment needs no collectstatic step (the files are
# indexed once at start; collectstatic into STATIC_ROOT still works and takes precedence).
MIDDLEWARE = [
    MIDDLEWARE[0],  # noqa: F405 - SecurityMiddleware first
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[1:],  # noqa: F405
]
WHITENOISE_USE_FINDERS = True
