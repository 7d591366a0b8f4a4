"""`manage.py sync cursor` against a fake Cursor upstream: exact, incremental, checkpointed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management.base import CommandError

from tests.tracking.sync.helpers import (
    stored_changes,
    stored_commits,
    sync,
    upstream_changes,
    upstream_commits,
)
from tests.tracking.sync.upstream import KEY, Upstream, change, commit, make_records, ts
from tracking.models import Change, Commit, SyncState

FAST = ("--max-rpm", "0", "--since", "10d", "--window-days", "3")


@pytest.fixture
def upstream():
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    commits, changes = make_records(now, commits=40, changes=120, days=9)
    with Upstream(commits, changes) as server:
        yield server


@pytest.fixture(autouse=True)
def cursor_key(monkeypatch):
    monkeypatch.setenv("CURSOR_API_KEY", KEY)


def test_it_mirrors_every_commit_and_change_from_the_csv_exports(team, upstream):
    out, _ = sync(upstream, "cursor", *FAST)
    assert stored_commits(team) == upstream_commits(upstream)
    assert stored_changes(team) == upstream_changes(upstream)
    assert "40 received" not in out and "160 received, 160 created" in out
    # 10 days in windows of 3 days: 4 windows, one CSV request per window and stream, and
    # the JSON list's count of the same window (the CSV's row count is checked against it).
    assert upstream.counts() == {
        "/analytics/ai-code/commits.csv": 4,
        "/analytics/ai-code/changes.csv": 4,
        "/analytics/ai-code/commits": 4,
        "/analytics/ai-code/changes": 4,
    }


def test_it_mirrors_the_same_records_from_the_json_pages(team, upstream):
    sync(upstream, "cursor", *FAST, "--format", "json")
    assert stored_commits(team) == upstream_commits(upstream)
    assert stored_changes(team) == upstream_changes(upstream)
    assert set(upstream.counts()) == {"/analytics/ai-code/commits", "/analytics/ai-code/changes"}


def test_it_sends_the_key_as_basic_auth_and_never_prints_it(team, upstream):
    out, err = sync(upstream, "cursor", *FAST)
    assert all(a.startswith("Basic ") for a in upstream.auth)
    assert KEY not in out + err


def test_a_rerun_fetches_from_the_checkpoint_and_changes_nothing(team, upstream):
    sync(upstream, "cursor", *FAST)
    upstream.log.clear()
    out, _ = sync(upstream, "cursor", *FAST)
    assert "0 created, 0 updated" in out
    # One window (checkpoint minus the overlap .. now) per stream, and its count.
    assert upstream.counts() == {
        "/analytics/ai-code/commits.csv": 1,
        "/analytics/ai-code/changes.csv": 1,
        "/analytics/ai-code/commits": 1,
        "/analytics/ai-code/changes": 1,
    }


def test_new_records_arrive_on_the_next_run_and_only_the_new_range_is_read(team, upstream):
    sync(upstream, "cursor", *FAST)
    now = datetime.now(UTC).replace(microsecond=0)
    upstream.commits.append(commit(1000, now))
    upstream.changes.append(change(1000, now))
    upstream.log.clear()
    out, _ = sync(upstream, "cursor", *FAST)
    assert "2 created" in out
    assert stored_commits(team) == upstream_commits(upstream)
    assert stored_changes(team) == upstream_changes(upstream)
    assert len(upstream.log) == 2 * 2  # a count and an export per stream


def test_a_record_at_the_checkpoint_instant_is_not_skipped(team, upstream):
    sync(upstream, "cursor", *FAST)
    checkpoint = SyncState.objects.get(team=team, source="cursor", stream="changes").checkpoint
    # Stamped at the checkpoint itself, after the run read that instant.
    late = change(2000, checkpoint)
    upstream.changes.append(late)
    sync(upstream, "cursor", *FAST)
    assert Change.objects.filter(team=team, change_id="chg-2000").exists()


def test_the_checkpoint_is_per_team_source_and_stream(team, upstream):
    sync(upstream, "cursor", *FAST)
    states = SyncState.objects.filter(team=team).order_by("stream")
    assert [(s.source, s.stream) for s in states] == [("cursor", "changes"), ("cursor", "commits")]
    assert all(s.checkpoint and s.last_success_at and not s.last_error for s in states)
    assert states[1].records == 40 and states[1].requests == 4 * 2


def test_dry_run_validates_and_stores_nothing(team, upstream):
    out, _ = sync(upstream, "cursor", *FAST, "--dry-run")
    assert "dry run" in out and "160 received" in out
    assert not Commit.objects.exists() and not Change.objects.exists()
    assert not SyncState.objects.exists()


def test_reset_backfills_since_again(team, upstream):
    sync(upstream, "cursor", *FAST)
    upstream.log.clear()
    sync(upstream, "cursor", *FAST, "--reset")
    assert len(upstream.log) == 8 * 2


def test_it_refuses_to_run_without_a_key(team, upstream, monkeypatch):
    monkeypatch.delenv("CURSOR_API_KEY")
    with pytest.raises(CommandError, match="CURSOR_API_KEY"):
        sync(upstream, "cursor", *FAST)


def test_upstream_created_at_is_kept(team, upstream):
    sync(upstream, "cursor", *FAST)
    first = upstream.commits[0]
    stored = Commit.objects.get(team=team, commit_hash=first["commitHash"])
    assert ts(stored.created_at) == first["createdAt"]


def test_watch_syncs_again_every_interval(team, upstream, monkeypatch):
    naps = []

    def sleep(seconds):
        naps.append(seconds)
        if len(naps) == 2:
            raise KeyboardInterrupt  # the operator's Ctrl-C

    monkeypatch.setattr("tracking.management.commands.sync.time.sleep", sleep)
    # Between passes the command drops stale connections; the test's own transaction must stay.
    monkeypatch.setattr("tracking.management.commands.sync.close_old_connections", lambda: None)
    with pytest.raises(KeyboardInterrupt):
        sync(upstream, "cursor", *FAST, "--watch", "300")
    assert naps == [300.0, 300.0]
    # The backfill (4 windows a stream), a nap, one incremental pass (1 a stream), a nap;
    # each window a count and an export.
    assert len(upstream.log) == (8 + 2) * 2


def test_a_commit_message_over_the_csv_modules_default_cell_limit_is_read(team, upstream):
    long = commit(3000, datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2))
    long["message"] = "x" * 300_000
    upstream.commits.append(long)
    sync(upstream, "cursor", *FAST)
    assert stored_commits(team) == upstream_commits(upstream)
