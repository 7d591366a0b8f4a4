"""The one range of instants the service stores and answers for, records and windows alike.

From the Unix epoch (ingest already reads Unix timestamps from 0; git has no earlier commits) to
9999-12-30, a day short of Python's and PostgreSQL's common last day: the summary tables and
the figures step a day (or an hour) past a record's or a window's edge (the next day of a
window's partial first day, the hour bucket after a record), and on 9999-12-31 that step is
year 10000, an OverflowError. Every door refuses what lies outside, naming the range: the
ingest validation (tracking/ingest/fields.py), the API's date parameters
(analytics_api/dates.py) and the dashboard's filters.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(9999, 12, 30)
EARLIEST = datetime.combine(EARLIEST_DAY, time.min, tzinfo=UTC)
LATEST = datetime.combine(LATEST_DAY, time.max, tzinfo=UTC)  # 23:59:59.999999
SUPPORTED_RANGE = "1970-01-01T00:00:00Z to 9999-12-30T23:59:59.999999Z (UTC)"


def in_range(value: datetime | date) -> bool:
    """Whether an aware instant (or a day) lies in the supported range."""
    if isinstance(value, datetime):
        return EARLIEST <= value <= LATEST
    return EARLIEST_DAY <= value <= LATEST_DAY
