"""Rendering the Qoder dialect: field names, order and formats exactly as the seed shows them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tracking.formats import QODER_CHANGE_CSV_HEADER as CHANGE_CSV_HEADER  # noqa: F401
from tracking.formats import QODER_CHANGE_KEYS as CHANGE_JSON_KEYS
from tracking.formats import QODER_COMMIT_CSV_HEADER as COMMIT_CSV_HEADER  # noqa: F401
from tracking.formats import QODER_COMMIT_KEYS as COMMIT_JSON_KEYS


def qoder_time(value: datetime | None) -> str | None:
    """ISO 8601 UTC, seconds precision, `Z` (API.md section 3)."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def qoder_day(value: date) -> str:
    return f"{value.isoformat()}T00:00:00Z"


def rate(numerator: int, denominator: int) -> float:
    """A percentage rounded to two decimals; 0 when the denominator is 0 (QODER.md)."""
    if not denominator:
        return 0.0
    return round(100.0 * numerator / denominator, 2)


def commit_item(row: tuple) -> dict:
    """One row of selectors.tracking_commits (COMMIT_FIELDS order) as the seed's JSON item."""
    commit_hash, user_uuid, email, _name, *middle, message, commit_ts, created_at = row
    values = [commit_hash, str(user_uuid), email, *middle, message]
    values += [qoder_time(commit_ts), qoder_time(created_at)]
    return dict(zip(COMMIT_JSON_KEYS, values, strict=True))


def commit_csv_row(row: tuple) -> list:
    commit_hash, user_uuid, email, name, *middle, message, commit_ts, created_at = row
    values = [commit_hash, str(user_uuid), email, name, *middle, message]
    return [*values, qoder_time(commit_ts), qoder_time(created_at)]


def change_item(row: tuple) -> dict:
    """One row of selectors.tracking_changes (CHANGE_FIELDS order) as the seed's JSON item."""
    change_id, user_uuid, email, *middle, metadata, created_at = row
    values = [change_id, str(user_uuid), email, *middle, metadata or [], qoder_time(created_at)]
    return dict(zip(CHANGE_JSON_KEYS, values, strict=True))


def change_csv_row(row: tuple) -> list:
    """One row of selectors.tracking_changes(with_metadata=False) as CSV cells."""
    change_id, user_uuid, email, *middle, created_at = row
    return [change_id, str(user_uuid), email, *middle, qoder_time(created_at)]
