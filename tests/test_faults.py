"""Faults lose nothing (PostgreSQL): a killed worker or command stores all or nothing, and a
database connection terminated under a request gives an error a client can see, never a hang,
while the next request on that worker succeeds.

gunicorn runs config.wsgi (production settings) against pytest's own test database, which the
transactional_db fixture commits to, so the server sees what the test wrote.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.conftest import basic
from tests.factories import TeamFactory, make_key
from tracking.demo import DemoSize, demo_seed
from tracking.models import Change

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

pytestmark = pytest.mark.slow


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("faults of a database server: PostgreSQL only")
    return connection.settings_dict


def _url(settings_dict) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{settings_dict['NAME']}"


def _admin(settings_dict) -> psycopg.Connection:
    return psycopg.connect(
        _url(settings_dict).replace("postgres://", "postgresql://"), autocommit=True
    )


def _env(settings_dict, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DATABASE_URL=_url(settings_dict),
        SECRET_KEY="faults-test-secret-" + "x" * 40,
        PUBLIC_ID_KEY="faults-test-public-id-key",
        AI_CODE_RATE_LIMIT="100000/m",
        DJANGO_SETTINGS_MODULE="config.settings_production",
        LOG_LEVEL="ERROR",
    )
    env.update(extra)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(settings_dict, tmp_path) -> Iterator[tuple[subprocess.Popen, int]]:
    port = _free_port()
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--timeout", "120", "--graceful-timeout", "5"],
        cwd=ROOT, env=_env(settings_dict), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_until_up(port, server, tmp_path)
        yield server, port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _wait_until_up(port: int, server: subprocess.Popen, tmp_path) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise AssertionError((tmp_path / "gunicorn.log").read_text()[-3000:])
        try:
            status, _ = _request(port, "GET", "/api/schema/", timeout=2)
            if status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def _request(port, method, path, *, key=None, body=None, headers=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    all_headers = dict(headers or {})
    if key:
        all_headers["Authorization"] = basic(key)
    conn.request(method, path, body=body, headers=all_headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def _workers(server: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def _backend(admin, *, like: str, waiting: bool = False, timeout: float = 20.0) -> int:
    """The pid of another session's running query matching `like` (waiting on a lock if
    asked). The test's own sessions (this admin connection, Django's) are never chosen."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        own = cursor.fetchone()[0]
    sql = (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND pid <> %s AND state = 'active' AND query ILIKE %s"
        + (" AND wait_event_type = 'Lock'" if waiting else "")
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = admin.execute(sql, [own, like]).fetchone()
        if row:
            return row[0]
        time.sleep(0.02)
    seen = admin.execute("SELECT pid, state, left(query, 80) FROM pg_stat_activity").fetchall()
    raise AssertionError(f"no query like {like!r} within {timeout} s: {seen}")


def _changes_ndjson(n: int, prefix: str) -> bytes:
    lines = (
        json.dumps({
            "changeId": f"{prefix}-{i}", "userEmail": f"dev{i % 50}@acme.example",
            "source": "AGENT", "model": "gpt-4o", "totalLinesAdded": 3, "totalLinesDeleted": 1,
            "metadata": [{"fileName": f"src/f{i}.py", "fileExtension": "py",
                          "linesAdded": 3, "linesDeleted": 1}],
        })
        for i in range(n)
    )  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


def test_a_worker_killed_mid_ingest_stores_all_or_nothing(pg, tmp_path):
    team = TeamFactory(slug="faults")
    _key, plain = make_key(team, can_ingest=True)
    body = _changes_ndjson(10_000, "kill")
    outcome: dict = {}

    def post():
        try:
            outcome["status"] = _request(
                server_port, "POST", "/ingest/v1/changes", key=plain, body=body,
                headers={"Content-Type": "application/x-ndjson"},
            )[0]  # fmt: skip
        except (OSError, http.client.HTTPException) as exc:
            outcome["error"] = exc

    with gunicorn(pg, tmp_path) as (server, server_port), _admin(pg) as admin:
        worker = _workers(server)[0]
        client = threading.Thread(target=post)
        client.start()
        _backend(admin, like="%tracking_change%")  # the worker is writing the batch
        os.kill(worker, signal.SIGKILL)
        client.join(timeout=60)
        assert not client.is_alive(), "the client hangs after the worker died"
        assert "error" in outcome or outcome["status"] >= 500, outcome

        stored = Change.objects.filter(team=team).count()
        assert stored in (0, 10_000), f"a partial batch was stored: {stored}"

        # The master starts a new worker; the same request then stores everything once.
        status, data = _request(
            server_port, "POST", "/ingest/v1/changes", key=plain, body=body,
            headers={"Content-Type": "application/x-ndjson"},
        )  # fmt: skip
        assert status == 200, data
        assert Change.objects.filter(team=team).count() == 10_000


def test_manage_py_ingest_killed_mid_file_stores_nothing_of_it(pg, tmp_path):
    team = TeamFactory(slug="faults-file")
    path = tmp_path / "changes.ndjson"
    path.write_bytes(_changes_ndjson(100_000, "file"))
    env = _env(pg, DJANGO_SETTINGS_MODULE="config.settings")
    with _admin(pg) as admin:
        command = subprocess.Popen(
            [PYTHON, "manage.py", "ingest", "--team", team.slug, str(path)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _backend(admin, like="%tracking_change%", timeout=60)
        finally:
            command.send_signal(signal.SIGKILL)
            command.wait(timeout=30)
    assert command.returncode == -signal.SIGKILL
    assert Change.objects.filter(team=team).count() == 0


def test_a_connection_terminated_mid_json_page_is_a_503_and_the_worker_recovers(pg, tmp_path):
    team = TeamFactory(slug="faults-json")
    demo_seed(team=team, size=DemoSize(commits=50, changes=200, messages=10), now=datetime.now(UTC))
    _key, plain = make_key(team)
    page = "/analytics/ai-code/changes?startDate=30d&endDate=now&pageSize=1000"
    outcome: dict = {}

    with gunicorn(pg, tmp_path) as (_server, port), _admin(pg) as admin:
        assert _request(port, "GET", page, key=plain)[0] == 200
        locker = _admin(pg)
        locker.autocommit = False
        locker.execute("LOCK TABLE tracking_change IN ACCESS EXCLUSIVE MODE")

        def get():
            outcome["response"] = _request(port, "GET", page.replace("30d", "31d"), key=plain)

        client = threading.Thread(target=get)
        client.start()
        pid = _backend(admin, like="%tracking_change%", waiting=True)
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        locker.rollback()
        locker.close()
        client.join(timeout=30)
        assert not client.is_alive(), "the request hangs after its connection was terminated"
        status, data = outcome["response"]
        assert status == 503, data
        assert json.loads(data)["message"].startswith("The database connection was lost")

        assert _request(port, "GET", page, key=plain)[0] == 200


def test_a_connection_terminated_mid_csv_export_is_a_detectably_cut_stream(pg, tmp_path):
    team = TeamFactory(slug="faults-csv")
    demo_seed(
        team=team, size=DemoSize(commits=50, changes=60_000, messages=10), now=datetime.now(UTC)
    )
    _key, plain = make_key(team)
    export = "/analytics/ai-code/changes.csv?startDate=90d&endDate=now"

    with gunicorn(pg, tmp_path) as (_server, port), _admin(pg) as admin:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", export, headers={"Authorization": basic(plain)})
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Transfer-Encoding") == "chunked"
        first = response.read1(65536)
        assert first.startswith(b"change_id,")
        # pg_stat_activity keeps the first 1 kB of a query: the COPY's FROM is past it.
        pid = _backend(admin, like="%COPY (%")
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        with pytest.raises(http.client.IncompleteRead):
            response.read()
        conn.close()

        assert _request(port, "GET", "/analytics/ai-code/changes?pageSize=1", key=plain)[0] == 200


def test_a_connection_terminated_under_a_spooled_copy_export_is_the_documented_503(pg, tmp_path):
    """An HTTP/1.0 client (here through nginx's X-Client-Protocol) gets the export spooled
    before it is sent, so its status is still open when the COPY loses its connection."""
    team = TeamFactory(slug="faults-copy")
    demo_seed(team=team, size=DemoSize(commits=20, changes=200, messages=10), now=datetime.now(UTC))
    _key, plain = make_key(team)
    export = "/analytics/ai-code/changes.csv?startDate=90d&endDate=now"
    http10 = {"X-Client-Protocol": "HTTP/1.0"}
    outcome: dict = {}

    with gunicorn(pg, tmp_path) as (_server, port), _admin(pg) as admin:
        locker = _admin(pg)
        locker.autocommit = False
        locker.execute("LOCK TABLE tracking_change IN ACCESS EXCLUSIVE MODE")

        def get():
            outcome["response"] = _request(port, "GET", export, key=plain, headers=http10)

        client = threading.Thread(target=get)
        client.start()
        pid = _backend(admin, like="%COPY (%", waiting=True)
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        locker.rollback()
        locker.close()
        client.join(timeout=30)
        assert not client.is_alive(), "the export hangs after its connection was terminated"
        status, data = outcome["response"]
        assert status == 503, data
        assert json.loads(data)["message"].startswith("The database connection was lost")

        status, data = _request(port, "GET", export, key=plain, headers=http10)
        assert status == 200 and data.startswith(b"change_id,"), data[:200]
