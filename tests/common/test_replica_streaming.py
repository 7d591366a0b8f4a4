"""A real read replica: PostgreSQL streaming replication, the router, the admin's lag.

A throwaway primary (initdb) and a standby cloned from it with pg_basebackup, each on its own
port of 26000-26999 with its data under /tmp, run as the postgres user as .ci/run runs
PostgreSQL. gunicorn serves with DATABASE_URL on the primary and DATABASE_REPLICA_URLS on the
standby. With the standby's replay paused, the API's reads (a page and the COPY export) still
show the old rows, while the ingest answer and `rollups verify` see the new ones: reads are
served by the replica, and the reads that must see their own writes are not. Resumed, the write
arrives on the replica. The admin shows the lag. A stopped replica leaves reads on the primary.
About 30 s; `make test-replica` runs it alone (docs/scaling.md).
"""

from __future__ import annotations

import json
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import ONCE_IN_CI, basic

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
DB = "aicode_scale_replica"
NOW = datetime.now(UTC).isoformat()  # inside the API's default window (the last days)


def _have_postgres_user() -> bool:
    try:
        pwd.getpwnam("postgres")
        return True
    except KeyError:
        return False


pytestmark = [
    pytest.mark.slow,
    ONCE_IN_CI,
    pytest.mark.skipif(not BINS, reason="no PostgreSQL server binaries in /usr/lib/postgresql"),
    pytest.mark.skipif(
        os.geteuid() == 0 and not _have_postgres_user(), reason="no postgres user to run as"
    ),
]

SETUP = """
import django; django.setup()
from django.contrib.auth.models import User
from teams.models import ApiKey, Team
team = Team.objects.create(name="Replicated", slug="replicated")
read = ApiKey.objects.create_key(team=team, name="read")[1]
write = ApiKey.objects.create_key(team=team, name="write", can_ingest=True)[1]
User.objects.create_superuser("root", "root@example.com", "pw-root-123456")
print(read, write)
"""

ADMIN_PAGE = """
import django; django.setup()
from django.contrib.auth.models import User
from django.test import Client
client = Client()
client.force_login(User.objects.get(username="root"))
print(client.get("/admin/").content.decode())
"""


def free_ports(count: int) -> list[int]:
    ports = []
    for port in range(26400, 27000):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == count:
            return ports
    raise AssertionError("no free port in 26400-26999")


def as_postgres(*command: str) -> None:
    if os.geteuid() == 0:
        command = ("su", "postgres", "-c", shlex.join(command))
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def pg(port: int, sql: str, db: str = "postgres") -> list:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/{db}", autocommit=True) as c:
        cursor = c.execute(sql)
        return cursor.fetchall() if cursor.description else []


class Cluster:
    """A primary and its streaming standby."""

    def __init__(self, base: Path, primary: int, standby: int):
        self.base, self.primary, self.standby = base, primary, standby
        self.bin = BINS[-1]

    def start(self) -> None:
        b = self.bin
        as_postgres(str(b / "initdb"), "-D", f"{self.base}/primary", "-U", "postgres",
                    "--auth=trust", "-E", "UTF8")  # fmt: skip
        self._pg_ctl("primary", self.primary, "start")
        as_postgres(str(b / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary),
                    "-U", "postgres", "-D", f"{self.base}/standby", "-R", "-X", "stream",
                    "-c", "fast")  # fmt: skip
        self._pg_ctl("standby", self.standby, "start")

    def _pg_ctl(self, name: str, port: int, action: str, *extra: str) -> None:
        options = (f"-p {port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c wal_level=replica -c max_wal_senders=4")  # fmt: skip
        as_postgres(str(self.bin / "pg_ctl"), "-D", f"{self.base}/{name}", "-o", options,
                    "-l", f"{self.base}/{name}.log", "-w", action, *extra)  # fmt: skip

    def stop_standby(self) -> None:
        self._pg_ctl("standby", self.standby, "stop", "-m", "immediate")

    def stop(self) -> None:
        for name in ("standby", "primary"):
            if (self.base / name / "postmaster.pid").exists():
                self._pg_ctl(name, 0, "stop", "-m", "immediate")


@pytest.fixture
def cluster():
    base = Path(tempfile.mkdtemp(prefix="aicode_scale_replica_", dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    primary, standby = free_ports(2)
    cluster = Cluster(base, primary, standby)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def request(url: str, key: str, body: list | None = None, headers=None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": basic(key), "Content-Type": "application/json", **(headers or {})}
    req = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def etag(url: str, key: str) -> str:
    req = urllib.request.Request(url, headers={"Authorization": basic(key)})
    with urllib.request.urlopen(req, timeout=30) as response:
        return response.headers["ETag"]


def commit(n: int) -> dict:
    return {"commitHash": f"{n:040x}", "userEmail": "dev@replicated.example",
            "repoName": "acme/app", "totalLinesAdded": 10, "totalLinesDeleted": 1,
            "tabLinesAdded": 4, "createdAt": NOW}  # fmt: skip


def up(server: subprocess.Popen, url: str, key: str) -> bool:
    assert server.poll() is None, server.stderr.read().decode()
    try:
        return request(url, key)[0] == 200
    except OSError:
        return False


def wait_for(check, timeout: float = 30.0, what: str = "") -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"timed out: {what}")


def test_reads_come_from_a_streaming_replica_and_writes_arrive_there(cluster):
    pg(cluster.primary, f'CREATE DATABASE "{DB}"')
    primary_url = f"postgres://postgres@127.0.0.1:{cluster.primary}/{DB}"
    standby_url = f"postgres://postgres@127.0.0.1:{cluster.standby}/{DB}"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=primary_url,
               DATABASE_REPLICA_URLS=standby_url, DATABASE_REPLICA_MAX_LAG="3600",
               DATABASE_REPLICA_CHECK_SECONDS="0.2", SECRET_KEY="replica-test-" + "x" * 40,
               AI_CODE_RATE_LIMIT="100000/m", CONN_MAX_AGE="0", DEBUG="false")  # fmt: skip
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 300}
    done = subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], **run)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([PYTHON, "-c", SETUP], **run)
    assert done.returncode == 0, done.stderr
    read_key, write_key = done.stdout.split()

    (port,) = free_ports(1)
    server = subprocess.Popen(
        [GUNICORN, "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    commits, export = f"{base}/analytics/ai-code/commits", f"{base}/analytics/ai-code/commits.csv"
    ingest = f"{base}/ingest/v1/commits"

    def total() -> int:
        status, body = request(commits, read_key)
        assert status == 200, body
        return json.loads(body)["totalCount"]

    try:
        wait_for(lambda: up(server, commits, read_key), what="gunicorn answers")
        # A write on the primary arrives on the replica, and the API reads it there.
        status, body = request(ingest, write_key, [commit(1)])
        assert (status, json.loads(body)["created"]) == (200, 1)
        arrived = wait_for(lambda: total() == 1, what="the first commit on the replica")

        # Replay paused: the replica stays at one commit while the primary gets a second.
        pg(cluster.standby, "SELECT pg_wal_replay_pause()")
        status, body = request(ingest, write_key, [commit(2)])
        assert json.loads(body) == {"received": 1, "created": 1, "updated": 0}
        # The ingest answer reads the primary: the same record again is known, not "created".
        status, body = request(ingest, write_key, [commit(2)])
        assert json.loads(body) == {"received": 1, "created": 0, "updated": 0}
        assert pg(cluster.primary, "SELECT count(*) FROM tracking_commit", DB) == [(2,)]
        assert pg(cluster.standby, "SELECT count(*) FROM tracking_commit", DB) == [(1,)]
        # The API's reads are the replica's: the page, and the COPY export.
        assert total() == 1
        stale_etag = etag(commits, read_key)  # the replica's data version, not the primary's
        status, csv = request(export, read_key)
        assert status == 200 and csv.count(b"\n") == 2  # header + the replicated commit
        # rollups verify (a command) reads the primary: the second commit's rollups agree.
        done = subprocess.run([PYTHON, "manage.py", "rollups", "verify"], **run)
        assert done.returncode == 0, done.stdout + done.stderr
        # The admin shows the standby's lag: WAL behind, and seconds.
        done = subprocess.run([PYTHON, "-c", ADMIN_PAGE], **{**run, "env": {
            **env, "ALLOWED_HOSTS": "testserver"}})  # fmt: skip
        assert done.returncode == 0, done.stderr
        row = done.stdout.split('data-alias="replica_0"', 1)[1].split("</tr>", 1)[0]
        assert f"127.0.0.1:{cluster.standby}/{DB}" in row and "served here" in row
        assert int(row.split('data-lag-bytes="', 1)[1].split('"', 1)[0]) > 0, row
        assert float(row.split('data-lag-seconds="', 1)[1].split('"', 1)[0]) > 0, row

        # Resumed: the second commit arrives on the replica.
        pg(cluster.standby, "SELECT pg_wal_replay_resume()")
        caught_up = wait_for(lambda: total() == 2, what="the second commit on the replica")
        # The ETag sent with the old rows does not match the new ones (no stale 304).
        assert request(commits, read_key, headers={"If-None-Match": stale_etag})[0] == 200
        status, csv = request(export, read_key)
        assert csv.count(b"\n") == 3

        # The replica stops: after one check interval the reads go to the primary, no error.
        cluster.stop_standby()
        time.sleep(0.5)
        assert [total() for _ in range(4)] == [2, 2, 2, 2]
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"write visible on the replica after {arrived * 1000:.0f} ms; "
          f"after resuming replay {caught_up * 1000:.0f} ms")  # fmt: skip
