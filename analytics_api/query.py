"""Reading query values, the same way for both dialects: control characters, dates, hashes.

Each 400 names the parameter. The dialects' params modules build their parameter dataclasses
from these (and from paging.py and dates.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from analytics_api.dates import parse_date
from analytics_api.errors import ApiError

MAX_HASH_LENGTH = 64  # Commit.commit_hash's max_length
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_HEX_RE = re.compile(r"^[0-9a-fA-F]+$")


def has_control(value: str) -> bool:
    """Control characters make a value invalid (PostgreSQL rejects NUL in text; a stray "\\r"
    is refused, not quietly stripped)."""
    return bool(_CONTROL_RE.search(value))


def date_param(
    query: Mapping[str, str], name: str, *, now: datetime, is_end: bool
) -> datetime | None:
    """The parameter as an instant (dates.py's forms), None when absent or blank."""
    raw = (query.get(name) or "").strip(" ")
    if not raw:
        return None
    try:
        return parse_date(raw, now=now, is_end=is_end)
    except ValueError as exc:
        raise ApiError(f"Invalid {name}: {exc}") from None


def stored_hash(value: str) -> str:
    """The stored form of a commit hash: hex hashes lower case (git's form, as ingestion
    stores them: tracking.ingest.records), others as sent."""
    return value.lower() if _HEX_RE.match(value) else value
