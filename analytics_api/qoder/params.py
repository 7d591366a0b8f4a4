"""Validated query/body parameters of the Qoder endpoints; every 400 names the parameter."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from analytics_api.dates import is_relative, parse_date
from analytics_api.errors import ApiError
from analytics_api.paging import parse_paging, positive_int
from teams.models import Team, normalize_email
from tracking.figures import MetricFilters
from tracking.models import Source

from .selectors import TrackingFilters

MAX_METRIC_RANGE = timedelta(days=90)
TRACKING_LOOKBACK = timedelta(days=90)
RANKING_DEFAULT, RANKING_MAX = 10, 100
REPOS_PAGE_DEFAULT, REPOS_PAGE_MAX = 30, 100
TRACKING_PAGE_DEFAULT, TRACKING_PAGE_MAX = 100, 200
MAX_HASHES = 50
MAX_HASH_LENGTH = 64  # Commit.commit_hash's max_length
_HEX_RE = re.compile(r"^[0-9a-fA-F]+$")


def check_organization(value: str, *, team: Team) -> None:
    """The path's organization_id must be the key's team UUID: 400 malformed, 403 otherwise."""
    organization = parse_uuid(value, name="organization_id")
    if organization != team.uuid:
        raise ApiError(
            f"This API key has no access to organization {organization}.", status_code=403
        )


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def text(value: str, *, name: str) -> str:
    """A stripped text value; control characters are a 400 (PostgreSQL rejects NUL in text), and
    so is text that is not valid Unicode (a lone surrogate from JSON's "\\ud800")."""
    # Checked before stripping: "a\r" is refused, not quietly read as "a".
    if _CONTROL_RE.search(value):
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
        raise ApiError(f"{name} must be a UUID, got {value!r}.") from None


def is_moving(raw: str, *, missing_is_now: bool) -> bool:
    """Whether a date parameter's instant moves with the clock (`7d`, `now`, a default of now)."""
    return is_relative(raw) if raw else missing_is_now


def _date(query, name: str, *, now: datetime, is_end: bool) -> datetime | None:
    value = query.get(name, "").strip(" ")
    if not value:
        return None
    try:
        return parse_date(value, now=now, is_end=is_end)
    except ValueError as exc:
        raise ApiError(f"{name}: {exc}") from None


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


def metric_filters(query, *, now: datetime, dates_required: bool) -> MetricFilters:
    """The common metrics parameters: dates (required and at most 90 days where the seed says)."""
    start = _date(query, "start_date", now=now, is_end=False)
    end = _date(query, "end_date", now=now, is_end=True)
    if dates_required:
        for name, value in (("start_date", start), ("end_date", end)):
            if value is None:
                raise ApiError(f"{name} is required (RFC 3339 or Unix milliseconds).")
    _check_order(start, end, start_name="start_date", end_name="end_date")
    if start is not None and end is not None and end - start > MAX_METRIC_RANGE:
        raise ApiError("start_date to end_date spans more than 90 days.")
    user_id = query.get("user_id", "").strip(" ")
    return MetricFilters(
        start=start,
        end=end,
        user_id=parse_uuid(user_id, name="user_id") if user_id else None,
        repo_name=_text(query, "repo_name"),
        primary_branch_only=_boolean(query, "primary_branch_only"),
        file_extensions=_extensions(query),
    )


@dataclass(frozen=True)
class RankingParams:
    filters: MetricFilters
    limit: int


def ranking_params(query, *, now: datetime) -> RankingParams:
    limit = positive_int(query, "limit", default=RANKING_DEFAULT)
    if limit > RANKING_MAX:  # a 400, not clamped (unlike page sizes)
        raise ApiError(f"limit must be from 1 to {RANKING_MAX}, got {str(limit)[:50]}.")
    return RankingParams(metric_filters(query, now=now, dates_required=True), limit)


@dataclass(frozen=True)
class RepoParams:
    filters: MetricFilters
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
    filters: TrackingFilters
    page: int
    page_size: int


def tracking_params(query, *, now: datetime, with_source: bool) -> TrackingParams:
    """Tracking parameters: without startDate, look back 90 days; endDate defaults to now."""
    start = _date(query, "startDate", now=now, is_end=False)
    sent_end = _date(query, "endDate", now=now, is_end=True)
    end = sent_end or now
    start = start or _lookback(end)
    _check_order(start, end, start_name="startDate", end_name="endDate" if sent_end else None)
    user_id = query.get("userId", "").strip(" ")
    page, page_size = parse_paging(
        query, default_size=TRACKING_PAGE_DEFAULT, max_size=TRACKING_PAGE_MAX
    )
    filters = TrackingFilters(
        start=start,
        end=end,
        user_id=parse_uuid(user_id, name="userId") if user_id else None,
        user_email=normalize_email(_text(query, "userEmail") or "") or None,
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
    """A stripped, non-empty hash of at most 64 characters, answered as sent (lookup_hash)."""
    value = text(value, name="commitHashes")
    if not value:
        raise ApiError("commitHashes must not contain an empty or blank hash.")
    if len(value) > MAX_HASH_LENGTH:
        raise ApiError(
            f"commitHashes: a hash has at most {MAX_HASH_LENGTH} characters, got {len(value)}."
        )
    return value


def lookup_hash(value: str) -> str:
    """The stored form of a hash: hex hashes are stored lower case (git's form), others as is."""
    return value.lower() if _HEX_RE.match(value) else value
