"""Reads of the Cursor dialect: every function takes `team=` and the validated filters.

Lists and exports are filtered on createdAt (inclusive at both ends) and ordered newest first
with the id as tie-break, matching the (team, created_at DESC, id DESC) indexes. Rows are plain
value tuples (member email through a join in the same query), never model instances.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import F, Func, Q, QuerySet, TextField
from django.db.models.functions import Cast

from analytics_api.cursor.counts import hourly_window
from analytics_api.cursor.params import Filters
from analytics_api.cursor.serialization import (
    CHANGE_COLUMNS,
    CHANGE_FIELDS,
    COMMIT_COLUMNS,
    COMMIT_FIELDS,
    PG_TIMESTAMP,
    JsonText,
    PublicIds,
    as_json,
    change_cells,
    commit_cells,
)
from common.db import is_postgresql
from teams.models import Member, Team
from tracking.models import Change, Commit

EXPORT_BATCH = 10_000
ORDER = ("-created_at", "-id")
# From this offset on, pages are read with a deferred join (see _page): skipping a thousand
# index entries costs less than reading a thousand rows to throw them away.
DEFERRED_JOIN_MIN_OFFSET = 1_000


@dataclass(frozen=True)
class Page:
    items: list[dict]
    total_count: int


def commit_queryset(*, team: Team, filters: Filters) -> QuerySet:
    return _filtered(Commit.objects.filter(team=team), filters, team)


def change_queryset(*, team: Team, filters: Filters) -> QuerySet:
    return _filtered(Change.objects.filter(team=team, accepted=True), filters, team)


def commit_list(*, team: Team, filters: Filters, page: int, page_size: int) -> Page:
    base = Commit.objects.filter(team=team)
    rows, total = _page(team, base, filters, COMMIT_COLUMNS, page, page_size, label="commits")
    ids = PublicIds()
    return Page([as_json(COMMIT_FIELDS, commit_cells(r, ids)) for r in rows], total)


def change_list(*, team: Team, filters: Filters, page: int, page_size: int) -> Page:
    base = Change.objects.filter(team=team, accepted=True)
    # One member's changes: the (team, member, created_at, id) index has no `accepted`, so
    # walking an offset visits the rows anyway and a deferred join only adds a query.
    rows, total = _page(
        team, base, filters, CHANGE_COLUMNS, page, page_size, label="changes",
        deferred_join=filters.user is None,
    )  # fmt: skip
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


def _filtered(qs: QuerySet, filters: Filters, team: Team) -> QuerySet:
    return _for_user(_in_window(qs, filters), filters, team)


def _in_window(qs: QuerySet, filters: Filters) -> QuerySet:
    return qs.filter(created_at__gte=filters.start, created_at__lte=filters.end)


def _for_user(qs: QuerySet, filters: Filters, team: Team) -> QuerySet:
    user = filters.user
    if user is None:
        return qs
    if user.matches_nobody:
        return qs.none()
    if user.email is not None:
        # Optimization: the member's id first (the unique (team, email) index), so the
        # planner walks the (team, member, created_at, id) index in page order instead of
        # joining on email and sorting all of the member's rows.
        member_id = _member_id(team, user.email)
        return qs.filter(member_id=member_id) if member_id else qs.none()
    return qs.filter(member_id=user.member_id)


def _member_id(team: Team, email: str) -> int | None:
    return Member.objects.filter(team=team, email=email).values_list("id", flat=True).first()


def _page(
    team: Team, base: QuerySet, filters: Filters, columns: tuple[str, ...], page: int,
    page_size: int, *, label: str, deferred_join: bool = True,
):  # fmt: skip
    qs = _filtered(base, filters, team)
    # Team-wide windows of big tables: totalCount and deep offsets from the hourly histogram
    # (counts.py). One member's rows are few: counted and skipped directly.
    window = None
    if filters.user is None:
        window = hourly_window(
            base=base, team=team, start=filters.start, end=filters.end, label=label
        )
    total = qs.count() if window is None else window.total
    offset = (page - 1) * page_size
    if offset >= total:  # past the end: no page query (and no offset beyond any integer type)
        return [], total
    if window is not None:
        bound, offset = window.seek(offset)
        if bound is not None:
            qs = qs.filter(created_at__lt=bound)
    ordered = qs.order_by(*ORDER)
    if offset < DEFERRED_JOIN_MIN_OFFSET or not deferred_join:
        return list(list_rows(ordered, columns)[offset : offset + page_size]), total
    # Deferred join: walk the offset on the index alone (an index-only scan of ids), then
    # read the page's rows by primary key, instead of reading `offset` full rows to skip them.
    ids = list(ordered.values_list("id", flat=True)[offset : offset + page_size])
    rows = base.model._default_manager.filter(team=team, pk__in=ids).order_by(*ORDER)
    return list(list_rows(rows, columns)), total


_ISO_MILLIS = PG_TIMESTAMP.format(col="%(expressions)s")


class _JsonTextField(TextField):
    """jsonb::text, handed to the cells as JsonText so that they know to parse it (a stored
    JSON string scalar arrives as a plain str and stays one)."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else JsonText(value)


# Optimization (PostgreSQL): cells that cost the most to convert in Python, as PostgreSQL
# hands them out ready. Timestamps formatted as the API writes them (the COPY exports'
# expression, proven byte-identical there), metadata as the stored JSON's text for orjson
# (Django's JSONField loader is json.loads). With the orjson renderer: a 1,000-item
# page of one member's changes 25.7 -> 14.3 ms, of the team's commits 40.8 -> 24.1 ms.
def _iso_millis(column: str) -> Func:
    return Func(F(column), template=_ISO_MILLIS, output_field=TextField())


_PG_CELLS = {
    "created_at": lambda: _iso_millis("created_at"),
    "commit_ts": lambda: _iso_millis("commit_ts"),
    "metadata": lambda: Cast("metadata", _JsonTextField()),
}


def list_rows(qs: QuerySet, columns: tuple[str, ...]) -> QuerySet:
    """values_list(*columns), with the _PG_CELLS columns pre-formatted on PostgreSQL. The cell
    functions take both forms."""
    if not is_postgresql():
        return qs.values_list(*columns)
    fast = {f"{name}_cell": make() for name, make in _PG_CELLS.items() if name in columns}
    names = [f"{c}_cell" if f"{c}_cell" in fast else c for c in columns]
    return qs.annotate(**fast).values_list(*names)


def commit_details(*, team: Team, hashes: tuple[str, ...], branch: str | None) -> list[dict]:
    """The stored commits with these hashes (stored form), with their range annotations, in
    the order asked; a hash stored in several repositories gives one item per repository."""
    qs = Commit.objects.filter(team=team, commit_hash__in=set(hashes))
    if branch:
        qs = qs.filter(branch_name=branch)
    rows = qs.order_by("id").values_list(
        "commit_hash", "repo_name", "branch_name", "member__email", "range_annotations"
    )
    by_hash: dict[str, list[dict]] = {}
    for commit_hash, repo, branch_name, email, ranges in rows:
        by_hash.setdefault(commit_hash, []).append(
            {
                "commitHash": commit_hash,
                "repoName": repo,
                "branchName": branch_name,
                "userEmail": email,
                "rangeAnnotations": ranges or [],
            }
        )
    return [item for h in hashes for item in by_hash.get(h, [])]


def team_members(*, team: Team) -> list[dict]:
    """Cursor's Admin API member list: every member of the team, by email."""
    rows = Member.objects.filter(team=team).order_by("email").values_list("email", "display_name")
    return [{"name": name, "email": email, "role": "member"} for email, name in rows]
