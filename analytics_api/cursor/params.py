"""The query parameters of the Cursor endpoints, validated into tracking's Filters and frozen
dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from analytics_api.errors import ApiError
from analytics_api.paging import parse_paging
from analytics_api.query import MAX_HASH_LENGTH, date_param, has_control
from teams.models import normalize_email
from teams.public_ids import looks_like_member_id, member_id_from_text
from tracking.reads import Filters, Who

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
DEFAULT_WINDOW = timedelta(days=7)
DATE_PARAMS = ("startDate", "endDate")  # both default to a time relative to now


@dataclass(frozen=True)
class ListParams:
    filters: Filters
    page: int
    page_size: int


def parse_filters(query, *, now: datetime) -> Filters:
    # Only spaces are trimmed: a control character (a stray "\r") makes the value invalid.
    start = date_param(query, "startDate", now=now, is_end=False) or now - DEFAULT_WINDOW
    end = date_param(query, "endDate", now=now, is_end=True) or now
    if start > end:
        raise ApiError(
            f"startDate ({_iso(start)}) is after endDate ({_iso(end)}): "
            "startDate must be on or before endDate."
        )
    return Filters(start=start, end=end, who=parse_user(query.get("user")))


def parse_list_params(query, *, now: datetime) -> ListParams:
    filters = parse_filters(query, now=now)
    # The page asked is echoed as asked; the read answers past-the-end pages without an
    # offset query, so no integer type limits it.
    page, page_size = parse_paging(
        query, default_size=DEFAULT_PAGE_SIZE, max_size=MAX_PAGE_SIZE, cap_page=False
    )
    return ListParams(filters=filters, page=page, page_size=page_size)


def parse_user(value: str | None) -> Who | None:
    """`user`: an email, an encoded id (user_...) or a numeric id; blank = no filter.

    Plausible values that name nobody (an unknown email, a user_ id we never issued, a huge
    number) filter to an empty result; anything that cannot be any of the three forms is a 400.
    """
    if has_control(value or ""):
        raise ApiError("Invalid user: it contains control characters.")
    text = (value or "").strip()
    if not text:
        return None
    if "@" in text:
        return Who(email=normalize_email(text))
    if looks_like_member_id(text):
        member_id = member_id_from_text(text)
        return Who(member_id=member_id) if member_id else Who(nobody=True)
    raise ApiError(
        f"Invalid user: {text[:100]!r} is not an email address, an encoded user id (user_...) "
        "or a numeric user id."
    )


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


MAX_DETAIL_HASHES = 50


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
        if len(part) > MAX_HASH_LENGTH or has_control(part):
            raise ApiError(f"Invalid commit hash {part[:70]!r}.")
    branch = query.get("branch") or ""
    if has_control(branch):
        raise ApiError("Invalid branch: it contains control characters.")
    branch = branch.strip()
    return CommitDetailParams(tuple(dict.fromkeys(parts)), branch or None)
