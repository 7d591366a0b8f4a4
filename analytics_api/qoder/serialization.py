"""Rendering the Qoder dialect: field names, order and formats exactly as the seed shows them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from math import ceil

from django.db.models import QuerySet

from tracking import catalog
from tracking.figures import NON_AI_ADDED, NON_AI_DELETED, rate
from tracking.formats import QODER_CHANGE_CSV_HEADER as CHANGE_CSV_HEADER  # noqa: F401
from tracking.formats import QODER_CHANGE_KEYS as CHANGE_JSON_KEYS
from tracking.formats import QODER_COMMIT_CSV_HEADER as COMMIT_CSV_HEADER  # noqa: F401
from tracking.formats import QODER_COMMIT_KEYS as COMMIT_JSON_KEYS
from tracking.models import AI_PAIRS

# The database columns of the tracking rows, in the order the row functions below unpack them.
COMMIT_COLUMNS = (
    "commit_hash",
    "member__uuid",
    "member__email",
    "member__display_name",
    "repo_name",
    "branch_name",
    "is_primary_branch",
    "total_lines_added",
    "total_lines_deleted",
    *(f"{p}_lines_{kind}" for p in AI_PAIRS for kind in ("added", "deleted")),
    "non_ai_added",
    "non_ai_deleted",
    "message",
    "commit_ts",
    "created_at",
)
CHANGE_COLUMNS = (
    "change_id",
    "member__uuid",
    "member__email",
    "source",
    "model",
    "total_lines_added",
    "total_lines_deleted",
    "metadata",
    "created_at",
)
# Optimization: the CSV export has no metadata column, so it skips reading (and decoding) it.
CHANGE_CSV_COLUMNS = tuple(name for name in CHANGE_COLUMNS if name != "metadata")
DETAIL_COLUMNS = ("commit_hash", "range_annotations")


def commit_rows(qs: QuerySet) -> QuerySet:
    return qs.annotate(non_ai_added=NON_AI_ADDED, non_ai_deleted=NON_AI_DELETED).values_list(
        *COMMIT_COLUMNS
    )


def change_rows(qs: QuerySet) -> QuerySet:
    return qs.values_list(*CHANGE_COLUMNS)


def change_csv_rows(qs: QuerySet) -> QuerySet:
    return qs.values_list(*CHANGE_CSV_COLUMNS)


def qoder_time(value: datetime | None) -> str | None:
    """ISO 8601 UTC, seconds precision, `Z` (API.md section 3)."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def qoder_day(value: date) -> str:
    return f"{value.isoformat()}T00:00:00Z"


# --- metrics --------------------------------------------------------------------------------


def overview(stats: dict) -> dict:
    """stats/overview: the catalog's Qoder measures (tracking/catalog.py QODER_OVERVIEW)."""
    return catalog.qoder_overview(stats)


def days_between(start: datetime, end: datetime) -> list[date]:
    """Every UTC calendar day from start's to end's, so charts have no holes."""
    first, last = start.astimezone(UTC).date(), end.astimezone(UTC).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def daily_trend(days: list[date], commits: dict, extensions: dict, nexts: dict) -> dict:
    return {
        "items": [_commit_day(day, commits.get(day)) for day in days],
        "extItems": _extension_days(days, extensions),
        "nextItems": [_next_day(day, nexts.get(day)) for day in days],
    }


def _commit_day(day: date, row: dict | None) -> dict:
    ai, other, commits = (row["ai"], row["other"], row["commits"]) if row else (0, 0, 0)
    return {
        "date": qoder_day(day),
        "aiLinesAdded": ai,
        "otherLinesAdded": other,
        "aiShareRate": rate(ai, ai + other),
        "commitCount": commits,
    }


def _extension_days(days: list[date], extensions: dict) -> list[dict]:
    """Every day x every extension seen in the range, zeros where that day had none."""
    seen = sorted({extension for _day, extension in extensions})
    items = []
    for day in days:
        for extension in seen:
            row = extensions.get((day, extension)) or {"total": 0, "ai": 0}
            items.append(
                {
                    "date": qoder_day(day),
                    "fileExtension": extension,
                    "totalLinesAdded": row["total"],
                    "aiLinesAdded": row["ai"],
                }
            )
    return items


def _next_day(day: date, row: dict | None) -> dict:
    suggested, accepted = (row["suggested"], row["accepted"]) if row else (0, 0)
    return {
        "date": qoder_day(day),
        "nextSuggestedCount": suggested,
        "nextAcceptedCount": accepted,
        "nextAcceptRate": rate(accepted, suggested),
    }


def ranking_item(row: dict) -> dict:
    return {
        "userId": str(row["user_id"]),
        "email": row["email"],
        "displayName": row["display_name"],
        "totalLinesAdded": row["total"],
        "aiLinesAdded": row["ai"],
        "aiShareRate": rate(row["ai"], row["total"]),
        "commitCount": row["commits"],
    }


def repo_item(row: dict) -> dict:
    return {
        "repoName": row["repo_name"],
        "commitCount": row["commits"],
        "totalLinesAdded": row["total"],
    }


def extension_item(row: dict) -> dict:
    return {
        "extension": row["extension"],
        "changeCount": row["changes"],
        "totalLinesAdded": row["total"],
        "aiShareRate": rate(row["ai"], row["total"]),
    }


# --- tracking -------------------------------------------------------------------------------


def tracking_page(items: list[dict], page: int, page_size: int, total: int) -> dict:
    """One page of a tracking list in the seed's envelope."""
    pagination = {
        "currentPage": page,
        "pageSize": page_size,
        "totalItems": total,
        "totalPages": ceil(total / page_size),
    }
    return {"success": True, "data": {"items": items, "pagination": pagination}}


def commit_item(row: tuple) -> dict:
    """One COMMIT_COLUMNS row as the seed's JSON item."""
    commit_hash, user_uuid, email, _name, *middle, message, commit_ts, created_at = row
    values = [commit_hash, str(user_uuid), email, *middle, message]
    values += [qoder_time(commit_ts), qoder_time(created_at)]
    return dict(zip(COMMIT_JSON_KEYS, values, strict=True))


def commit_csv_row(row: tuple) -> list:
    commit_hash, user_uuid, email, name, *middle, message, commit_ts, created_at = row
    values = [commit_hash, str(user_uuid), email, name, *middle, message]
    return [*values, qoder_time(commit_ts), qoder_time(created_at)]


def change_item(row: tuple) -> dict:
    """One CHANGE_COLUMNS row as the seed's JSON item."""
    change_id, user_uuid, email, *middle, metadata, created_at = row
    values = [change_id, str(user_uuid), email, *middle, metadata or [], qoder_time(created_at)]
    return dict(zip(CHANGE_JSON_KEYS, values, strict=True))


def change_csv_row(row: tuple) -> list:
    """One CHANGE_CSV_COLUMNS row as CSV cells."""
    change_id, user_uuid, email, *middle, created_at = row
    return [change_id, str(user_uuid), email, *middle, qoder_time(created_at)]


def range_annotations(rows: list[tuple]) -> dict[str, list]:
    """DETAIL_COLUMNS rows -> hash: range annotations; a hash stored in several repositories
    gets all of theirs, in the rows' (id) order."""
    found: dict[str, list] = {}
    for commit_hash, file_annotations in rows:
        found.setdefault(commit_hash, []).extend(file_annotations or [])
    return found
