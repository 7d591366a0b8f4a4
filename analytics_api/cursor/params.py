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


# -- Cursor's Admin API: JSON bodies, epoch milliseconds ---------------------------------------

DAY_MS = 86_400_000
MAX_DAILY_USAGE_DAYS = 90  # Cursor: "Date range cannot exceed 90 days"
MAX_EPOCH_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
EVENTS_DEFAULT_WINDOW_MS = 30 * DAY_MS
EVENTS_DEFAULT_PAGE_SIZE = 10  # Cursor's documented default
EVENTS_MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class DailyUsageParams:
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class UsageEventsParams:
    start_ms: int
    end_ms: int
    who: tuple[Who, ...]  # every one must match
    page: int
    page_size: int


def _body(data) -> dict:
    if not isinstance(data, dict):
        raise ApiError(
            f"The body must be a JSON object, got {type(data).__name__}: "
            'e.g. {"startDate": 1710720000000, "endDate": 1710892800000}.'
        )
    return data


def epoch_ms(body: dict, name: str) -> int | None:
    """An epoch-milliseconds body field: a JSON integer (or an integral number, or a string of
    digits, as some clients send it); absent or null is None."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_EPOCH_MS:
        raise ApiError(
            f"Invalid {name}: {str(value)[:60]!r} is not a date in epoch milliseconds "
            "(e.g. 1710720000000)."
        )
    return value


def _ordered(start: int, end: int) -> None:
    if start > end:
        raise ApiError(
            f"startDate ({start}) is after endDate ({end}): startDate must be on or before endDate."
        )


def parse_daily_usage_body(data) -> DailyUsageParams:
    """POST /teams/daily-usage-data: startDate and endDate required, at most 90 days apart.
    Other fields (a client's page/pageSize) are ignored, as unknown parameters are."""
    body = _body(data)
    start, end = epoch_ms(body, "startDate"), epoch_ms(body, "endDate")
    missing = [name for name, v in (("startDate", start), ("endDate", end)) if v is None]
    if missing:
        raise ApiError(f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
                       "required, in epoch milliseconds.")  # fmt: skip
    _ordered(start, end)
    if end - start > MAX_DAILY_USAGE_DAYS * DAY_MS:
        raise ApiError(
            f"Date range cannot exceed {MAX_DAILY_USAGE_DAYS} days (got "
            f"{(end - start) / DAY_MS:.1f} days from startDate to endDate). For longer "
            "periods, make multiple requests."
        )
    return DailyUsageParams(start, end)


def parse_usage_events_body(data, *, now_ms: int) -> UsageEventsParams:
    """POST /teams/filtered-usage-events: every field optional (endDate: now, startDate: 30
    days before endDate, page 1, pageSize 10 up to 1000); userId and email filter to one
    member (both: the member must be both)."""
    body = _body(data)
    end = epoch_ms(body, "endDate")
    start = epoch_ms(body, "startDate")
    end = now_ms if end is None else end
    start = max(0, end - EVENTS_DEFAULT_WINDOW_MS) if start is None else start
    _ordered(start, end)
    page = _positive(body, "page", 1)
    page_size = min(_positive(body, "pageSize", EVENTS_DEFAULT_PAGE_SIZE), EVENTS_MAX_PAGE_SIZE)
    return UsageEventsParams(start, end, _event_user(body), page, page_size)


def _positive(body: dict, name: str, default: int) -> int:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ApiError(f"Invalid {name}: {str(value)[:60]!r} is not an integer of at least 1.")
    return value


def _event_user(body: dict) -> tuple[Who, ...]:
    """`userId` (the member's `id` in /teams/members, or user_...) and `email`: each a filter,
    both given, the member must be both."""
    user_id, email = body.get("userId"), body.get("email")
    out = []
    if user_id is not None:
        if isinstance(user_id, bool) or not isinstance(user_id, int | str):
            raise ApiError(f"Invalid userId: {str(user_id)[:60]!r} is not a user id.")
        text = str(user_id).strip()
        if text.isdigit():
            out.append(Who(member_id=int(text)) if len(text) <= 18 else Who(nobody=True))
        elif looks_like_member_id(text) and not has_control(text):
            out.append(parse_user(text))
        else:
            raise ApiError(f"Invalid userId: {text[:60]!r} is not a user id.")
    if email is not None:
        if not isinstance(email, str) or has_control(email) or "@" not in email:
            raise ApiError(f"Invalid email: {str(email)[:60]!r} is not an email address.")
        out.append(Who(email=normalize_email(email)))
    return tuple(out)
