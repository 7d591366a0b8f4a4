"""The records as every reader sees them: one team's, in a window, for a member, newest first,
one page or all of them in keyset batches.

Both dialects and the dashboard read records through here (the figures through
tracking/figures.py, which takes the same `Filters`). A reader names the team, the `Filters`
and the columns it wants; rows come back as plain value tuples in that column order, never
model instances, and never rendered: the dialects' serialization turns rows into JSON or CSV.

Every query starts at `Model.objects.of(team)` (teams.models.TeamScopedQuerySet), the one
team scope. Ordering is (time DESC, id DESC), matching the (team, time DESC, id DESC) indexes:
`created_at` for the Cursor lists and exports and the Qoder changes, `occurred_at` (commit
time, createdAt as fallback) for the Qoder commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from teams.models import Member, Team
from tracking.counts import hourly_window
from tracking.models import Change, Commit

EXPORT_BATCH = 10_000
# From this offset on, pages are read with a deferred join (see _newest_page): skipping a
# thousand index entries costs less than reading a thousand rows to throw them away.
DEFERRED_JOIN_MIN_OFFSET = 1_000


@dataclass(frozen=True)
class Who:
    """One member, as a dialect names them: an email (stored form), the internal id, or the
    UUID. `nobody` for a name no member can have (a user_ id we never issued): no rows."""

    email: str | None = None
    member_id: int | None = None
    uuid: uuid.UUID | None = None
    nobody: bool = False

    def q(self, prefix: str = "") -> Q:
        """This member's rows, as a Q on a record (prefix "") or through a relation."""
        if self.nobody:
            return Q(pk__in=[])
        if self.member_id is not None:
            return Q(**{f"{prefix}member_id": self.member_id})
        if self.uuid is not None:
            return Q(**{f"{prefix}member__uuid": self.uuid})
        return Q(**{f"{prefix}member__email": self.email})

    def resolved(self, team: Team) -> Who:
        """An email as the member's id (one lookup on the unique (team, email) index).

        Optimization: filtered by id, the planner walks the (team, member, time, id) index in
        page order instead of joining on email and sorting all of the member's rows."""
        if self.email is None or self.nobody:
            return self
        found = Member.objects.of(team).filter(email=self.email).values_list("id", flat=True)
        member_id = found.first()
        return Who(member_id=member_id) if member_id else Who(nobody=True)


@dataclass(frozen=True)
class Filters:
    """What every read takes, already validated by a dialect (or the dashboard's form).

    `start`/`end` are inclusive; None is unbounded. `repo_name`, `primary_branch_only` and
    `file_extensions` select commits (and their files), `source` selects changes; a reader
    applies the ones that mean something for its records."""

    start: datetime | None = None
    end: datetime | None = None
    who: Who | None = None
    repo_name: str | None = None
    source: str | None = None
    primary_branch_only: bool = False
    file_extensions: tuple[str, ...] = ()
    model: str | None = None  # changes: the model that made them (figures only)
    tool: str | None = None  # commit attribution: the AI tool (tracking/attribution/)
    # The days of the daily figures (an IANA name): the dialects' UTC, or a team's zone on the
    # dashboard (per-day figures of another zone are read from the records: docs/figures.md).
    time_zone: str = "UTC"


def window(qs: QuerySet, filters: Filters, *, time_field: str = "created_at") -> QuerySet:
    if filters.start is not None:
        qs = qs.filter(**{f"{time_field}__gte": filters.start})
    if filters.end is not None:
        qs = qs.filter(**{f"{time_field}__lte": filters.end})
    return qs


def commits(*, team: Team, filters: Filters, time_field: str = "created_at") -> QuerySet:
    """The team's commits in the window on `time_field`, for the member and repository."""
    qs = selected(Commit.objects.of(team), filters, team, time_field=time_field)
    if filters.repo_name:
        qs = qs.filter(repo_name=filters.repo_name)
    return qs


def changes(*, team: Team, filters: Filters) -> QuerySet:
    """The team's changes, accepted or not (NEXT suggestions may be rejected), in the window on
    createdAt, for the member and source."""
    qs = selected(Change.objects.of(team), filters, team)
    if filters.source:
        qs = qs.filter(source=filters.source)
    return qs


def accepted_changes(*, team: Team, filters: Filters) -> QuerySet:
    """The team's accepted changes in the window on createdAt, for the member and source."""
    return changes(team=team, filters=filters).filter(accepted=True)


def _accepted(team: Team) -> QuerySet:
    return Change.objects.of(team).filter(accepted=True)


def selected(
    qs: QuerySet, filters: Filters, team: Team, *, time_field: str = "created_at"
) -> QuerySet:
    """A team's records (`qs`) in the filters' window on `time_field`, for their member (an
    email resolved to the member's id first: Who.resolved)."""
    qs = window(qs, filters, time_field=time_field)
    return qs if filters.who is None else qs.filter(filters.who.resolved(team).q())


def newest_first(qs: QuerySet, *, time_field: str = "created_at") -> QuerySet:
    return qs.order_by(f"-{time_field}", "-id")


Columns = Callable[[QuerySet], QuerySet]  # ordered rows -> a values_list queryset


def keyset_rows(
    qs: QuerySet, columns: Columns, *, time_field: str = "created_at", batch: int | None = None
) -> Iterator[tuple]:
    """Every row of `qs` newest first, as `columns(qs)` makes them, `batch` rows per query.

    Each batch continues after the last (time, id) seen, through the (team, time DESC, id DESC)
    index: memory stays flat, no transaction or server-side cursor is held while the client
    reads, and no row is read twice. The last two cells of each fetched row are the keyset's
    and are not handed out. `batch` defaults to EXPORT_BATCH.
    """
    batch = batch or EXPORT_BATCH
    after = Q()
    while True:
        page = columns(newest_first(qs.filter(after), time_field=time_field))
        rows = list(page.values_list(*page._fields, time_field, "id")[:batch])
        yield from (row[:-2] for row in rows)
        if len(rows) < batch:
            return
        last_time, last_id = rows[-1][-2], rows[-1][-1]
        # (time, id) < (last_time, last_id), spelled so the index seeks on `time <=`.
        after = Q(**{f"{time_field}__lte": last_time}) & (
            Q(**{f"{time_field}__lt": last_time}) | Q(id__lt=last_id)
        )


def values(*names: str) -> Columns:
    """The plain columns `names`, for keyset_rows and the pages."""
    return lambda qs: qs.values_list(*names)


def page_of(qs: QuerySet, *, offset: int, limit: int, total: int | None = None):
    """(rows, total) of an ordered values queryset: `total` when known (summary tables), else
    counted. Past the end there is no page query (a huge offset overflows SQL integers)."""
    total = qs.count() if total is None else total
    return (list(qs[offset : offset + limit]) if offset < total else []), total


def commit_page(
    *, team: Team, filters: Filters, columns: Columns, offset: int, limit: int
) -> tuple[list[tuple], int]:
    """(rows, total): one page of the team's commits newest first by createdAt."""
    return _newest_page(Commit.objects.of(team), filters, columns, team, offset, limit)


def accepted_change_page(
    *, team: Team, filters: Filters, columns: Columns, offset: int, limit: int
) -> tuple[list[tuple], int]:
    """(rows, total): one page of the team's accepted changes newest first by createdAt."""
    # One member's changes: the (team, member, created_at, id) index has no `accepted`, so
    # walking an offset visits the rows anyway and a deferred join only adds a query.
    deferred = filters.who is None
    return _newest_page(_accepted(team), filters, columns, team, offset, limit, deferred)


def _newest_page(
    base: QuerySet, filters: Filters, columns: Columns, team: Team, offset: int, limit: int,
    deferred_join: bool = True,
) -> tuple[list[tuple], int]:  # fmt: skip
    """(rows, total) of one page, newest first by createdAt, of `base` (the team's records
    with every filter but window and member) in the filters' window and member.

    Team-wide windows of big tables: total and deep offsets from the hourly counts
    (tracking/counts.py). One member's rows are few: counted and skipped directly. Deep
    offsets use a deferred join unless `deferred_join` is False."""
    qs = selected(base, filters, team)
    hours = None
    if filters.who is None:
        hours = hourly_window(base=base, team=team, start=filters.start, end=filters.end)
    total = qs.count() if hours is None else hours.total
    if offset >= total:  # past the end: no page query (and no offset beyond any integer type)
        return [], total
    if hours is not None:
        bound, offset = hours.seek(offset)
        if bound is not None:
            qs = qs.filter(created_at__lt=bound)
    ordered = newest_first(qs)
    if offset < DEFERRED_JOIN_MIN_OFFSET or not deferred_join:
        return list(columns(ordered)[offset : offset + limit]), total
    # Deferred join: walk the offset on the index alone (an index-only scan of ids), then
    # read the page's rows by primary key, instead of reading `offset` full rows to skip them.
    ids = list(ordered.values_list("id", flat=True)[offset : offset + limit])
    rows = newest_first(base.model.objects.of(team).filter(pk__in=ids))
    return list(columns(rows)), total


def commits_by_hash(
    *, team: Team, hashes: Sequence[str], branch: str | None, columns: Sequence[str]
) -> list[tuple]:
    """The stored commits with these hashes (stored form), by id; a hash stored in several
    repositories is several rows. `branch` keeps only that branch's."""
    qs = Commit.objects.of(team).filter(commit_hash__in=set(hashes))
    if branch:
        qs = qs.filter(branch_name=branch)
    return list(qs.order_by("id").values_list(*columns))


def members(*, team: Team, columns: Sequence[str]) -> list[tuple]:
    """Every member of the team, by email."""
    return list(Member.objects.of(team).order_by("email").values_list(*columns))


def member(*, team: Team, member_uuid: uuid.UUID) -> Member | None:
    """One member of the team (the dashboard's member page), or None."""
    return Member.objects.of(team).filter(uuid=member_uuid).first()


def commit(*, team: Team, pk: int) -> Commit | None:
    """One commit of the team with its member (the dashboard's commit page), or None."""
    return Commit.objects.of(team).select_related("member").filter(pk=pk).first()
