from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import envbool, envint, parse_database_url

ROOT = Path(__file__).resolve().parents[2]


def test_it_reads_a_postgres_url():
    db = parse_database_url("postgres://u:p%40ss@db.example:6543/analytics?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "u",
        "p@ss",
        "db.example",
        "6543",
    )
    assert db["NAME"] == "analytics"
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_it_reads_sqlite_urls():
    assert parse_database_url("sqlite:////tmp/x.db")["NAME"] == "/tmp/x.db"
    assert parse_database_url("sqlite:///x.db")["NAME"] == "x.db"


def test_it_refuses_an_unknown_database_scheme():
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        parse_database_url("mysql://root@localhost/db")


def test_it_refuses_unreadable_booleans_and_integers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        envbool("X_BOOL", False)
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        envint("X_INT", 1)


def _import_production_settings(**env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "PUBLIC_ID_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings_production"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_refuse_the_insecure_default_secret():
    result = _import_production_settings()
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_settings_start_with_a_real_secret():
    result = _import_production_settings(SECRET_KEY="x" * 48, PUBLIC_ID_KEY="p" * 24)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("public_id_key", [None, "", "short"])
def test_production_settings_require_their_own_public_id_key(public_id_key):
    """The repository's default key is public: with it anyone decodes user_... ids into the
    sequential database ids."""
    env = {"SECRET_KEY": "x" * 48}
    if public_id_key is not None:
        env["PUBLIC_ID_KEY"] = public_id_key
    result = _import_production_settings(**env)
    assert result.returncode != 0
    assert "Set PUBLIC_ID_KEY" in result.stderr
