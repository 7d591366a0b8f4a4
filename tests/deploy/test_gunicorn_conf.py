"""The production server configuration in the repository keeps credentials out of its logs:
gunicorn with gunicorn.conf.py and access logging on, authenticated requests of every kind,
and no key (nor its Basic encoding) in any log line."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from teams.models import ApiKey
from tests.factories import TeamFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, headers: dict) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_no_api_key_in_any_log_and_static_files_are_served(transactional_db, tmp_path):
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        database_url = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        pytest.skip("the server needs a database file it can share (PostgreSQL here)")
    team = TeamFactory(slug="logs")
    _k, key = ApiKey.objects.create_key(team=team, can_read=True, can_ingest=True)
    _r, revoked = ApiKey.objects.create_key(team=team)
    ApiKey.objects.filter(prefix=revoked[:11]).update(revoked=True)

    port = free_port()
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=database_url, SECRET_KEY="logs-test-" + "x" * 40,
        PUBLIC_ID_KEY="logs-test-public-id-key",
        DJANGO_SETTINGS_MODULE="config.settings_production",
        GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1",
        GUNICORN_ACCESS_LOG=str(access), GUNICORN_ERROR_LOG=str(errors),
        GUNICORN_LOG_LEVEL="debug", STATIC_ROOT=str(tmp_path / "static"),
    )  # fmt: skip
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stderr
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/api/schema/", timeout=1)
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        basic = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
        query = "/analytics/ai-code/commits?user=dev%40acme.example"
        statuses = [
            fetch(base + query, {"Authorization": basic}),
            fetch(base + query, {"Authorization": f"Bearer {key}"}),
            fetch(base + query, {"Authorization": f"Bearer {revoked}"}),
            fetch(base + query, {"Authorization": f"Bearer {key}x"}),
            fetch(f"{base}/v1/organizations/{team.uuid}/ai-code/repos", {"Authorization": basic}),
        ]
        # WhiteNoise: the admin's stylesheet and the Swagger UI bundle from collectstatic.
        static = [
            fetch(f"{base}/static/admin/css/base.css", {}),
            fetch(
                f"{base}/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js", {}
            ),
        ]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert statuses == [200, 200, 401, 401, 200]
    assert static == [200, 200]
    logged = access.read_text() + errors.read_text()
    assert access.read_text().count("\n") >= 5, "access logging was on"
    for secret in (key, revoked, key[:20], basic.split()[1], "dev@acme.example"):
        assert secret not in logged
    assert "ak_" not in logged
