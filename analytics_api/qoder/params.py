"""Validated query/body parameters of the Qoder endpoints; every 400 names the parameter."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from analytics_api.errors import ApiError
from analytics_api.paging import parse_paging, positive_int
from analytics_api.query import MAX_HASH_LENGTH, date_param, has_control
from teams.models import normalize_email
from tracking.models import Source
from tracking.reads import Filters, Who

MAX_METRIC_RANGE = timedelta(days=90)
TRACKING_LOOKBACK = timedelta(days=90)
RANKING_DEFAULT, RANKING_MAX = 10, 100
REPOS_PAGE_DEFAULT, REPOS_PAGE_MAX = 30, 100
TRACKING_PAGE_DEFAULT, TRACKING_PAGE_MAX = 100, 200
MAX_HASHES = 50
METRIC_DATES = ("start_date", "end_date")
TRACKING_DATES = ("startDate", "endDate")


def text(value: str, *, name: str) -> str:
    """A stripped text value; control characters are a 400 (PostgreSQL rejects NUL in text), and
    so is text that is not valid Unicode (a lone surrogate from JSON's "\\ud800")."""
    # Checked before stripping: "a\r" is refused, not quietly read as "a".
    if has_control(value):
        raise ApiError(f"{name} must not contain control characters.")
    value = value.strip()
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(f"{name} must be valid Unicode text (no unpaired surrogates).") from None
    return value


def _text(query, name: str) -> str | None:
    return text(query.get(name, ""), name=name) or None


def parse_uuid(value: str, *, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.strip(" "))
    except (ValueError, AttributeError):
        raise ApiError(f"{name} must be a UUID, got {value[:60]!r}.") from None


def _check_order(start, end, *, start_name: str, end_name: str | None) -> None:
    """start <= end; `end_name` None means the client sent no end and it defaulted to now."""
    if start is not None and end is not None and start > end:
        if end_name is None:
            raise ApiError(f"{start_name} is after the end of the range (now).")
        raise ApiError(f"{start_name} must not be after {end_name}.")


def _boolean(query, name: str) -> bool:
    value = query.get(name, "").strip(" ").lower()
    if value in ("", "false", "0"):
        return False
    if value in ("true", "1"):
        return True
    raise ApiError(f"{name} must be true or false, got {value!r}.")


def normalize_extension(value: str) -> str:
    """`.GO`, `go` and ` .go ` all mean `.go`, the stored form."""
    value = value.strip().lower()
    return value if value.startswith(".") else f".{value}"


def _extensions(query) -> tuple[str, ...]:
    raw = _text(query, "file_extensions") or ""
    parts = (part for part in raw.split(",") if part.strip())
    return tuple(sorted({normalize_extension(part) for part in parts}))


def metric_filters(query, *, now: datetime, dates_required: bool) -> Filters:
    """The common metrics parameters: dates (required and at most 90 days where the seed says)."""
    start = date_param(query, "start_date", now=now, is_end=False)
    end = date_param(query, "end_date", now=now, is_end=True)
    if dates_required:
        for name, value in (("start_date", start), ("end_date", end)):
            if value is None:
                raise ApiError(f"{name} is required (RFC 3339 or Unix milliseconds).")
    _check_order(start, end, start_name="start_date", end_name="end_date")
    if start is not None and end is not None and end - start > MAX_METRIC_RANGE:
        raise ApiError("start_date to end_date spans more than 90 days.")
    user_id = query.get("user_id", "").strip(" ")
    return Filters(
        start=start,
        end=end,
        who=Who(uuid=parse_uuid(user_id, name="user_id")) if user_id else None,
        repo_name=_text(query, "repo_name"),
        primary_branch_only=_boolean(query, "primary_branch_only"),
        file_extensions=_extensions(query),
    )


@dataclass(frozen=True)
class RankingParams:
    filters: Filters
    limit: int


def ranking_params(query, *, now: datetime) -> RankingParams:
    limit = positive_int(query, "limit", default=RANKING_DEFAULT)
    if limit > RANKING_MAX:  # a 400, not clamped (unlike page sizes)
        raise ApiError(f"limit must be from 1 to {RANKING_MAX}, got {str(limit)[:50]}.")
    return RankingParams(metric_filters(query, now=now, dates_required=True), limit)


@dataclass(frozen=True)
class RepoParams:
    filters: Filters
    query: str | None
    page: int
    per_page: int


def repo_params(query, *, now: datetime) -> RepoParams:
    page, per_page = parse_paging(
        query, default_size=REPOS_PAGE_DEFAULT, max_size=REPOS_PAGE_MAX, size_param="per_page"
    )
    return RepoParams(
        filters=metric_filters(query, now=now, dates_required=False),
        query=_text(query, "query"),
        page=page,
        per_page=per_page,
    )


@dataclass(frozen=True)
class TrackingParams:
    filters: Filters
    page: int
    page_size: int


def tracking_params(query, *, now: datetime, with_source: bool) -> TrackingParams:
    """Tracking parameters: without startDate, look back 90 days; endDate defaults to now."""
    start = date_param(query, "startDate", now=now, is_end=False)
    sent_end = date_param(query, "endDate", now=now, is_end=True)
    end = sent_end or now
    start = start or _lookback(end)
    _check_order(start, end, start_name="startDate", end_name="endDate" if sent_end else None)
    user_id = query.get("userId", "").strip(" ")
    page, page_size = parse_paging(
        query, default_size=TRACKING_PAGE_DEFAULT, max_size=TRACKING_PAGE_MAX
    )
    email = normalize_email(_text(query, "userEmail") or "")
    # userId wins over userEmail when both are given (seed).
    who = Who(uuid=parse_uuid(user_id, name="userId")) if user_id else None
    filters = Filters(
        start=start,
        end=end,
        who=who or (Who(email=email) if email else None),
        repo_name=None if with_source else _text(query, "repoName"),
        source=_source(query) if with_source else None,
    )
    return TrackingParams(filters, page, page_size)


def _lookback(end: datetime) -> datetime:
    try:
        return end - TRACKING_LOOKBACK
    except OverflowError:  # an endDate in the first days of year 1
        return datetime.min.replace(tzinfo=UTC)


def _source(query) -> str | None:
    value = query.get("source", "").strip(" ").upper()
    if not value:
        return None
    if value not in Source.values:
        allowed = "|".join(Source.values)
        raise ApiError(f"source must be one of {allowed}, got {query.get('source')!r}.")
    return value


@dataclass(frozen=True)
class DetailParams:
    hashes: tuple[str, ...]
    branch: str | None


def detail_params(body) -> DetailParams:
    """POST commits/detail body: commitHashes, a list of 1 to 50 strings; optional branch."""
    if not isinstance(body, dict):
        raise ApiError("The body must be a JSON object with commitHashes.")
    hashes = body.get("commitHashes")
    if not isinstance(hashes, list) or not all(isinstance(h, str) for h in hashes):
        raise ApiError("commitHashes must be a list of commit hash strings.")
    if not 1 <= len(hashes) <= MAX_HASHES:
        raise ApiError(f"commitHashes must hold 1 to {MAX_HASHES} hashes, got {len(hashes)}.")
    hashes = [_commit_hash(h) for h in hashes]
    branch = body.get("branch")
    if branch is not None and not isinstance(branch, str):
        raise ApiError("branch must be a string.")
    return DetailParams(tuple(hashes), text(branch or "", name="branch") or None)


def _commit_hash(value: str) -> str:
    """A stripped, non-empty hash of at most 64 characters, answered as sent (looked up in
    query.stored_hash's form)."""
    value = text(value, name="commitHashes")
    if not value:
        raise ApiError("commitHashes must not contain an empty or blank hash.")
    if len(value) > MAX_HASH_LENGTH:
        raise ApiError(
            f"commitHashes: a hash has at most {MAX_HASH_LENGTH} characters, got {len(value)}."
        )
    return value
