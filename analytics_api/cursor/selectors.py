"""Reads of the Cursor dialect: every function takes `team=` and the validated filters.

Lists and exports are filtered on createdAt (inclusive at both ends) and ordered newest first
with the id as tie-break, matching the (team, created_at DESC, id DESC) indexes. Rows are plain
value tuples (member email through a join in the same query), never model instances.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from analytics_api.cursor.params import Filters
from analytics_api.cursor.serialization import (
    CHANGE_COLUMNS,
    CHANGE_FIELDS,
    COMMIT_COLUMNS,
    COMMIT_FIELDS,
    PublicIds,
    as_json,
    change_cells,
    commit_cells,
)
from teams.models import Team
from tracking.models import Change, Commit

EXPORT_BATCH = 10_000
ORDER = ("-created_at", "-id")


@dataclass(frozen=True)
class Page:
    items: list[dict]
    total_count: int


def commit_queryset(*, team: Team, filters: Filters) -> QuerySet:
    return _filtered(Commit.objects.filter(team=team), filters)


def change_queryset(*, team: Team, filters: Filters) -> QuerySet:
    return _filtered(Change.objects.filter(team=team, accepted=True), filters)


def commit_list(*, team: Team, filters: Filters, page: int, page_size: int) -> Page:
    rows, total = _page(
        commit_queryset(team=team, filters=filters), COMMIT_COLUMNS, page, page_size
    )
    ids = PublicIds()
    return Page([as_json(COMMIT_FIELDS, commit_cells(r, ids)) for r in rows], total)


def change_list(*, team: Team, filters: Filters, page: int, page_size: int) -> Page:
    rows, total = _page(
        change_queryset(team=team, filters=filters), CHANGE_COLUMNS, page, page_size
    )
    ids = PublicIds()
    return Page([as_json(CHANGE_FIELDS, change_cells(r, ids)) for r in rows], total)


def commit_export_cells(*, team: Team, filters: Filters) -> Iterator[tuple]:
    ids = PublicIds()
    for row in keyset_rows(commit_queryset(team=team, filters=filters), COMMIT_COLUMNS):
        yield commit_cells(row, ids)


def change_export_cells(*, team: Team, filters: Filters) -> Iterator[tuple]:
    ids = PublicIds()
    for row in keyset_rows(change_queryset(team=team, filters=filters), CHANGE_COLUMNS):
        yield change_cells(row, ids)


def keyset_rows(qs: QuerySet, columns: tuple[str, ...], *, batch: int = EXPORT_BATCH):
    """All rows newest first, `batch` at a time: each batch is one indexed query continuing
    after the last (created_at, id) seen, so memory stays flat and no row is read twice."""
    created_at, pk = columns.index("created_at"), columns.index("id")
    after = Q()
    while True:
        rows = list(qs.filter(after).order_by(*ORDER).values_list(*columns)[:batch])
        yield from rows
        if len(rows) < batch:
            return
        last_created, last_pk = rows[-1][created_at], rows[-1][pk]
        # (created_at, id) < (last_created, last_pk), spelled so the index can seek on the
        # leading `created_at <=` instead of filtering every row from the newest one again.
        after = Q(created_at__lte=last_created) & (
            Q(created_at__lt=last_created) | Q(id__lt=last_pk)
        )


def _filtered(qs: QuerySet, filters: Filters) -> QuerySet:
    qs = qs.filter(created_at__gte=filters.start, created_at__lte=filters.end)
    user = filters.user
    if user is None:
        return qs
    if user.matches_nobody:
        return qs.none()
    if user.email is not None:
        return qs.filter(member__email=user.email)
    return qs.filter(member_id=user.member_id)


def _page(qs: QuerySet, columns: tuple[str, ...], page: int, page_size: int):
    total = qs.count()
    offset = (page - 1) * page_size
    if offset >= total:  # past the end: no page query (and no offset beyond any integer type)
        return [], total
    rows = qs.order_by(*ORDER).values_list(*columns)[offset : offset + page_size]
    return list(rows), total
