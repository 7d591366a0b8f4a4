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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from common.db import is_postgresql
from tracking import rollups
from tracking.models import HourCount

HOUR = timedelta(hours=1)
MICROSECOND = timedelta(microseconds=1)
MIN_TABLE_ROWS = 1_000_000
ESTIMATE_TTL = 300.0
_estimates: dict[str, tuple[float, float]] = {}  # table -> (checked at, planner row estimate)


@dataclass
class HourlyWindow:
    """A window of a big team's rows seen through the hourly counts: `head` rows in the partial
    first hour [start, first), `whole` rows in the whole hours [first, last), `tail` rows in the
    partial last hour [last, stop). The hours themselves are read only to seek a deep offset:
    page 1 costs one SUM, not ~2,000 rows (24 ms at 90 days)."""

    first: datetime
    last: datetime
    head: int
    tail: int
    whole: int
    load: Callable[[], tuple[list[datetime], list[int]]]  # the window's hours, running totals

    @property
    def total(self) -> int:
        return self.head + self.whole + self.tail

    def seek(self, offset: int) -> tuple[datetime | None, int]:
        """(bound, rest): the rows at `offset` onwards (newest first) are the rows before
        `bound` (exclusive) from `rest` onwards, with rest < one hour of rows, so a deep page
        skips at most an hour of index entries. bound None: no skipping possible."""
        if offset < self.tail:
            return None, offset
        hours, totals = self.load()
        hi = len(hours)
        # newer(hours[i]) = tail + totals[hi] - totals[i]: the smallest i with newer <= offset.
        i = bisect.bisect_left(totals, self.tail + totals[hi] - offset, 0, hi)
        bound = hours[i] if i < hi else self.last
        return bound, offset - (self.tail + totals[hi] - totals[i])


def hourly_window(*, base: QuerySet, team, start: datetime, end: datetime) -> HourlyWindow | None:
    """The window start..end (both inclusive, as the lists filter) of `base` (the team's rows
    with every filter but the window), or None where a plain count is as cheap: small tables,
    windows within an hour or two."""
    if not big_table(base.model._meta.db_table):
        return None
    stop = end + MICROSECOND  # exclusive from here on
    first, last = _ceil_hour(start), _floor_hour(stop)
    if first >= last:
        return None
    hours = _hours(base, team).filter(hour__gte=first, hour__lt=last)
    whole = hours.aggregate(n=Coalesce(Sum("n"), Value(0)))["n"]
    head, tail = _exact(base, start, first), _exact(base, last, stop)
    return HourlyWindow(first, last, head, tail, whole, lambda: _running(hours))


def window_count(*, base: QuerySet, team, start: datetime, end: datetime) -> int:
    window = hourly_window(base=base, team=team, start=start, end=end)
    if window is None:
        return base.filter(created_at__gte=start, created_at__lte=end).count()
    return window.total


def _hours(base: QuerySet, team) -> QuerySet:
    """The team's hourly counts (tracking/rollups.py keeps them current at write time) of what
    `base` holds: all commits, or accepted changes."""
    kind = rollups.KIND_OF_MODEL[base.model.__name__]
    return HourCount.objects.of(team).filter(kind=kind, n__gt=0)


def _running(hours: QuerySet) -> tuple[list[datetime], list[int]]:
    """(hours, running totals): totals[i] = rows in the hours before hours[i]."""
    out, totals = [], [0]
    for hour, n in hours.order_by("hour").values_list("hour", "n"):
        out.append(hour)
        totals.append(totals[-1] + n)
    return out, totals


def big_table(table: str) -> bool:
    """Whether the table holds at least MIN_TABLE_ROWS rows by the planner's estimate
    (PostgreSQL's pg_class.reltuples, re-read every ESTIMATE_TTL seconds). Other databases
    have no cheap estimate: only MIN_TABLE_ROWS = 0 (tests) turns the histogram on there."""
    if MIN_TABLE_ROWS <= 0:
        return True
    if not is_postgresql():
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
