"""`manage.py sync qoder` against a fake Qoder upstream: the commits export, commits/detail in
batches of 50, and the change pages (which carry the metadata the change export lacks)."""

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
from tests.tracking.sync.upstream import KEY, ORG, QODER_BASE, Upstream, annotations, make_records
from tracking.models import Commit, SyncState

FAST = ("--max-rpm", "0", "--since", "10d", "--window-days", "5", "--organization", ORG)


@pytest.fixture
def upstream():
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    commits, changes = make_records(now, commits=120, changes=450, days=9)
    with Upstream(commits, changes) as server:
        yield server


@pytest.fixture(autouse=True)
def qoder_key(monkeypatch):
    monkeypatch.setenv("QODER_API_KEY", KEY)


def test_it_mirrors_commits_with_their_range_annotations_and_changes(team, upstream):
    out, err = sync(upstream, "qoder", *FAST)
    assert stored_commits(team) == upstream_commits(upstream)
    assert stored_changes(team) == upstream_changes(upstream)
    for commit in Commit.objects.filter(team=team):
        assert commit.range_annotations == annotations(commit.commit_hash)
    assert all(a == f"Bearer {KEY}" for a in upstream.auth)
    assert KEY not in out + err


def test_it_asks_commits_detail_for_at_most_50_hashes(team, upstream):
    sync(upstream, "qoder", *FAST)
    counts = upstream.counts()
    # 2 windows of 5 days; ~60 commits each: 2 detail requests per window.
    assert counts[QODER_BASE + "/commits/export"] == 2
    assert counts[QODER_BASE + "/commits"] == 2  # the export's row count is checked
    assert counts[QODER_BASE + "/commits/detail"] == 4
    # 450 changes in pages of 200 over 2 windows.
    assert counts[QODER_BASE + "/changes"] in (3, 4)


def test_a_rerun_reads_only_from_the_checkpoint(team, upstream):
    sync(upstream, "qoder", *FAST)
    upstream.log.clear()
    out, _ = sync(upstream, "qoder", *FAST)
    assert "0 created, 0 updated" in out
    # One window per stream: the commits' count, export and the details of the commits in
    # the overlap (3 h by default for Qoder), the changes' page.
    assert upstream.counts() == {
        QODER_BASE + "/commits": 1,
        QODER_BASE + "/commits/export": 1,
        QODER_BASE + "/commits/detail": 1,
        QODER_BASE + "/changes": 1,
    }
    states = SyncState.objects.filter(team=team, source="qoder")
    assert {s.stream for s in states} == {"commits", "changes"}


def test_it_needs_the_organization(team, upstream):
    with pytest.raises(CommandError, match="--organization"):
        sync(upstream, "qoder", "--max-rpm", "0")
