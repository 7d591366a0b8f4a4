"""Production settings: everything of config.settings, with DEBUG off and a real secret.

gunicorn config.wsgi uses this module unless DJANGO_SETTINGS_MODULE says otherwise.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from config.env import envbool, envint
from config.settings import *  # noqa: F403
from config.settings import INSECURE_SECRET_KEY, MIDDLEWARE, PUBLIC_ID_KEY, SECRET_KEY

DEBUG = envbool("DEBUG", False)

if SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a random string of at least 32 characters for production "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
    )

# The key of the user_... ids (teams/public_ids.py): whoever knows it can turn a public id back
# into the sequential database id (how many people every team has). The repository's default
# is public, so production needs its own; it must never change afterwards (every public id
# would). A deployment that already issued ids under the old default keeps them only by setting
# that value explicitly: PUBLIC_ID_KEY=ai-code-analytics-public-id-v1 (decodable by anyone).
if not os.environ.get("PUBLIC_ID_KEY") or len(PUBLIC_ID_KEY) < 16:
    raise ImproperlyConfigured(
        "Set PUBLIC_ID_KEY to a random string of at least 16 characters for production, once "
        "and for good: it keys the public user_... ids, which change with it (for example: "
        "python -c 'import secrets; print(secrets.token_urlsafe(32))'). See docs/deployment.md."
    )

SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind the reverse proxy of deploy/nginx-site.conf, which sets X-Forwarded-Proto to the
# scheme the client used (and overwrites any the client sent): Django then knows a request was
# HTTPS, and SecurityMiddleware sends HSTS on it (never on plain HTTP, as the RFC says).
# 0 when the app is reachable without that proxy, which could then claim HTTPS.
if envbool("TRUST_X_FORWARDED_PROTO", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)  # a year; 0: off
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)

# Static files (the admin's styles, the Swagger UI bundle, the dashboard's Chart.js) from
# collectstatic's STATIC_ROOT, served by WhiteNoise in the app itself: `manage.py
# collectstatic` before the first start.
MIDDLEWARE = [
    MIDDLEWARE[0],  # SecurityMiddleware first, as WhiteNoise asks
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[1:],
]
