"""Where the benchmark runs: the database, the project paths, Django in this process."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
DATA_DIR = BENCH_DIR / "data"
RESULTS_DIR = BENCH_DIR / "results"
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/aicode_bench"


def database_url() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"The benchmark needs PostgreSQL; DATABASE_URL is {url!r}.")
    return url


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def ensure_database(url: str) -> None:
    """Create the benchmark database when missing (never drops anything)."""
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    name = database_name(url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url, autocommit=True)


def server_environment(url: str) -> dict[str, str]:
    """The environment shared by this process (API keys hash with SECRET_KEY) and the server."""
    env = dict(os.environ)
    env.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(40))
    env.setdefault("PUBLIC_ID_KEY", "bench-" + secrets.token_urlsafe(24))  # required, as deployed
    env["DATABASE_URL"] = url
    env["AI_CODE_RATE_LIMIT"] = "1000000/m"
    env["DEBUG"] = "false"
    env["DJANGO_SETTINGS_MODULE"] = "config.settings_production"  # the server, as deployed
    env.setdefault("LOG_LEVEL", "WARNING")
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
