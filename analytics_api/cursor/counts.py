"""Exact totalCount, and deep pages, of a big team's window without reading millions of rows
on every request.

Optimization: on a big table (PostgreSQL planner estimate of MIN_TABLE_ROWS or more) the
team-wide count of a window is answered from the team's hourly counts (tracking.models.HourCount),
which every write keeps current in its own transaction (tracking/rollups.py).

    count(start..end) = exact count of the partial first hour
                      + sum of the histogram's whole hours
                      + exact count of the partial last hour

The two edge counts are index range scans of at most an hour of rows each, so the figure is
exact for any window, relative ones (`90d`, `now`) included, and current: a write moves the
counts in its own transaction, so nothing is rebuilt after it (before the rollups, the first
page after any write rebuilt a histogram: 3.6-4.2 s per worker at 10M changes). Filtered counts
(`user`) and small tables are counted directly: an index range scan of one member's rows is
cheap.

The same running totals place any offset within one hour (HourlyWindow.seek), so page 1,000
skips at most an hour of rows instead of a million. docs/benchmark.md has the measurements.
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import QuerySet

from tracking.models import HourCount

HOUR = timedelta(hours=1)
MICROSECOND = timedelta(microseconds=1)
MIN_TABLE_ROWS = 1_000_000
ESTIMATE_TTL = 300.0
_estimates: dict[str, tuple[float, float]] = {}  # table -> (checked at, planner row estimate)


@dataclass(frozen=True)
class HourlyWindow:
    """A window of a big team's rows seen through the hourly histogram: `head` rows in the
    partial first hour [start, first), whole hours [first, last) from the histogram, `tail`
    rows in the partial last hour [last, stop)."""

    first: datetime
    last: datetime
    head: int
    tail: int
    hours: list[datetime]
    totals: list[int]

    def _index(self, moment: datetime) -> int:
        return bisect.bisect_left(self.hours, moment)

    @property
    def total(self) -> int:
        whole = self.totals[self._index(self.last)] - self.totals[self._index(self.first)]
        return self.head + whole + self.tail

    def seek(self, offset: int) -> tuple[datetime | None, int]:
        """(bound, rest): the rows at `offset` onwards (newest first) are the rows before
        `bound` (exclusive) from `rest` onwards, with rest < one hour of rows, so a deep page
        skips at most an hour of index entries. bound None: no skipping possible."""
        if offset < self.tail:
            return None, offset
        lo, hi = self._index(self.first), self._index(self.last)
        # newer(hours[i]) = tail + totals[hi] - totals[i]: the smallest i with newer <= offset.
        i = bisect.bisect_left(self.totals, self.tail + self.totals[hi] - offset, lo, hi)
        bound = self.hours[i] if i < hi else self.last
        return bound, offset - (self.tail + self.totals[hi] - self.totals[i])


def hourly_window(
    *, base: QuerySet, team, start: datetime, end: datetime, label: str
) -> HourlyWindow | None:
    """The window start..end (both inclusive, as the lists filter) of `base` (the team's rows
    with every filter but the window), or None where a plain count is as cheap: small tables,
    windows within an hour or two."""
    if not big_table(base.model._meta.db_table):
        return None
    stop = end + MICROSECOND  # exclusive from here on
    first, last = _ceil_hour(start), _floor_hour(stop)
    if first >= last:
        return None
    hours, totals = histogram(base=base, team=team, label=label)
    head, tail = _exact(base, start, first), _exact(base, last, stop)
    return HourlyWindow(first, last, head, tail, hours, totals)


def window_count(*, base: QuerySet, team, start: datetime, end: datetime, label: str) -> int:
    window = hourly_window(base=base, team=team, start=start, end=end, label=label)
    if window is None:
        return base.filter(created_at__gte=start, created_at__lte=end).count()
    return window.total


def histogram(*, base: QuerySet, team, label: str) -> tuple[list[datetime], list[int]]:
    """(hours, running totals): totals[i] = rows in the hours before hours[i], from the hourly
    counts every write keeps current (tracking/rollups.py): exact, and no rebuild when data
    arrives. The counts are of all commits, or of accepted changes: what `base` holds."""
    kind = {"Commit": "commits", "Change": "changes"}[base.model.__name__]
    rows = (
        HourCount.objects.filter(team=team, kind=kind, n__gt=0)
        .order_by("hour")
        .values_list("hour", "n")
    )
    hours, totals = [], [0]
    for hour, n in rows:
        hours.append(hour)
        totals.append(totals[-1] + n)
    return hours, totals


def big_table(table: str) -> bool:
    """Whether the table holds at least MIN_TABLE_ROWS rows by the planner's estimate
    (PostgreSQL's pg_class.reltuples, re-read every ESTIMATE_TTL seconds). Other databases
    have no cheap estimate: only MIN_TABLE_ROWS = 0 (tests) turns the histogram on there."""
    if MIN_TABLE_ROWS <= 0:
        return True
    if connection.vendor != "postgresql":
        return False
    checked, rows = _estimates.get(table, (0.0, 0.0))
    if time.monotonic() - checked > ESTIMATE_TTL:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            row = cursor.fetchone()
        rows = float(row[0]) if row else 0.0
        _estimates[table] = (time.monotonic(), rows)
    return rows >= MIN_TABLE_ROWS


def _exact(base: QuerySet, start: datetime, stop: datetime) -> int:
    return base.filter(created_at__gte=start, created_at__lt=stop).count()


def _floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _ceil_hour(moment: datetime) -> datetime:
    floor = _floor_hour(moment)
    return floor if floor == moment else floor + HOUR
