"""This service speaks both upstream APIs, so a live instance of it (A: gunicorn on its own
database, demo data seeded) is a faithful upstream: sync it into the test database (B) and
compare the exports, value for value, except the user ids (B's members are its own)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import basic
from tests.tracking.sync.helpers import sync

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PORTS = range(8100, 8110)  # this worktree's ports


class Instance:
    def __init__(self, url: str, key: str, org: str):
        self.url, self.key, self.org = url, key, org
        self.requests = 0

    def get(self, path: str, bearer: bool = False) -> bytes:
        auth = f"Bearer {self.key}" if bearer else basic(self.key)
        request = urllib.request.Request(self.url + path, headers={"Authorization": auth})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()

    def ingest(self, kind: str, records: list[dict]) -> dict:
        request = urllib.request.Request(
            f"{self.url}/ingest/v1/{kind}", data=json.dumps(records).encode(), method="POST",
            headers={"Authorization": basic(self.key), "Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def detail(self, hashes: list[str]) -> list:
        body = json.dumps({"commitHashes": hashes}).encode()
        request = urllib.request.Request(
            f"{self.url}/v1/organizations/{self.org}/ai-code-tracking/commits/detail",
            data=body, method="POST",
            headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())["data"]["commits"]


def _port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    pytest.skip("ports 8100-8109 are all in use")


def _run(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> tuple[Path, dict]:
    """A's database, migrated and seeded once: (file, create_team's answer)."""
    db = tmp_path_factory.mktemp("upstream") / "a.sqlite3"
    env = _a_env(db, "10000/m")
    _run(env, "migrate", "--noinput", "-v0")
    created = json.loads(_run(env, "create_team", "Upstream", "--json"))
    _run(env, "seed_demo", "--team", "upstream", "--commits", "150", "--changes", "600",
         "--messages", "0", "--members", "6", "--days", "20", "--seed", "3")  # fmt: skip
    return db, created


def _a_env(db: Path, rate: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DATABASE_URL=f"sqlite:///{db}", SECRET_KEY="upstream-a-" + "x" * 40,
               PUBLIC_ID_KEY="upstream-a-public-id-key",
               AI_CODE_RATE_LIMIT=rate, CONN_MAX_AGE="0")  # fmt: skip
    return env


def _instance(seeded, tmp_path_factory, rate: str):
    """gunicorn on a copy of A's seeded database, limited to `rate` per team and endpoint."""
    source, created = seeded
    db = tmp_path_factory.mktemp("instance") / "a.sqlite3"
    shutil.copyfile(source, db)
    env = _a_env(db, rate)
    port = _port()
    server = subprocess.Popen(
        [GUNICORN, "config.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if server.poll() is not None:
                raise AssertionError(server.stderr.read().decode())
            try:
                urllib.request.urlopen(url + "/analytics/ai-code/commits", timeout=1)
            except urllib.error.HTTPError:
                break  # it answers (401 without a key)
            except OSError:
                time.sleep(0.1)
        yield Instance(url, created["apiKey"], created["team"]["id"])
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def instance_a(seeded, tmp_path_factory):
    yield from _instance(seeded, tmp_path_factory, "10000/m")


@pytest.fixture(scope="module")
def limited_a(seeded, tmp_path_factory):
    """A with the vendors' own limit: 5 requests a minute per team and endpoint."""
    yield from _instance(seeded, tmp_path_factory, "5/m")


def _rows(body: bytes, drop: str) -> list[tuple]:
    reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    rows = sorted(tuple(sorted((k, v) for k, v in row.items() if k != drop)) for row in reader)
    assert rows, "an empty export proves nothing"
    return rows


@pytest.fixture
def b(api, settings):
    settings.AI_CODE_RATE_LIMIT = "10000/m"
    return api


RANGE = "startDate=30d&endDate=now"


def test_sync_cursor_makes_b_s_csv_exports_equal_a_s(team, instance_a, b, monkeypatch):
    sync(instance_a, "cursor", "--max-rpm", "0", env_key="CURSOR_API_KEY", key=instance_a.key,
         monkeypatch=monkeypatch)  # fmt: skip
    for path in ("/analytics/ai-code/commits.csv", "/analytics/ai-code/changes.csv"):
        theirs = instance_a.get(f"{path}?{RANGE}")
        ours = b.get(f"{path}?{RANGE}").getvalue()
        assert _rows(ours, "user_id") == _rows(theirs, "user_id"), path

    # New records on A arrive on the next run, which reads one window per stream.
    instance_a.ingest(
        "commits",
        [
            {
                "commitHash": "feedbeef01",
                "userEmail": "new@a.example",
                "repoName": "late",
                "totalLinesAdded": 3,
            }
        ],
    )
    instance_a.ingest("changes", [{"changeId": "late-1", "userEmail": "new@a.example",
                                   "source": "AGENT", "totalLinesAdded": 2}])  # fmt: skip
    out, _ = sync(instance_a, "cursor", "--max-rpm", "0", env_key="CURSOR_API_KEY",
                  key=instance_a.key, monkeypatch=monkeypatch)  # fmt: skip
    # One window per stream: its count (the JSON list) and its export.
    assert "2 created, 0 updated" in out and "; 4 requests" in out
    for path in ("/analytics/ai-code/commits.csv", "/analytics/ai-code/changes.csv"):
        theirs = instance_a.get(f"{path}?{RANGE}")
        ours = b.get(f"{path}?{RANGE}").getvalue()
        assert _rows(ours, "user_id") == _rows(theirs, "user_id"), path


def test_sync_qoder_makes_b_s_exports_and_commit_details_equal_a_s(
    team, instance_a, b, monkeypatch
):
    sync(instance_a, "qoder", "--max-rpm", "0", "--organization", instance_a.org,
         env_key="QODER_API_KEY", key=instance_a.key, monkeypatch=monkeypatch)  # fmt: skip
    base_a = f"/v1/organizations/{instance_a.org}/ai-code-tracking"
    base_b = f"/v1/organizations/{team.uuid}/ai-code-tracking"
    for name in ("commits/export", "changes/export"):
        theirs = instance_a.get(f"{base_a}/{name}?{RANGE}", bearer=True)
        ours = b.get(f"{base_b}/{name}?{RANGE}").getvalue()
        assert _rows(ours, "userId") == _rows(theirs, "userId"), name
    hashes = [row[0] for row in csv.reader(io.StringIO(ours_commits(b, base_b)))][1:]
    for i in range(0, len(hashes), 50):
        batch = hashes[i : i + 50]
        ours = b.post(f"{base_b}/commits/detail", {"commitHashes": batch}, format="json")
        assert ours.json()["data"]["commits"] == instance_a.detail(batch)


def ours_commits(b, base: str) -> str:
    return b.get(f"{base}/commits/export?{RANGE}").getvalue().decode("utf-8-sig")


def test_a_paced_sync_against_a_limited_to_5_per_minute_is_exact(team, limited_a, b, monkeypatch):
    """The client's pacing (default 5/min per endpoint) keeps it under A's limit: 90 days of
    CSV are 3 requests per endpoint (the exports, and the JSON lists that count them), so the
    run never waits and never meets a 429."""
    started = time.monotonic()
    out, _ = sync(limited_a, "cursor", env_key="CURSOR_API_KEY", key=limited_a.key,
                  monkeypatch=monkeypatch)  # fmt: skip
    assert time.monotonic() - started < 30
    assert "12 requests, 0 429s waited" in out
    theirs = limited_a.get(f"/analytics/ai-code/commits.csv?{RANGE}")
    ours = b.get(f"/analytics/ai-code/commits.csv?{RANGE}").getvalue()
    assert _rows(ours, "user_id") == _rows(theirs, "user_id")
