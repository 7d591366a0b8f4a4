"""`sync --verify`: the upstream's counts against the team's, range by range, and the days
that differ read again (issue 25: records backdated past the overlap, or pushed to Qoder more
than the overlap after they were made, are otherwise never mirrored)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.tracking.sync.helpers import (
    stored_changes,
    stored_commits,
    sync,
    upstream_changes,
    upstream_commits,
)
from tests.tracking.sync.upstream import KEY, ORG, QODER_BASE, Upstream, commit, make_records, ts
from tracking.models import Commit, SyncState

RUN = ("--max-rpm", "0", "--since", "10d", "--window-days", "10")


@pytest.fixture
def now():
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)


@pytest.fixture
def upstream(now):
    commits, changes = make_records(now, commits=60, changes=200, days=9)
    with Upstream(commits, changes) as server:
        yield server


@pytest.fixture(autouse=True)
def keys(monkeypatch):
    monkeypatch.setenv("CURSOR_API_KEY", KEY)
    monkeypatch.setenv("QODER_API_KEY", KEY)


def exact(team, upstream) -> bool:
    return stored_commits(team) == upstream_commits(upstream) and stored_changes(
        team
    ) == upstream_changes(upstream)


def test_when_nothing_is_missing_it_costs_one_count_per_stream_and_window(team, upstream):
    sync(upstream, "cursor", *RUN)
    upstream.log.clear()
    out, _ = sync(upstream, "cursor", *RUN, "--verify")
    assert "2 ranges compared, 0 days read again" in out and "0 still different" in out
    # The incremental pass (a count and an export a stream), then one count a stream.
    assert upstream.counts()["/analytics/ai-code/commits"] == 2


def test_cursor_records_backdated_past_the_overlap_are_found_and_read(team, upstream, now):
    sync(upstream, "cursor", *RUN)
    five_days_ago = (now - timedelta(days=5)).replace(hour=12, minute=0, second=0)
    upstream.commits += [commit(7000 + i, five_days_ago + timedelta(minutes=i)) for i in range(4)]
    sync(upstream, "cursor", *RUN)  # the incremental run reads from the checkpoint: missed
    assert not exact(team, upstream)
    checkpoint = SyncState.objects.get(team=team, stream="commits").checkpoint
    out, err = sync(upstream, "cursor", *RUN, "--verify")
    assert exact(team, upstream)
    assert "1 days read again" in out and "4 created" in out and "0 still different" in out
    assert f"commits {five_days_ago:%Y-%m-%d} 00:00" in out
    found = re.search(
        r"commits \S+ 00:00\.\.\S+ 00:00: (\d+) stored, the upstream counts (\d+)", err
    )
    assert found and int(found[2]) - int(found[1]) == 4
    # The re-read day does not move the checkpoint back to its end.
    assert SyncState.objects.get(team=team, stream="commits").checkpoint >= checkpoint


def test_qoder_commits_pushed_a_week_late_are_found_and_read(team, upstream, now):
    qoder = ("--organization", ORG)
    sync(upstream, "qoder", *RUN, *qoder, env_key="QODER_API_KEY")
    pushed_late = commit(8000, now - timedelta(days=6))
    pushed_late["createdAt"] = ts(now)  # made 6 days ago, reached Qoder now
    upstream.commits.append(pushed_late)
    sync(upstream, "qoder", *RUN, *qoder, env_key="QODER_API_KEY")
    assert not Commit.objects.filter(commit_hash=pushed_late["commitHash"]).exists()
    sync(upstream, "qoder", *RUN, *qoder, "--verify", env_key="QODER_API_KEY")
    assert exact(team, upstream)
    assert upstream.counts()[QODER_BASE + "/commits/detail"] >= 3


def test_records_the_upstream_no_longer_serves_are_reported_and_kept(team, upstream):
    sync(upstream, "cursor", *RUN)
    gone = upstream.commits.pop(10)
    out, err = sync(upstream, "cursor", *RUN, "--verify")
    assert "1 still different" in out
    assert "still different after a re-read" in err
    assert Commit.objects.filter(commit_hash=gone["commitHash"]).exists()
