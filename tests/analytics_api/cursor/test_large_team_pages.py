"""The paths the Cursor lists take on big teams give the same answers as the plain ones.

- totalCount from the hourly counts (tracking/counts.py, kept at write time) is exact.
- Offsets placed through the hourly counts (HourlyWindow.seek) land on the same row as OFFSET.
- Deep pages read with a deferred join hold the same rows as the plain OFFSET query.

Both are used on big tables and deep offsets only; these tests force them on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import ChangeFactory, CommitFactory
from tracking import counts, reads
from tracking.models import Change, Commit

BASE = datetime(2025, 7, 30, 9, 0, tzinfo=UTC)
# Rows on hour boundaries, just before and after them, and inside hours, over three days.
OFFSETS = [timedelta(minutes=m, microseconds=us) for m in range(0, 72 * 60, 97)
           for us in (0, 1, 999_999)]  # fmt: skip


@pytest.fixture(autouse=True)
def hourly_counts_on(monkeypatch):
    monkeypatch.setattr(counts, "MIN_TABLE_ROWS", 0)


@pytest.fixture
def records(team, owner):
    for offset in OFFSETS:
        CommitFactory(team=team, member=owner, created_at=BASE + offset)
        ChangeFactory(team=team, member=owner, created_at=BASE + offset)
    ChangeFactory(team=team, member=owner, created_at=BASE + timedelta(hours=5), accepted=False)
    team.bump_data_version()
    team.refresh_from_db()


WINDOWS = [
    (BASE, BASE + timedelta(days=3)),  # everything, starting on an hour
    (BASE - timedelta(days=30), BASE + timedelta(days=30)),  # wider than the data
    (BASE + timedelta(minutes=1), BASE + timedelta(hours=50, minutes=59)),  # partial edges
    (BASE + timedelta(hours=2), BASE + timedelta(hours=3)),  # one whole hour plus its end
    (BASE + timedelta(hours=2), BASE + timedelta(hours=3) - timedelta(microseconds=1)),
    (BASE + timedelta(minutes=97), BASE + timedelta(minutes=97)),  # a single instant
    (BASE + timedelta(hours=10, minutes=5), BASE + timedelta(hours=10, minutes=50)),  # in 1 hour
    (BASE + timedelta(days=10), BASE + timedelta(days=11)),  # no rows
]


@pytest.mark.parametrize(("start", "end"), WINDOWS)
@pytest.mark.parametrize("model", [Commit, Change])
def test_hourly_count_equals_a_plain_count(team, records, model, start, end):
    base = model.objects.filter(team=team)
    if model is Change:
        base = base.filter(accepted=True)
    got = counts.window_count(base=base, team=team, start=start, end=end)
    assert got == base.filter(created_at__gte=start, created_at__lte=end).count()


@pytest.mark.parametrize(("start", "end"), WINDOWS)
@pytest.mark.parametrize("model", [Commit, Change])
def test_every_offset_placed_by_the_hourly_counts_lands_on_the_same_row(
    team, records, model, start, end
):
    base = model.objects.filter(team=team)
    if model is Change:
        base = base.filter(accepted=True)
    window = counts.hourly_window(base=base, team=team, start=start, end=end)
    in_window = reads.newest_first(base.filter(created_at__gte=start, created_at__lte=end))
    plain = list(in_window.values_list("id", flat=True))
    if window is None:  # a window within an hour or two is counted directly
        assert end - start < timedelta(hours=2)
        return
    assert window.total == len(plain)
    for offset in range(len(plain)):
        bound, rest = window.seek(offset)
        seeked = in_window if bound is None else in_window.filter(created_at__lt=bound)
        assert seeked.values_list("id", flat=True)[rest] == plain[offset], offset


def test_a_write_that_bumps_data_version_is_counted(team, owner, records):
    base = Change.objects.filter(team=team, accepted=True)
    start, end = BASE, BASE + timedelta(days=3)
    before = counts.window_count(base=base, team=team, start=start, end=end)
    ChangeFactory(team=team, member=owner, created_at=BASE + timedelta(hours=30))
    team.bump_data_version()
    team.refresh_from_db()
    assert counts.window_count(base=base, team=team, start=start, end=end) == before + 1


def test_the_api_answers_the_exact_total_count_from_the_hourly_counts(api, records):
    response = api.get(
        "/analytics/ai-code/changes",
        {"startDate": "2025-07-30T09:30:00Z", "endDate": "2025-08-01T12:00:00Z", "pageSize": 5},
    )
    exact = Change.objects.filter(
        accepted=True,
        created_at__gte=datetime(2025, 7, 30, 9, 30, tzinfo=UTC),
        created_at__lte=datetime(2025, 8, 1, 12, 0, tzinfo=UTC),
    ).count()
    assert response.status_code == 200
    assert response.json()["totalCount"] == exact
    assert len(response.json()["items"]) == 5


@pytest.mark.parametrize("path", ["/analytics/ai-code/commits", "/analytics/ai-code/changes"])
@pytest.mark.parametrize("user", [None, "owner@acme.example"])
def test_hourly_counts_and_deferred_join_pages_hold_the_same_rows_as_plain_pages(
    api, records, monkeypatch, teammate, path, user
):
    CommitFactory(team=teammate.team, member=teammate, created_at=BASE + timedelta(hours=1))
    ChangeFactory(team=teammate.team, member=teammate, created_at=BASE + timedelta(hours=1))
    teammate.team.bump_data_version()
    query = {"startDate": "2025-07-29", "endDate": "2025-08-03", "pageSize": 7}
    if user:
        query["user"] = user

    def pages():
        items, page = [], 1
        while batch := api.get(path, {**query, "page": page}).json()["items"]:
            items += batch
            page += 1
        return items

    with_hourly_counts = pages()
    monkeypatch.setattr(reads, "DEFERRED_JOIN_MIN_OFFSET", 1)
    assert pages() == with_hourly_counts
    monkeypatch.setattr(counts, "MIN_TABLE_ROWS", 10**12)  # the plain path: COUNT and OFFSET
    monkeypatch.setattr(reads, "DEFERRED_JOIN_MIN_OFFSET", 10**12)
    plain = pages()
    assert with_hourly_counts == plain
    assert len(plain) == len(OFFSETS) + (0 if user else 1)
