"""Reading editor activity (docs/activity.md): one team's, as plain value tuples, for the
dialect that renders them (Cursor's Admin API pages today, the adoption view next).

Every query starts at `Model.objects.of(team)`, the one team scope (tests/test_layers.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from teams.models import Team
from tracking.ingest.activity import DAILY_SCHEMA
from tracking.models import ActivityDay, Tool, UsageEvent
from tracking.reads import Who

DAILY_COLUMNS = ("day", "member_id", "member__email", "active", "raw")
EVENT_COLUMNS = (
    "occurred_at", "member__email", "model", "kind", "max_mode", "requests_costs",
    "is_token_based", "is_free_bugbot", "raw",
)  # fmt: skip


def cursor_daily_usage(*, team: Team, start: date, end: date) -> list[tuple]:
    """The Cursor day totals of every member from `start` to `end` (UTC days, inclusive), as
    DAILY_COLUMNS, by day then email (none when `start` is after `end`)."""
    rows = ActivityDay.objects.of(team).filter(
        tool=Tool.CURSOR,
        source_schema=DAILY_SCHEMA,
        feature="",
        model="",
        language="",
        ide="",
        day__gte=start,
        day__lte=end,
    )
    return list(rows.order_by("day", "member__email").values_list(*DAILY_COLUMNS))


def usage_event_page(
    *,
    team: Team,
    start: datetime,
    end: datetime,
    who: Sequence[Who] = (),
    columns: Sequence[str] = EVENT_COLUMNS,
    offset: int,
    limit: int,
) -> tuple[list[tuple], int]:
    """(one page of the team's Cursor usage events from `start` to `end` inclusive, newest
    first, the number of events in the window)."""
    events = UsageEvent.objects.of(team).filter(
        tool=Tool.CURSOR, occurred_at__gte=start, occurred_at__lte=end
    )
    for one in who:  # each a filter: an id and an email must name the same member
        events = events.filter(one.resolved(team).q())
    total = events.count()
    if offset >= total:
        return [], total
    page = events.order_by("-occurred_at", "-id")[offset : offset + limit]
    return list(page.values_list(*columns)), total
