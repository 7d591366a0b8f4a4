"""Reads for the Qoder dialect's tracking endpoints (commits, changes, exports, detail).

The metrics endpoints' figures are the data layer's: tracking/figures.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from teams.models import Team
from tracking.figures import NON_AI_ADDED, NON_AI_DELETED
from tracking.models import AI_PAIRS, Change, Commit

# --- tracking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackingFilters:
    start: datetime
    end: datetime
    user_id: uuid.UUID | None = None
    user_email: str | None = None
    repo_name: str | None = None
    source: str | None = None


def _member_filter(qs: QuerySet, filters: TrackingFilters) -> QuerySet:
    # userId wins over userEmail when both are given (seed).
    if filters.user_id is not None:
        return qs.filter(member__uuid=filters.user_id)
    if filters.user_email:  # normalised by params.tracking_params (teams.normalize_email)
        return qs.filter(member__email=filters.user_email)
    return qs


COMMIT_FIELDS = (
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


def tracking_commits(*, team: Team, filters: TrackingFilters) -> QuerySet:
    """Commits by commit time (createdAt fallback), newest first, id tie-break; as value rows."""
    qs = Commit.objects.filter(
        team=team, occurred_at__gte=filters.start, occurred_at__lte=filters.end
    )
    qs = _member_filter(qs, filters)
    if filters.repo_name:
        qs = qs.filter(repo_name=filters.repo_name)
    return (
        qs.annotate(non_ai_added=NON_AI_ADDED, non_ai_deleted=NON_AI_DELETED)
        .order_by("-occurred_at", "-id")
        .values_list(*COMMIT_FIELDS)
    )


CHANGE_FIELDS = (
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


CHANGE_CSV_FIELDS = tuple(name for name in CHANGE_FIELDS if name != "metadata")


def tracking_changes(
    *, team: Team, filters: TrackingFilters, with_metadata: bool = True
) -> QuerySet:
    """Accepted changes by createdAt, newest first, id tie-break; as value rows.

    Optimization: the CSV export has no metadata column, so it skips reading (and decoding)
    the JSON."""
    qs = Change.objects.filter(
        team=team, accepted=True, created_at__gte=filters.start, created_at__lte=filters.end
    )
    qs = _member_filter(qs, filters)
    if filters.source:
        qs = qs.filter(source=filters.source)
    fields = CHANGE_FIELDS if with_metadata else CHANGE_CSV_FIELDS
    return qs.order_by("-created_at", "-id").values_list(*fields)


EXPORT_BATCH = 10_000


def keyset_rows(qs: QuerySet, *, time_field: str, batch: int = EXPORT_BATCH) -> Iterator[tuple]:
    """Every row of a values_list queryset ordered (-time_field, -id), `batch` rows per query.

    Each batch continues after the last (time, id) seen, through the (team, time DESC, id DESC)
    index: memory stays flat, no transaction or server-side cursor is held while the client
    reads, and no row is read twice.
    """
    fields = (*qs._fields, time_field, "id")
    after = Q()
    while True:
        rows = list(qs.filter(after).values_list(*fields)[:batch])
        yield from (row[:-2] for row in rows)
        if len(rows) < batch:
            return
        last_time, last_id = rows[-1][-2], rows[-1][-1]
        # (time, id) < (last_time, last_id), spelled so the index seeks on `time <=`.
        after = Q(**{f"{time_field}__lte": last_time}) & (
            Q(**{f"{time_field}__lt": last_time}) | Q(id__lt=last_id)
        )


def commit_annotations(*, team: Team, hashes: list[str], branch: str | None) -> dict[str, list]:
    """hash -> range annotations; a hash stored in several repos gets all of theirs, by id."""
    qs = Commit.objects.filter(team=team, commit_hash__in=set(hashes))
    if branch:
        qs = qs.filter(branch_name=branch)
    found: dict[str, list] = {}
    rows = qs.order_by("id").values_list("commit_hash", "range_annotations")
    for commit_hash, file_annotations in rows:
        found.setdefault(commit_hash, []).extend(file_annotations or [])
    return found
