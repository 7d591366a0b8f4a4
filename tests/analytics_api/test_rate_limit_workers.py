"""The rate-limit counter is shared by several worker processes (API.md section 5).

gunicorn runs config.wsgi with three workers against a live database the test migrates itself
(pytest's own test database lives in a transaction the workers cannot see). Concurrent
requests on fresh connections land on different workers; exactly `limit` of them may pass.
Variants: the database counter on an SQLite file, on PostgreSQL, and Redis.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import basic

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
LIMIT = 5
REQUESTS = 16
PG_URL = "postgres://postgres@127.0.0.1:5432/aicode_cursor"
REDIS_URL = "redis://127.0.0.1:6379/14"
# A long window so the test never straddles a window boundary (1 chance in 600 per second).
RATE = f"{LIMIT}/10m"

MAKE_KEY = """
import uuid
import django; django.setup()
from teams.models import ApiKey, Team
team = Team.objects.create(name=f"workers-{uuid.uuid4().hex[:12]}")
print(ApiKey.objects.create_key(team=team)[1])
"""


def _reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def _ensure_pg_database() -> None:
    """A fresh database each run: one left by a run of other code may hold another schema."""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        name = PG_URL.rsplit("/", 1)[1]
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(database_url: str, redis_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="workers-test-secret-" + "x" * 40,
        AI_CODE_RATE_LIMIT=RATE,
        DJANGO_SETTINGS_MODULE="config.settings",
        CONN_MAX_AGE="0",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _prepare(env: dict) -> str:
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True}
    for command in ([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], [PYTHON, "-c", MAKE_KEY]):
        done = subprocess.run(command, **run)
        assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _get(url: str, key: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": basic(key)})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    for _ in range(150):
        if server.poll() is not None:
            raise AssertionError(server.stderr.read().decode())
        try:
            urllib.request.urlopen(url, timeout=1)
        except urllib.error.HTTPError:
            return  # it answered (401 without a key)
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


@pytest.fixture(params=["sqlite", "postgres", "redis"])
def served(request, tmp_path):
    database_url, redis_url = f"sqlite:///{tmp_path / 'live.sqlite3'}", None
    if request.param == "postgres":
        if not _reachable("127.0.0.1", 5432):
            pytest.skip("no PostgreSQL on 127.0.0.1:5432")
        _ensure_pg_database()
        database_url = PG_URL
    if request.param == "redis":
        if not _reachable("127.0.0.1", 6379):
            pytest.skip("no Redis on 127.0.0.1:6379")
        import redis

        connection = redis.Redis.from_url(REDIS_URL)
        for key in connection.scan_iter("aicode:*"):
            connection.delete(key)
        redis_url = REDIS_URL
    env = _env(database_url, redis_url)
    key = _prepare(env)
    port = _free_port()
    server = subprocess.Popen(
        [GUNICORN, "config.wsgi", "-w", "3", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{base}/analytics/ai-code/commits", server)
        yield base, key
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_exactly_limit_requests_pass_across_workers(served):
    base, key = served
    url = f"{base}/analytics/ai-code/commits"
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: _get(url, key), range(REQUESTS)))
    assert sorted(statuses) == [200] * LIMIT + [429] * (REQUESTS - LIMIT)
    # The CSV twin has a budget of its own.
    assert _get(f"{base}/analytics/ai-code/commits.csv", key) == 200
