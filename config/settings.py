"""Settings for local use and tests. Production: config.settings_production (the default of
config.wsgi and config.asgi), which refuses to start with the insecure development secret.

Every value that differs between deployments comes from the environment; see README.md.
"""

from __future__ import annotations

from pathlib import Path

from config.env import (
    configure_replicas,
    envbool,
    envfloat,
    envint,
    envlist,
    envstr,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

INSECURE_SECRET_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = envstr("SECRET_KEY") or INSECURE_SECRET_KEY
DEBUG = envbool("DEBUG", True)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI / Redoc assets served locally (no CDN)
    "django_ratelimit",  # its system checks vet the rate-limit cache
    "teams",
    "tracking",
    "analytics_api",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A chunked body (gunicorn reached directly) read with its path's limit, given a length.
    "config.chunked.ChunkedBodyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "common.replicas.ReplicaReadsMiddleware",  # which reads may go to a replica
    # Content-Security-Policy, and Cache-Control: private, no-store for signed-in people.
    "config.security.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": parse_database_url(envstr("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Concurrent readers and one writer without "database is locked" under runserver/gunicorn.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Read replicas (PostgreSQL streaming-replication standbys), comma-separated URLs: the aliases
# replica_0, replica_1, ... The rule for which reads may go there: common/replicas.py and
# docs/scaling.md. Empty (the default): one database, as without replicas.
DATABASE_REPLICAS = configure_replicas(DATABASES, envlist("DATABASE_REPLICA_URLS", []))
DATABASE_ROUTERS = ["common.replicas.ReplicaRouter"]
DATABASE_REPLICA_APPS = ["tracking"]  # the records and their summary tables
DATABASE_REPLICA_MAX_LAG = envfloat("DATABASE_REPLICA_MAX_LAG", 30.0)
DATABASE_REPLICA_CHECK_SECONDS = envfloat("DATABASE_REPLICA_CHECK_SECONDS", 5.0)

# Rate-limit counters live in a shared store with an atomic increment (API.md section 5):
# Redis when REDIS_URL is set, otherwise the database through one atomic SQL statement.
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    # Redis, with the database counter while Redis does not answer (never a 500 for a cache).
    _ratelimit_cache = {
        "BACKEND": "analytics_api.ratelimit_cache.RedisWithDatabaseFallback",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "aicode",
        "OPTIONS": {"socket_timeout": envfloat("REDIS_TIMEOUT", 0.5)},
    }
else:
    _ratelimit_cache = {"BACKEND": "analytics_api.ratelimit_cache.AtomicDatabaseCache"}
# The one store shared by workers and machines, read only through this name (django-ratelimit,
# for the API and the dashboard's login). "default" is per process: Django requires one, and
# nothing that must be shared across workers may be kept there.
RATELIMIT_USE_CACHE = "ratelimit"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    RATELIMIT_USE_CACHE: _ratelimit_cache,
}
# django_ratelimit.W001 says "not officially supported" for every backend outside its short
# list, Django's own RedisCache and our atomic database cache included. E003, the check that
# rejects the non-atomic DatabaseCache and the per-process LocMemCache, stays active.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
RATELIMIT_ENABLE = envbool("RATELIMIT_ENABLE", True)
AI_CODE_RATE_LIMIT = envstr("AI_CODE_RATE_LIMIT", "5/m")
# Cursor's Admin API endpoints (/teams/...): Cursor states 20 requests a minute per team.
CURSOR_ADMIN_RATE_LIMIT = envstr("CURSOR_ADMIN_RATE_LIMIT", "20/m")
INGEST_MAX_RECORDS = envint("INGEST_MAX_RECORDS", 10_000, minimum=1)
INGEST_MAX_BODY_BYTES = envint("INGEST_MAX_BODY_BYTES", 128 << 20, minimum=1)  # POST /ingest/v1/*
# Fixed key of the reversible user_... encoding. Changing it changes every public user id,
# so it is deliberately not SECRET_KEY (which operators may rotate).
PUBLIC_ID_KEY = envstr("PUBLIC_ID_KEY", "ai-code-analytics-public-id-v1")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["teams.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["teams.auth.CanRead"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["analytics_api.parsers.JsonParser"],
    "EXCEPTION_HANDLER": "analytics_api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    # `?format=` is an unknown parameter like any other (ignored), never a 404.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AI Code Analytics API",
    "DESCRIPTION": "Cursor-compatible AI Code Tracking API and Qoder-compatible AI Code API.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = envstr("STATIC_ROOT") or BASE_DIR / "var" / "static"  # collectstatic's output

# The dashboard: Django's sessions and login. Sign-in attempts (dashboard/auth.py) per user
# name and client address pair, per client address, and for the whole site.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "login"
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"  # the dashboard's 403 page, not Django's
# Messages in the session (the database), not in a signed cookie: the admin's "new key" message
# carries the plain key, which must not travel in and out of the browser on every request.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
DASHBOARD_LOGIN_RATE = envstr("DASHBOARD_LOGIN_RATE", "10/m")
# CSV downloads from the dashboard: per signed-in person, apart from the API keys' export limit.
DASHBOARD_DOWNLOAD_RATE = envstr("DASHBOARD_DOWNLOAD_RATE", "30/m")
DASHBOARD_LOGIN_ADDRESS_RATE = envstr("DASHBOARD_LOGIN_ADDRESS_RATE", "50/m")
DASHBOARD_LOGIN_GLOBAL_RATE = envstr("DASHBOARD_LOGIN_GLOBAL_RATE", "600/m")
# The reverse proxies whose X-Forwarded-For / X-Real-IP name the client (common/client_ip.py):
# addresses or networks. The default is nginx on the same machine (deploy/nginx-site.conf).
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", ["127.0.0.1", "::1"])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
