"""A fault-injecting upstream: each fault gives the documented behaviour (docs/sync.md) and
leaves the data and the checkpoint consistent. Sleeps go to a fake clock: no test waits."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from tests.tracking.sync.helpers import stored_changes, upstream_changes
from tests.tracking.sync.upstream import KEY, Upstream, make_records
from tracking.models import Change, SyncState
from tracking.sync.engine import Options, SyncFailed, sync_streams
from tracking.sync.http import Client, Pacer
from tracking.sync.sources import cursor_streams

CHANGES_CSV = "/analytics/ai-code/changes.csv"


class FakeClock:
    def __init__(self):
        self.now, self.sleeps = 0.0, []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def upstream():
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    _, changes = make_records(now, commits=0, changes=60, days=9)
    with Upstream([], changes) as server:
        yield server


def client(upstream, clock: FakeClock, *, max_rpm=0.0, timeout=5.0, attempts=4) -> Client:
    auth = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    pacer = Pacer(max_rpm, clock=clock.clock, sleep=clock.sleep)
    return Client(upstream.url, auth, KEY, pacer, timeout=timeout, max_attempts=attempts,
                  sleep=clock.sleep)  # fmt: skip


def run(team, upstream, clock, **kwargs):
    streams = [s for s in cursor_streams("csv") if s.name == "changes"]
    c = client(upstream, clock, **kwargs)
    options = Options(since=timedelta(days=10), window=timedelta(days=3))
    return sync_streams(team=team, source="cursor", streams=streams, client=c, options=options), c


def checkpoint(team):
    state = SyncState.objects.filter(team=team, stream="changes").first()
    return state and state.checkpoint


@pytest.mark.parametrize("fault", ["500", "truncated", "429:7", "429"])
def test_a_transient_fault_is_retried_and_the_sync_is_exact(team, upstream, fault):
    upstream.fail(CHANGES_CSV, fault)
    totals, c = run(team, upstream, FakeClock())
    assert stored_changes(team) == upstream_changes(upstream)
    # 4 windows, each a count and an export, and the one repeated request.
    assert c.stats.requests == 4 * 2 + 1
    assert (c.stats.retried, c.stats.waited_429) == ((0, 1) if "429" in fault else (1, 0))
    assert totals.received == 60


def test_a_429_waits_exactly_retry_after(team, upstream):
    upstream.fail(CHANGES_CSV, "429:7")
    clock = FakeClock()
    _, c = run(team, upstream, clock)
    assert clock.sleeps == [7.0] and c.stats.waited_429 == 1


def test_a_429_without_retry_after_backs_off_with_jitter(team, upstream):
    upstream.fail(CHANGES_CSV, "429", "429", "429")
    clock = FakeClock()
    run(team, upstream, clock)
    assert len(clock.sleeps) == 3
    # Full jitter under the capped exponential ceiling: 1 s, 2 s, 4 s.
    assert all(0 <= s <= cap for s, cap in zip(clock.sleeps, (1, 2, 4), strict=True))


def test_a_hang_past_the_timeout_is_retried(team, upstream):
    upstream.fail(CHANGES_CSV, "hang")
    _, c = run(team, upstream, FakeClock(), timeout=0.5)
    assert stored_changes(team) == upstream_changes(upstream)
    assert c.stats.retried == 1


def test_5xx_until_the_attempts_run_out_stops_with_the_url_and_keeps_the_checkpoint(team, upstream):
    run(team, upstream, FakeClock())
    before = checkpoint(team)
    upstream.fail(CHANGES_CSV, *["500"] * 4)
    with pytest.raises(SyncFailed, match=r"changes\.csv.*500.*gave up after 4 attempts"):
        run(team, upstream, FakeClock())
    assert checkpoint(team) == before
    state = SyncState.objects.get(team=team, stream="changes")
    assert "500" in state.last_error
    # The backfill's 4 windows (a count and an export each), then a count and 4 failed attempts.
    assert state.requests == 4 * 2 + 1 + 4


@pytest.mark.parametrize(
    "fault, message",
    [
        ("html", "expected CSV, got text/html"),
        ("401", "401 Unauthorized: bad key"),
    ],
)
def test_a_response_that_is_not_the_api_stops_the_run_at_the_last_committed_window(
    team, upstream, fault, message
):
    # The first window commits, the second gets the fault.
    upstream.faults = [(CHANGES_CSV, "pass"), (CHANGES_CSV, fault)]
    with pytest.raises(SyncFailed, match=message) as failure:
        run(team, upstream, FakeClock())
    assert upstream.url in str(failure.value) and KEY not in str(failure.value)
    first_window_end = checkpoint(team)
    assert first_window_end is not None
    stored = Change.objects.filter(team=team)
    assert all(c.created_at <= first_window_end for c in stored)
    # The rerun starts there and ends exact.
    run(team, upstream, FakeClock())
    assert stored_changes(team) == upstream_changes(upstream)


def test_malformed_json_stops_the_run_naming_the_url(team, upstream):
    upstream.fail("/analytics/ai-code/changes", "badjson")
    streams = [s for s in cursor_streams("json") if s.name == "changes"]
    c = client(upstream, FakeClock())
    with pytest.raises(SyncFailed, match="/analytics/ai-code/changes: malformed or truncated JSON"):
        sync_streams(team=team, source="cursor", streams=streams, client=c, options=Options())
    assert checkpoint(team) is None and not Change.objects.exists()


def test_pacing_keeps_each_endpoint_under_max_rpm():
    clock = FakeClock()
    pacer = Pacer(5, clock=clock.clock, sleep=clock.sleep)
    starts = []
    for _ in range(12):
        pacer.wait("/commits.csv")
        starts.append(clock.now)
        pacer.wait("/changes.csv")  # its own budget: never delays the other endpoint
    assert starts[:5] == [0.0] * 5
    assert all(starts[i + 5] - starts[i] >= 60 for i in range(len(starts) - 5))
    assert clock.now == 120.0 + 2 * 0.5  # each minute's margin


def test_a_column_the_export_does_not_document_is_ignored(team, upstream, monkeypatch):
    original = upstream._cursor_csv

    def with_extra_column(rows, commits):
        lines = original(rows, commits).decode().splitlines()
        return "\n".join(f"{line},x" for line in lines).encode() + b"\n"

    monkeypatch.setattr(upstream, "_cursor_csv", with_extra_column)
    run(team, upstream, FakeClock())
    assert stored_changes(team) == upstream_changes(upstream)


def test_a_record_the_ingestion_refuses_stops_the_run_naming_the_upstream_and_the_field(
    team, upstream
):
    upstream.changes[0]["totalLinesAdded"] = -5
    with pytest.raises(SyncFailed, match=r"127\.0\.0\.1.*changes.*totalLinesAdded") as failure:
        run(team, upstream, FakeClock())
    assert "nothing of this window was stored" in str(failure.value)


def test_the_key_is_redacted_even_when_the_upstream_quotes_it(team, upstream):
    upstream.fail(CHANGES_CSV, "echo")
    with pytest.raises(SyncFailed) as failure:
        run(team, upstream, FakeClock())
    message = str(failure.value)
    assert "400 Bad Request: bad [redacted] and [redacted]" in message
    assert KEY not in message
    stored = SyncState.objects.get(team=team, stream="changes").last_error
    assert KEY not in stored and "[redacted]" in stored
