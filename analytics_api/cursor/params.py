"""The query parameters of the four Cursor endpoints, validated into frozen dataclasses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from analytics_api.dates import is_relative, parse_date
from analytics_api.errors import ApiError
from analytics_api.paging import parse_paging
from teams.models import normalize_email
from teams.public_ids import looks_like_member_id, member_id_from_text

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
DEFAULT_WINDOW = timedelta(days=7)
# Optimization for ETags of windows that move with the clock (7d, now, defaults): a response
# stays valid for at most this long, then the ETag changes even if no data was written.
RELATIVE_ETAG_BUCKET_SECONDS = 60
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class UserFilter:
    """Exactly one of `email` / `member_id`, or `matches_nobody` for an id no member can have."""

    email: str | None = None
    member_id: int | None = None
    matches_nobody: bool = False


@dataclass(frozen=True)
class Filters:
    start: datetime
    end: datetime
    user: UserFilter | None
    # The dates as given, and whether they move with the clock (for the ETag).
    raw_dates: tuple[str, str]
    relative: bool

    def etag_parts(self, *, now: datetime) -> tuple:
        if self.relative:
            bucket = int(now.timestamp()) // RELATIVE_ETAG_BUCKET_SECONDS
            window: tuple = (*self.raw_dates, bucket)
        else:
            window = (self.start.isoformat(), self.end.isoformat())
        return (*window, self.user)


@dataclass(frozen=True)
class ListParams:
    filters: Filters
    page: int
    page_size: int

    def etag_parts(self, *, now: datetime) -> tuple:
        return (*self.filters.etag_parts(now=now), self.page, self.page_size)


def parse_filters(query, *, now: datetime) -> Filters:
    # Only spaces are trimmed: a control character (a stray "\r") makes the value invalid.
    start_raw = (query.get("startDate") or "").strip(" ")
    end_raw = (query.get("endDate") or "").strip(" ")
    start = (
        _date(start_raw, "startDate", now=now, is_end=False) if start_raw else now - DEFAULT_WINDOW
    )
    end = _date(end_raw, "endDate", now=now, is_end=True) if end_raw else now
    if start > end:
        raise ApiError(
            f"startDate ({_iso(start)}) is after endDate ({_iso(end)}): "
            "startDate must be on or before endDate."
        )
    relative = not start_raw or not end_raw or is_relative(start_raw) or is_relative(end_raw)
    return Filters(
        start=start,
        end=end,
        user=parse_user(query.get("user")),
        raw_dates=(start_raw, end_raw),
        relative=relative,
    )


def parse_list_params(query, *, now: datetime) -> ListParams:
    filters = parse_filters(query, now=now)
    # The page asked is echoed as asked; the selector answers past-the-end pages without an
    # offset query, so no integer type limits it.
    page, page_size = parse_paging(
        query, default_size=DEFAULT_PAGE_SIZE, max_size=MAX_PAGE_SIZE, cap_page=False
    )
    return ListParams(filters=filters, page=page, page_size=page_size)


def parse_user(value: str | None) -> UserFilter | None:
    """`user`: an email, an encoded id (user_...) or a numeric id; blank = no filter.

    Plausible values that name nobody (an unknown email, a user_ id we never issued, a huge
    number) filter to an empty result; anything that cannot be any of the three forms is a 400.
    """
    if _CONTROL_RE.search(value or ""):
        raise ApiError("Invalid user: it contains control characters.")
    text = (value or "").strip()
    if not text:
        return None
    if "@" in text:
        return UserFilter(email=normalize_email(text))
    if looks_like_member_id(text):
        member_id = member_id_from_text(text)
        return UserFilter(member_id=member_id) if member_id else UserFilter(matches_nobody=True)
    raise ApiError(
        f"Invalid user: {text[:100]!r} is not an email address, an encoded user id (user_...) "
        "or a numeric user id."
    )


def _date(raw: str, name: str, *, now: datetime, is_end: bool) -> datetime:
    try:
        return parse_date(raw, now=now, is_end=is_end)
    except ValueError as exc:
        raise ApiError(f"Invalid {name}: {exc}") from None


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


MAX_DETAIL_HASHES = 50
MAX_HASH_LENGTH = 64  # Commit.commit_hash's max_length
_HEX_RE = re.compile(r"^[0-9a-fA-F]+$")


@dataclass(frozen=True)
class CommitDetailParams:
    hashes: tuple[str, ...]  # as sent, in order, without repeats
    branch: str | None


def parse_commit_detail(hashes: str, query) -> CommitDetailParams:
    """`{hash}` or `{hash},{hash},...` (1 to 50), and an optional `branch`."""
    parts = [part.strip(" ") for part in hashes.split(",")]
    if not all(parts):
        raise ApiError("Invalid commit hash: an empty hash in the list.")
    if len(parts) > MAX_DETAIL_HASHES:
        raise ApiError(f"Too many commit hashes: {len(parts)}; at most {MAX_DETAIL_HASHES}.")
    for part in parts:
        if len(part) > MAX_HASH_LENGTH or _CONTROL_RE.search(part):
            raise ApiError(f"Invalid commit hash {part[:70]!r}.")
    branch = query.get("branch") or ""
    if _CONTROL_RE.search(branch):
        raise ApiError("Invalid branch: it contains control characters.")
    branch = branch.strip()
    return CommitDetailParams(tuple(dict.fromkeys(parts)), branch or None)


def stored_hash(value: str) -> str:
    """Hex hashes are stored lower case (tracking.ingest.records._hash)."""
    return value.lower() if _HEX_RE.match(value) else value
