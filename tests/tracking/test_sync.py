"""manage.py sync: a live instance of this service is a faithful upstream (it speaks both
vendors' APIs exactly). Team A is the upstream's data, served over HTTP by the live server;
the sync mirrors it into team B through the ingestion service, and B's exports must then equal
A's, value for value, except the user ids (B's members are its own).
"""

from __future__ import annotations

import csv
import io
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from rest_framework.test import APIClient

from teams.models import ApiKey
from tests.factories import CommitFactory, TeamFactory
from tracking.demo import DemoSize, demo_seed
from tracking.models import Change, Commit, SyncState
from tracking.sync.http import SyncError, Upstream

SINCE = {"startDate": "120d", "endDate": "now"}
USER_IDS = {"user_id", "userId"}


@pytest.fixture
def upstream(transactional_db, settings):
    settings.AI_CODE_RATE_LIMIT = "100000/m"
    team = TeamFactory(name="Upstream", slug="upstream")
    demo_seed(team=team, size=DemoSize(members=4, days=60, commits=120, changes=500, messages=0))
    _key, plain = ApiKey.objects.create_key(team=team)
    return team, plain


@pytest.fixture
def mirror(transactional_db):
    return TeamFactory(name="Mirror", slug="mirror")


def rows(team, path: str, *, bearer: bool = False, **params) -> list[dict]:
    client = APIClient()
    _key, plain = ApiKey.objects.create_key(team=team)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    response = client.get(path.format(org=team.uuid), params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    found = [
        {k: v for k, v in row.items() if k not in USER_IDS}
        for row in csv.DictReader(io.StringIO(text))
    ]
    return sorted(found, key=lambda row: sorted(row.items()))


def sync(capsys, *args: str) -> str:
    call_command("sync", *args)
    return capsys.readouterr().out


def test_sync_cursor_mirrors_the_upstream_exactly(
    upstream, mirror, live_server, monkeypatch, capsys, settings
):
    team, key = upstream
    monkeypatch.setenv("CURSOR_API_KEY", key)
    settings.AI_CODE_RATE_LIMIT = "5/m"  # the vendor's limit, upstream, during the syncs
    out = sync(capsys, "cursor", "--team", "mirror", "--base-url", live_server.url)
    settings.AI_CODE_RATE_LIMIT = "100000/m"  # the comparisons below are not the sync's
    for path in ("/analytics/ai-code/commits.csv", "/analytics/ai-code/changes.csv"):
        assert rows(mirror, path, **SINCE) == rows(team, path, **SINCE)
    assert Commit.objects.filter(team=mirror).count() == 120
    assert "6 requests (0 retried, 0 429s waited" in out  # 90 days / 30-day windows: 3 each
    assert key not in out

    # Records added upstream arrive on the next run, which reads only from the checkpoint.
    CommitFactory.create_batch(3, member=team.members.first(), created_at=timezone.now())
    settings.AI_CODE_RATE_LIMIT = "5/m"
    out = sync(capsys, "cursor", "--team", "mirror", "--base-url", live_server.url)
    settings.AI_CODE_RATE_LIMIT = "100000/m"
    assert "2 requests" in out
    assert "cursor commits: 3 records" in out
    assert Commit.objects.filter(team=mirror).count() == 123
    assert rows(mirror, "/analytics/ai-code/commits.csv", **SINCE) == rows(
        team, "/analytics/ai-code/commits.csv", **SINCE
    )


def test_sync_qoder_mirrors_exports_and_range_annotations(
    upstream, mirror, live_server, monkeypatch, capsys
):
    team, key = upstream
    monkeypatch.setenv("QODER_API_KEY", key)
    sync(
        capsys, "qoder", "--team", "mirror", "--organization", str(team.uuid),
        "--base-url", live_server.url, "--max-rpm", "100",
    )  # fmt: skip
    since = {"startDate": (timezone.now() - timedelta(days=120)).isoformat()}
    for path in (
        "/v1/organizations/{org}/ai-code-tracking/commits/export",
        "/v1/organizations/{org}/ai-code-tracking/changes/export",
    ):
        assert rows(mirror, path, **since) == rows(team, path, **since)
    upstream_annotations = dict(
        Commit.objects.filter(team=team).values_list("commit_hash", "range_annotations")
    )
    mirrored = dict(
        Commit.objects.filter(team=mirror).values_list("commit_hash", "range_annotations")
    )
    assert mirrored == {h: a or [] for h, a in upstream_annotations.items()}
    assert any(mirrored.values()), "the demo data has range annotations to mirror"


def test_a_missing_key_or_organization_is_a_clear_error(mirror, monkeypatch):
    monkeypatch.delenv("CURSOR_API_KEY", raising=False)
    with pytest.raises(CommandError, match="Set CURSOR_API_KEY"):
        call_command("sync", "cursor", "--team", "mirror")
    monkeypatch.setenv("QODER_API_KEY", "k")
    with pytest.raises(CommandError, match="--organization"):
        call_command("sync", "qoder", "--team", "mirror")


# -- a fault-injecting upstream -----------------------------------------------------------------


class Stub(BaseHTTPRequestHandler):
    """Answers from a script: a list of (status, headers, body) per request, in order."""

    script: list = []
    served: list = []

    def do_GET(self):  # noqa: N802 - http.server's name
        self.served.append(self.path)
        empty = CHANGES_HEADER_ONLY if "changes" in self.path else HEADER_ONLY
        status, headers, body = self.script.pop(0) if self.script else (200, {}, empty)
        if status == "hang":
            threading.Event().wait(3)
            return
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != "cut":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


HEADER_ONLY = (
    b"commit_hash,user_id,user_email,repo_name,branch_name,is_primary_branch,total_lines_added,"
    b"total_lines_deleted,tab_lines_added,tab_lines_deleted,composer_lines_added,"
    b"composer_lines_deleted,non_ai_lines_added,non_ai_lines_deleted,message,commit_ts,"
    b"created_at\n"
)
CHANGES_HEADER_ONLY = (
    b"change_id,user_id,user_email,source,model,total_lines_added,total_lines_deleted,"
    b"created_at,metadata_json\n"
)
ONE_COMMIT = HEADER_ONLY + (
    b"abc123,user_x,dev@acme.example,acme/api,main,true,10,2,4,1,3,0,3,1,fix,"
    b"2025-07-30T10:00:00.000Z,2025-07-30T10:00:05.000Z\n"
)


@pytest.fixture
def stub():
    Stub.script, Stub.served = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def client(base_url: str, **kwargs) -> tuple[Upstream, list]:
    slept: list = []
    fake = {"now": 0.0}

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        fake["now"] += seconds

    upstream = Upstream(
        base_url=base_url, key="ak_secretsecret", scheme="basic", clock=lambda: fake["now"],
        sleep=sleep, **kwargs,
    )  # fmt: skip
    return upstream, slept


def test_5xx_are_retried_with_backoff_and_429_honours_retry_after(stub):
    Stub.script = [(500, {}, b"boom"), (503, {}, b"busy"), (429, {"Retry-After": "7"}, b""),
                   (200, {}, ONE_COMMIT)]  # fmt: skip
    upstream, slept = client(stub)
    assert upstream.get("/analytics/ai-code/commits.csv", {}) == ONE_COMMIT
    assert upstream.stats.requests == 4 and upstream.stats.retries == 2
    assert 7 in slept and upstream.stats.waited_429 == 1


def test_a_429_without_retry_after_waits_a_whole_window(stub):
    Stub.script = [(429, {}, b""), (200, {}, ONE_COMMIT)]
    upstream, slept = client(stub)
    upstream.get("/x", {})
    assert slept == [61.0]


def test_pacing_keeps_to_max_rpm_per_endpoint(stub):
    upstream, slept = client(stub, max_rpm=2)
    for _ in range(3):
        upstream.get("/a", {})
    upstream.get("/b", {})  # another endpoint: its own budget
    assert slept == [61.0]


def test_a_hang_past_the_timeout_is_retried_then_named_without_the_key(stub):
    Stub.script = [("hang", {}, b"")] * 3
    upstream, _ = client(stub, timeout=0.5, retries=2)
    with pytest.raises(SyncError) as error:
        upstream.get("/analytics/ai-code/commits.csv", {"startDate": "x"})
    assert "/analytics/ai-code/commits.csv?startDate=x" in str(error.value)
    assert "ak_secret" not in str(error.value)


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ((200, {}, b"<html><body>Maintenance</body></html>"), "not the documented CSV"),
        ((200, {}, ONE_COMMIT[:-30]), "upstream record problem"),
        ((401, {}, b'{"error": "Unauthorized", "message": "bad key ak_secretsecret"}'), "HTTP 401"),
    ],
)
def test_a_bad_answer_stops_the_run_and_keeps_the_checkpoint(
    stub, mirror, monkeypatch, reply, message
):
    monkeypatch.setenv("CURSOR_API_KEY", "ak_secretsecret")
    good_until = datetime(2025, 1, 1, tzinfo=UTC)
    SyncState.objects.create(team=mirror, source="cursor", stream="commits", checkpoint=good_until)
    Stub.script = [reply]
    with pytest.raises(CommandError) as error:
        call_command("sync", "cursor", "--team", "mirror", "--base-url", stub, "--retries", "0",
                     "--since", "1d", "--window-days", "1000")  # fmt: skip
    assert message in str(error.value)
    assert "ak_secretsecret" not in str(error.value)
    state = SyncState.objects.get(team=mirror, stream="commits")
    assert state.checkpoint == good_until
    assert message.split()[0] in state.last_error or state.last_error
    assert not Commit.objects.filter(team=mirror).exists()
    assert not Change.objects.filter(team=mirror).exists()


def test_dry_run_reads_and_validates_without_writing(stub, mirror, monkeypatch, capsys):
    monkeypatch.setenv("CURSOR_API_KEY", "k")
    Stub.script = [(200, {}, ONE_COMMIT)]
    call_command("sync", "cursor", "--team", "mirror", "--base-url", stub, "--dry-run",
                 "--since", "1d", "--window-days", "1000")  # fmt: skip
    assert not Commit.objects.filter(team=mirror).exists()
    assert SyncState.objects.get(team=mirror, stream="commits").checkpoint is None
    assert "cursor commits: " in capsys.readouterr().err


@pytest.mark.slow
def test_killed_mid_run_then_rerun_is_exact(upstream, mirror, live_server, capsys):
    """SIGKILL while the sync waits for its pacing window, with one window stored: the rerun
    ends with exactly the upstream's records, none twice."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the sync runs in another process: it needs a shared database server")
    team, key = upstream
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ, "CURSOR_API_KEY": key, "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
    }  # fmt: skip
    command = [sys.executable, "manage.py", "sync", "cursor", "--team", "mirror",
               "--base-url", live_server.url, "--since", "61d", "--window-days", "20"]  # fmt: skip
    process = subprocess.Popen([*command, "--max-rpm", "1"], cwd=root, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Commit.objects.filter(team=mirror).exists():
            break
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    first = Commit.objects.filter(team=mirror).count()
    assert 0 < first < 120, "killed after some but not all of the windows"

    done = subprocess.run([*command, "--max-rpm", "100"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    for path in ("/analytics/ai-code/commits.csv", "/analytics/ai-code/changes.csv"):
        assert rows(mirror, path, **SINCE) == rows(team, path, **SINCE)
