"""The date forms of `startDate`/`endDate` (API.md section 2), as one pure function.

Accepted: an ISO 8601 date or date-time (no offset = UTC; a bare date as an end means the end of
that whole day), `now`, `today`, `yesterday`, `Nd`/`Nh`/`Ns` (now minus N days/hours/seconds),
and Unix timestamps: an all-digit value below 10**11 is seconds, otherwise milliseconds. An
all-digit value is always a timestamp, never a compact ISO date (`20250730` is 1970-08-23).
An instant outside tracking.daterange's supported range is refused, naming the range.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from tracking.daterange import SUPPORTED_RANGE, in_range
from tracking.formats import from_unix

_RELATIVE_RE = re.compile(r"^([0-9]{1,9})([dhs])$", re.IGNORECASE)
_DIGITS_RE = re.compile(r"^[0-9]{1,16}$")
_UNITS = {"d": "days", "h": "hours", "s": "seconds"}
_END_OF_DAY = time(23, 59, 59, 999_999)
_WORDS = ("now", "today", "yesterday")

FORMS = (
    "an ISO 8601 date or date-time, now, today, yesterday, Nd, Nh, Ns, "
    "or a Unix timestamp in seconds or milliseconds"
)


def parse_date(value: str, *, now: datetime, is_end: bool = False) -> datetime:
    """The aware UTC instant `value` names, relative to `now`; ValueError(message) if none."""
    text = value.strip(" ")
    try:
        parsed = _parse(text, now=now.astimezone(UTC), is_end=is_end)
    except (OverflowError, OSError):  # before year 1 or after 9999
        raise ValueError(_outside(value)) from None
    if parsed is None:
        raise ValueError(f"{_shown(value)} is not a date: use {FORMS}.")
    if not in_range(parsed):
        raise ValueError(_outside(value))
    return parsed


def _outside(value: str) -> str:
    return f"{_shown(value)} is outside the supported range, {SUPPORTED_RANGE}."


def _shown(value: str) -> str:
    """The value as the message quotes it: a 5,000-character one is not echoed whole."""
    return (
        repr(value) if len(value) <= 60 else repr(value[:57]) + f"... ({len(value):,} characters)"
    )


def is_relative(value: str) -> bool:
    """Whether `value` moves with the clock (now, today, 7d, ...) rather than naming an instant."""
    text = value.strip(" ").lower()
    return text in _WORDS or bool(_RELATIVE_RE.match(text))


def _parse(text: str, *, now: datetime, is_end: bool) -> datetime | None:
    lowered = text.lower()
    if lowered == "now":
        return now
    if lowered in ("today", "yesterday"):
        day = now.date() - timedelta(days=1 if lowered == "yesterday" else 0)
        return _day_bound(day, is_end=is_end)
    relative = _RELATIVE_RE.match(lowered)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        return now - timedelta(**{_UNITS[unit]: amount})
    if _DIGITS_RE.match(text):
        return from_unix(int(text))
    return _from_iso(text, is_end=is_end)


def _from_iso(text: str, *, is_end: bool) -> datetime | None:
    try:
        return _day_bound(date.fromisoformat(text), is_end=is_end)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _day_bound(day: date, *, is_end: bool) -> datetime:
    return datetime.combine(day, _END_OF_DAY if is_end else time.min, tzinfo=UTC)
