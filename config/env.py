"""Tiny typed readers for configuration from the environment.

Each raises ImproperlyConfigured on a value it cannot read, so a typo in a deployment fails at
start-up instead of silently falling back to a default.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def envint(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def envfloat(name: str, default: float, minimum: float = 0.0) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None
    if not value > minimum:
        raise ImproperlyConfigured(f"{name} must be greater than {minimum}, got {value}")
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_database_url(url: str) -> dict:
    """Turn `postgres://user:pass@host:5432/name?sslmode=require` or `sqlite:///path` into
    a Django DATABASES entry."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute/path.db, as dj-database-url reads them
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not path or path == ":memory:":
            path = ":memory:"
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    if scheme in {"postgres", "postgresql", "pgsql", "postgis"}:
        options = dict(parse_qsl(parts.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "postgres",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {scheme!r} is not supported: use postgres://... or sqlite:///..."
    )


def configure_replicas(databases: dict, urls: list[str]) -> list[str]:
    """Add each read replica's URL to `databases` as replica_0, replica_1, ...; their aliases.

    Streaming replication is PostgreSQL's: the primary and every replica must be PostgreSQL.
    In tests each replica mirrors the primary (Django's TEST MIRROR), so code that reads from
    a replica sees the test's own rows.
    """
    primary = databases["default"]
    aliases = []
    for i, url in enumerate(urls):
        entry = parse_database_url(url)
        if not (
            entry["ENGINE"].endswith("postgresql") and primary["ENGINE"].endswith("postgresql")
        ):
            raise ImproperlyConfigured(
                f"DATABASE_REPLICA_URLS entry {i + 1} ({url.split('@')[-1]!r}): read replicas "
                "are PostgreSQL streaming-replication standbys; DATABASE_URL and every replica "
                "URL must be postgres://..."
            )
        entry["OPTIONS"].setdefault("connect_timeout", "3")  # a dead replica costs 3 s, then
        entry["CONN_MAX_AGE"] = primary.get("CONN_MAX_AGE", 0)  # it is left out for a while
        entry["CONN_HEALTH_CHECKS"] = True
        entry["TEST"] = {"MIRROR": "default"}
        alias = f"replica_{i}"
        databases[alias] = entry
        aliases.append(alias)
    return aliases
