"""The figures: one function per aggregate of QODER.md.

The data layer's, not a dialect's: the Qoder metrics views and the dashboard render the same
functions. Every function takes `team=` and tracking.reads.Filters, so a read is always scoped.
Figures come back as plain dicts/tuples; renderers do rates, date strings and empty days.

Each figure exists twice: `raw_*` computes it from the records (GROUP BY in SQL), the public
function reads the summary tables kept current at write time (tracking/rollups.py) for the
window's whole UTC days and adds `raw_*` over the partial days at its edges (a window like
`90d` starts mid-day). A figure for one member (`Filters.who`) is computed raw: the
(team, member, created_at) indexes make that a scan of one member's rows.
"""

from __future__ import annotations

import operator
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate

from common.db import is_postgresql
from common.replicas import read_connection
from teams.models import Member, Team
from tracking import catalog, rollups
from tracking.models import (
    AI_PAIRS,
    Change,
    Commit,
    CommitFile,
    MemberCommitDay,
    MemberCommitSpan,
    Message,
    Source,
    TeamChangeDay,
    TeamChangeExtDay,
    TeamCommitDay,
    TeamExtDay,
    TeamFileDay,
    TeamMessageDay,
)
from tracking.reads import Filters, selected

# QODER.md's rates (AI share, tab acceptance): a percentage rounded to two decimals, 0 when the
# denominator is 0, clamped to 0-100 (the catalog's one rule). Every renderer uses this one.
rate = catalog.clamp_rate


# Sources counted as "agent edits" in the overview (everything but tab completion).
AGENT_SOURCES = (Source.AGENT, Source.QUEST, Source.INLINECHAT)


def _sum_of(columns) -> F:
    return reduce(operator.add, (F(c) for c in columns))


AI_ADDED = _sum_of(f"{p}_lines_added" for p in AI_PAIRS)
AI_DELETED = _sum_of(f"{p}_lines_deleted" for p in AI_PAIRS)
# nonAi = max(0, total - all AI pairs), per commit (API.md section 1).
NON_AI_ADDED = Greatest(F("total_lines_added") - AI_ADDED, Value(0))
NON_AI_DELETED = Greatest(F("total_lines_deleted") - AI_DELETED, Value(0))


def _total(expression, **kwargs):
    """SUM that is 0, not NULL, over no rows."""
    return Coalesce(Sum(expression, **kwargs), Value(0))


def _day_of(field_name: str, filters: Filters) -> TruncDate:
    """The day of a moment in the filters' time zone (UTC unless a team set its own)."""
    zone = UTC if filters.time_zone == "UTC" else ZoneInfo(filters.time_zone)
    return TruncDate(field_name, tzinfo=zone)


def _by_day_raw(filters: Filters, parts: Split) -> bool:
    """Per-day figures come from the records for one member, a window within a day, or days
    that are not UTC days (the summary tables hold UTC days)."""
    return filters.who is not None or parts.days is None or filters.time_zone != "UTC"


def _commit_window(filters: Filters, *, prefix: str = "") -> Q:
    """The commit figures' window and member, as a Q on Commit (prefix "") or through a
    relation."""
    q = Q()
    if filters.start is not None:
        q &= Q(**{f"{prefix}occurred_at__gte": filters.start})
    if filters.end is not None:
        q &= Q(**{f"{prefix}occurred_at__lte": filters.end})
    if filters.who is not None:
        q &= filters.who.q(prefix)
    return q


def metric_commits(*, team: Team, filters: Filters) -> QuerySet:
    """Commits of the commit figures: by commit time (occurred_at), the catalog's commit
    dimensions (repository, primary branch)."""
    return Commit.objects.of(team).filter(
        _commit_window(filters), catalog.record_q("commits", filters)
    )


def metric_commit_files(*, team: Team, filters: Filters) -> QuerySet:
    """Commit file rows of the commits above (one join), and the extension dimension."""
    return CommitFile.objects.of(team).filter(
        _commit_window(filters, prefix="commit__"), catalog.record_q("commit_files", filters)
    )


def metric_changes(*, team: Team, filters: Filters) -> QuerySet:
    """Changes of the change figures: by createdAt, member, the catalog's change dimensions
    (model; source where a reader sets it)."""
    return selected(Change.objects.of(team), filters, team).filter(
        catalog.record_q("changes", filters)
    )


def metric_messages(*, team: Team, filters: Filters) -> QuerySet:
    return selected(Message.objects.of(team), filters, team)


# --- stats/overview ----------------------------------------------------------------------------


def raw_overview_stats(*, team: Team, filters: Filters) -> dict:
    """Raw overview sums (three aggregate queries: commits, changes, messages): the sums the
    catalog's measures are computed from (catalog.MEASURES)."""
    commit_figures = metric_commits(team=team, filters=filters).aggregate(
        commits=Count("pk"),
        lines_added=_total("total_lines_added"),
        lines_deleted=_total("total_lines_deleted"),
        ai_added=_total(AI_ADDED),
        ai_deleted=_total(AI_DELETED),
        over_ai=Count("pk", filter=rollups.OVER_AI),
    )
    accepted = Q(accepted=True)
    change_figures = metric_changes(team=team, filters=filters).aggregate(
        accepted_lines=_total(F("total_lines_added") + F("total_lines_deleted"), filter=accepted),
        agent_edits=Count("pk", filter=accepted & Q(source__in=AGENT_SOURCES)),
        tab_completions=Count("pk", filter=accepted & Q(source=Source.NEXT)),
        tab_suggestions=Count("pk", filter=Q(source=Source.NEXT)),
    )
    messages = metric_messages(team=team, filters=filters).count()
    return {**commit_figures, **change_figures, "messages": messages}


# --- stats/daily-trend -------------------------------------------------------------------------


def raw_daily_commit_stats(*, team: Team, filters: Filters) -> dict[date, dict]:
    """Per UTC day of commit time: AI lines added, other lines added, commit count."""
    rows = (
        metric_commits(team=team, filters=filters)
        .annotate(day=_day_of("occurred_at", filters))
        .values("day")
        .annotate(
            ai=_total(AI_ADDED),
            other=_total(NON_AI_ADDED),
            commits=Count("pk"),
            total=_total("total_lines_added"),
        )
        .order_by("day")
    )
    return {rollups.as_date(row.pop("day")): row for row in rows}


def raw_daily_extension_stats(*, team: Team, filters: Filters) -> dict[tuple[date, str], dict]:
    """Per UTC day of commit time and extension, from commit file rows."""
    rows = (
        metric_commit_files(team=team, filters=filters)
        .annotate(day=_day_of("commit__occurred_at", filters))
        .values("day", "file_extension")
        .annotate(total=_total("lines_added"), ai=_total("ai_lines_added"))
        .order_by("day", "file_extension")
    )
    return {(rollups.as_date(row.pop("day")), row.pop("file_extension")): row for row in rows}


def raw_daily_next_stats(*, team: Team, filters: Filters) -> dict[date, dict]:
    """Per UTC day of createdAt: NEXT changes suggested (accepted or not) and accepted."""
    rows = (
        metric_changes(team=team, filters=filters)
        .filter(source=Source.NEXT)
        .annotate(day=_day_of("created_at", filters))
        .values("day")
        .annotate(suggested=Count("pk"), accepted=Count("pk", filter=Q(accepted=True)))
        .order_by("day")
    )
    return {rollups.as_date(row.pop("day")): row for row in rows}


# --- stats/member-ranking ----------------------------------------------------------------------


def raw_member_ranking(*, team: Team, filters: Filters, limit: int) -> list[dict]:
    """Members by AI lines added, then total lines added, then email."""
    return list(
        metric_commits(team=team, filters=filters)
        .values("member_id")
        .annotate(
            user_id=F("member__uuid"),
            email=F("member__email"),
            display_name=F("member__display_name"),
            total=_total("total_lines_added"),
            ai=_total(AI_ADDED),
            commits=Count("pk"),
        )
        .order_by("-ai", "-total", "email", "member_id")[:limit]
    )


# --- repos -------------------------------------------------------------------------------------


def raw_repo_list(
    *, team: Team, filters: Filters, query: str | None, offset: int, limit: int
) -> tuple[int, list[dict]]:
    """(number of repos, one page of them): commit count then name; unnamed commits skipped."""
    qs = metric_commits(team=team, filters=filters).filter(repo_name__isnull=False)
    if query:
        qs = qs.filter(repo_name__icontains=query)
    grouped = qs.values("repo_name").annotate(
        commits=Count("pk"), total=_total("total_lines_added")
    )
    total_count = qs.values("repo_name").distinct().count()
    if offset >= total_count:  # past the end: no query (a huge offset overflows SQL integers)
        return total_count, []
    stop = None if limit is None else offset + limit
    page = list(grouped.order_by("-commits", "repo_name")[offset:stop])
    return total_count, page


# --- file-extensions ---------------------------------------------------------------------------


def raw_extension_commit_stats(*, team: Team, filters: Filters) -> dict[str, dict]:
    """Per extension, from commit file rows: total and AI lines added."""
    rows = (
        metric_commit_files(team=team, filters=filters)
        .values("file_extension")
        .annotate(total=_total("lines_added"), ai=_total("ai_lines_added"))
        .order_by()
    )
    return {row.pop("file_extension"): row for row in rows}


def raw_extension_change_counts(*, team: Team, filters: Filters) -> dict[str, int]:
    """Per extension: accepted changes whose metadata touches it (each change counted once).

    The metadata is a JSON list, so this looks inside it with the backend's set-returning JSON
    function (jsonb_array_elements on PostgreSQL, json_each on SQLite), over the ORM's change
    selection embedded as a derived table. One query either way.
    """
    changes = metric_changes(team=team, filters=filters).filter(accepted=True)
    sub_sql, sub_params = changes.values(cid=F("pk"), meta=F("metadata")).query.sql_with_params()
    if is_postgresql():
        # Optimization: distinct extensions per change in a LATERAL subquery, instead of a
        # COUNT(DISTINCT id) that sorts every (change, file) pair (825 ms vs 1.4 s on 420k).
        pairs = (
            f"SELECT x.ext FROM ({sub_sql}) c CROSS JOIN LATERAL (SELECT DISTINCT "
            "e ->> 'fileExtension' AS ext FROM jsonb_array_elements(CASE WHEN "
            "jsonb_typeof(c.meta) = 'array' THEN c.meta ELSE '[]'::jsonb END) e) x"
        )
    else:
        pairs = (
            "SELECT DISTINCT c.cid, json_extract(e.value, '$.fileExtension') AS ext "
            f"FROM ({sub_sql}) c, json_each(CASE WHEN json_type(c.meta) = 'array' "
            "THEN c.meta ELSE '[]' END) e"
        )
    params = list(sub_params)
    where = "p.ext IS NOT NULL"
    if filters.file_extensions:
        where += f" AND p.ext IN ({', '.join(['%s'] * len(filters.file_extensions))})"
        params += list(filters.file_extensions)
    sql = f"SELECT p.ext, COUNT(*) FROM ({pairs}) p WHERE {where} GROUP BY p.ext"
    with read_connection(Commit).cursor() as cursor:  # a replica's, in a GET
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


# --- from the summary tables ---------------------------------------------------------------

_DAY_END = time(23, 59, 59, 999_999)


@dataclass(frozen=True)
class Split:
    """A window as whole UTC days (first..last, None = unbounded) and the partial edges."""

    days: tuple[date | None, date | None] | None
    edges: tuple[Filters, ...]


def split(filters: Filters) -> Split:
    start, end = filters.start, filters.end
    first = last = None
    edges = []
    if start is not None:
        start = start.astimezone(UTC)
        first = start.date() if start.time() == time.min else start.date() + timedelta(days=1)
    if end is not None:
        end = end.astimezone(UTC)
        last = end.date() if end.time() == _DAY_END else end.date() - timedelta(days=1)
    if first is not None and last is not None and first > last:
        return Split(days=None, edges=(filters,))  # within one day (or two partial ones)
    if start is not None and start.time() != time.min:
        edges.append(replace(filters, end=datetime.combine(first, time.min, UTC) - _TICK))
    if end is not None and end.time() != _DAY_END:
        edges.append(replace(filters, start=datetime.combine(last, _DAY_END, UTC) + _TICK))
    return Split(days=(first, last), edges=tuple(edges))


_TICK = timedelta(microseconds=1)


def _days(qs: QuerySet, days) -> QuerySet:
    first, last = days
    if first is not None:
        qs = qs.filter(day__gte=first)
    if last is not None:
        qs = qs.filter(day__lte=last)
    return qs


def _commit_days(model, *, team: Team, filters: Filters, days) -> QuerySet:
    """A summary table's rows of the whole days, filtered by the catalog's dimensions."""
    return _days(model.objects.of(team), days).filter(catalog.table_q(model.__name__, filters))


def _file_table(filters: Filters):
    """TeamFileDay has the repository and branch the filters may need; TeamExtDay is the same
    without them, 40 times fewer rows."""
    return TeamFileDay if filters.repo_name or filters.primary_branch_only else TeamExtDay


def _add(into: dict, more: dict) -> dict:
    for key, value in more.items():
        into[key] = into.get(key, 0) + value
    return into


def _add_rows(into: dict, more: dict) -> dict:
    for key, row in more.items():
        if key in into:
            _add(into[key], row)
        else:
            into[key] = dict(row)
    return into


def overview_stats(*, team: Team, filters: Filters) -> dict:
    """The overview's raw figures: committed lines (all, AI), accepted lines, agent edits, tab
    completions, messages."""
    parts = split(filters)
    if filters.who is not None or parts.days is None:
        return raw_overview_stats(team=team, filters=filters)
    days = parts.days
    accepted = Q(accepted=True)
    out = _commit_days(TeamCommitDay, team=team, filters=filters, days=days).aggregate(
        commits=_total("commits"),
        lines_added=_total("lines_added"),
        lines_deleted=_total("lines_deleted"),
        ai_added=_total("ai_added"),
        ai_deleted=_total("ai_deleted"),
        over_ai=_total("over_ai"),
    )
    out |= _commit_days(TeamChangeDay, team=team, filters=filters, days=days).aggregate(
        accepted_lines=_total("lines", filter=accepted),
        agent_edits=_total("changes", filter=accepted & Q(source__in=AGENT_SOURCES)),
        tab_completions=_total("changes", filter=accepted & Q(source=Source.NEXT)),
        tab_suggestions=_total("changes", filter=Q(source=Source.NEXT)),
    )
    out |= _days(TeamMessageDay.objects.of(team), days).aggregate(messages=_total("messages"))
    for edge in parts.edges:
        _add(out, raw_overview_stats(team=team, filters=edge))
    return out


def _by_key(rows, *keys: str) -> dict:
    out = {}
    for row in rows:
        parts = tuple(row.pop(k) for k in keys)
        if "day" in keys:
            i = keys.index("day")
            parts = (*parts[:i], rollups.as_date(parts[i]), *parts[i + 1 :])
        out[parts[0] if len(parts) == 1 else parts] = row
    return out


def daily_commit_stats(*, team: Team, filters: Filters) -> dict[date, dict]:
    """Per UTC day of commit time: AI lines added, other lines added, commit count."""
    parts = split(filters)
    if _by_day_raw(filters, parts):
        return raw_daily_commit_stats(team=team, filters=filters)
    rows = (
        _commit_days(TeamCommitDay, team=team, filters=filters, days=parts.days)
        .values("day")
        .annotate(
            ai=_total("ai_added"),
            other=_total("other_added"),
            commits=_total("commits"),
            total=_total("lines_added"),
        )
        .filter(commits__gt=0)
        .order_by("day")
    )
    out = _by_key(rows, "day")
    for edge in parts.edges:
        _add_rows(out, raw_daily_commit_stats(team=team, filters=edge))
    return dict(sorted(out.items()))


def daily_extension_stats(*, team: Team, filters: Filters) -> dict[tuple[date, str], dict]:
    """Per UTC day of commit time and extension, from commit file rows."""
    parts = split(filters)
    if _by_day_raw(filters, parts):
        return raw_daily_extension_stats(team=team, filters=filters)
    qs = _commit_days(_file_table(filters), team=team, filters=filters, days=parts.days)
    rows = (
        qs.values("day", "file_extension")
        .annotate(total=_total("lines_added"), ai=_total("ai_added"), files=_total("files"))
        .filter(files__gt=0)
        .values("day", "file_extension", "total", "ai")
        .order_by("day", "file_extension")
    )
    out = _by_key(rows, "day", "file_extension")
    for edge in parts.edges:
        _add_rows(out, raw_daily_extension_stats(team=team, filters=edge))
    return dict(sorted(out.items()))


def daily_next_stats(*, team: Team, filters: Filters) -> dict[date, dict]:
    """Per UTC day of createdAt: NEXT changes suggested (accepted or not) and accepted."""
    parts = split(filters)
    if _by_day_raw(filters, parts):
        return raw_daily_next_stats(team=team, filters=filters)
    rows = (
        _commit_days(TeamChangeDay, team=team, filters=filters, days=parts.days)
        .filter(source=Source.NEXT)
        .values("day")
        .annotate(suggested=_total("changes"), accepted=_total("changes", filter=Q(accepted=True)))
        .filter(suggested__gt=0)
        .order_by("day")
    )
    out = _by_key(rows, "day")
    for edge in parts.edges:
        _add_rows(out, raw_daily_next_stats(team=team, filters=edge))
    return dict(sorted(out.items()))


def member_ranking(
    *, team: Team, filters: Filters, limit: int, counted: bool = False
) -> list[dict]:
    """Members by AI lines added, then total lines added, then email (`counted`: _ranked)."""
    parts = split(filters)
    if parts.days is None:
        rows = raw_member_ranking(team=team, filters=filters, limit=limit)
        if counted:
            n = len(rows) if len(rows) < limit else member_count(team=team, filters=filters)
            for row in rows:
                row["ranked"] = n
        return rows
    first, last = parts.days
    if first is not None and last is not None and not filters.repo_name:
        # Aligned spans of up to 64 days: ~12 rows per member for 90 days (MemberCommitSpan).
        spans = rollups.spans_covering(first, last)
        qs = MemberCommitSpan.objects.of(team).filter(
            reduce(operator.or_, (Q(level=level, start=start) for level, start in spans))
        )
        qs = qs.filter(catalog.table_q("MemberCommitSpan", filters))
    else:
        qs = _commit_days(MemberCommitDay, team=team, filters=filters, days=parts.days)
    if filters.who is not None:
        qs = qs.filter(filters.who.q())
    pieces = [qs.values("member_id").annotate(
        total=_total("lines_added"), ai=_total("ai_added"), commits=_total("commits"),
    )]  # fmt: skip
    for edge in parts.edges:
        pieces.append(metric_commits(team=team, filters=edge).values("member_id").annotate(
            total=_total("total_lines_added"), ai=_total(AI_ADDED), commits=Count("pk"),
        ))  # fmt: skip
    return _ranked(pieces, limit, counted=counted)


RANKED_COLUMNS = ("member_id", "user_id", "email", "display_name", "total", "ai", "commits")


def _ranked(pieces: list[QuerySet], limit: int, *, counted: bool = False) -> list[dict]:
    """The ranking over the summed pieces (member_id, total, ai, commits), ranked and cut to
    `limit` in SQL: one query, `limit` rows to Python. `counted`: each row also carries
    "ranked", how many members the ranking has before the limit (a window function over the
    same groups: no second query; a COUNT(DISTINCT member) over 90 days of commits took 310-340
    ms at full size).

    Optimization: run 3 of the full-size benchmark summed the 5,000 members' spans in SQL
    (23 ms) but built, merged and sorted 5,000 dicts in Python (~140 ms of 191-320 ms)."""
    selects, params = [], []
    for piece in pieces:
        sql, piece_params = (
            piece.values_list("member_id", "total", "ai", "commits")
            .order_by()
            .query.sql_with_params()
        )
        selects.append(f"SELECT * FROM ({sql}) p{len(selects)}")
        params += piece_params
    member = Member._meta.db_table
    total, ai, commits = (f"CAST(SUM(u.{c}) AS BIGINT)" for c in ("total", "ai", "commits"))
    columns = (*RANKED_COLUMNS, "ranked") if counted else RANKED_COLUMNS
    sql = (
        f"SELECT u.member_id, m.uuid, m.email, m.display_name, {total}, {ai}, {commits}"
        f"{', COUNT(*) OVER ()' if counted else ''} "
        f"FROM ({' UNION ALL '.join(selects)}) u JOIN {member} m ON m.id = u.member_id "
        "GROUP BY u.member_id, m.uuid, m.email, m.display_name "
        f"HAVING SUM(u.commits) > 0 ORDER BY {ai} DESC, {total} DESC, m.email, u.member_id "
        "LIMIT %s"
    )
    with read_connection(Commit).cursor() as cursor:  # a replica's, in a GET
        cursor.execute(sql, [*params, limit])
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:  # SQLite hands out the UUID column as its hex text
        if not isinstance(row["user_id"], uuid.UUID):
            row["user_id"] = uuid.UUID(row["user_id"])
    return rows


def repo_list(
    *, team: Team, filters: Filters, query: str | None, offset: int, limit: int
) -> tuple[int, list[dict]]:
    """(number of repos, one page of them): commit count then name; unnamed commits skipped."""
    parts = split(filters)
    if filters.who is not None or parts.days is None:
        return raw_repo_list(team=team, filters=filters, query=query, offset=offset, limit=limit)
    qs = _commit_days(TeamCommitDay, team=team, filters=filters, days=parts.days).filter(
        repo_known=True
    )
    if query:
        qs = qs.filter(repo_name__icontains=query)
    repos = _by_key(
        qs.values("repo_name").annotate(commits=_total("commits"), total=_total("lines_added"))
        .order_by(),
        "repo_name",
    )  # fmt: skip
    for edge in parts.edges:
        _, rows = raw_repo_list(team=team, filters=edge, query=query, offset=0, limit=None)
        _add_rows(repos, {row.pop("repo_name"): row for row in rows})
    ranked = [{"repo_name": name, **row} for name, row in repos.items() if row["commits"] > 0]
    ranked.sort(key=lambda r: (-r["commits"], r["repo_name"]))
    return len(ranked), ranked[offset : offset + limit]


def extension_commit_stats(*, team: Team, filters: Filters) -> dict[str, dict]:
    """Per extension, from commit file rows: total and AI lines added."""
    parts = split(filters)
    if filters.who is not None or parts.days is None:
        return raw_extension_commit_stats(team=team, filters=filters)
    qs = _commit_days(_file_table(filters), team=team, filters=filters, days=parts.days)
    rows = (
        qs.values("file_extension")
        .annotate(total=_total("lines_added"), ai=_total("ai_added"), files=_total("files"))
        .filter(files__gt=0)  # an extension whose files all moved out of the window
        .values("file_extension", "total", "ai")
    )
    out = _by_key(rows.order_by(), "file_extension")
    for edge in parts.edges:
        _add_rows(out, raw_extension_commit_stats(team=team, filters=edge))
    return out


def extension_change_counts(*, team: Team, filters: Filters) -> dict[str, int]:
    """Per extension: accepted changes whose metadata touches it (each change counted once)."""
    parts = split(filters)
    # TeamChangeExtDay is per day and extension only: a model filter reads the records.
    if filters.who is not None or parts.days is None or filters.model:
        return raw_extension_change_counts(team=team, filters=filters)
    qs = _commit_days(TeamChangeExtDay, team=team, filters=filters, days=parts.days)
    out = dict(
        qs.values("file_extension").annotate(n=_total("changes")).values_list(
            "file_extension", "n"
        ).order_by()
    )  # fmt: skip
    for edge in parts.edges:
        _add(out, raw_extension_change_counts(team=team, filters=edge))
    return {ext: n for ext, n in out.items() if n > 0}


# --- list counts (the Qoder tracking lists' totalItems) ----------------------------------------


def commit_count(*, team: Team, start: datetime, end: datetime, repo_name: str | None) -> int:
    """Commits by commit time in start..end (and in `repo_name`), from the summary table for
    whole days and the records for the partial edge days."""
    filters = Filters(start=start, end=end, repo_name=repo_name)
    parts = split(filters)
    if parts.days is None:
        return metric_commits(team=team, filters=filters).count()
    total = _commit_days(TeamCommitDay, team=team, filters=filters, days=parts.days).aggregate(
        n=_total("commits")
    )["n"]
    return total + sum(metric_commits(team=team, filters=e).count() for e in parts.edges)


def accepted_change_count(*, team: Team, start: datetime, end: datetime, source: str | None) -> int:
    """Accepted changes by createdAt in start..end (of one `source`), likewise."""
    filters = Filters(start=start, end=end)
    parts = split(filters)

    def raw(f: Filters) -> int:
        qs = metric_changes(team=team, filters=f).filter(accepted=True)
        return (qs.filter(source=source) if source else qs).count()

    if parts.days is None:
        return raw(filters)
    days = _days(TeamChangeDay.objects.of(team).filter(accepted=True), parts.days)
    if source:
        days = days.filter(source=source)
    return days.aggregate(n=_total("changes"))["n"] + sum(raw(e) for e in parts.edges)


def extension_table(*, team: Team, filters: Filters) -> list[dict]:
    """Every extension of the window with its commit lines (total, AI) and accepted change
    count, by total lines added then extension (the file-extensions figure, both halves)."""
    lines = extension_commit_stats(team=team, filters=filters)
    changes = extension_change_counts(team=team, filters=filters)
    rows = []
    for extension in set(lines) | set(changes):
        row = lines.get(extension) or {"total": 0, "ai": 0}
        rows.append(
            {
                "extension": extension,
                "changes": changes.get(extension, 0),
                "total": row["total"],
                "ai": row["ai"],
            }
        )
    rows.sort(key=lambda row: (-row["total"], row["extension"]))
    return rows


# --- the dashboard's views of the catalog (tracking/catalog.py CHARTS) -------------------------


def raw_daily_model_stats(*, team: Team, filters: Filters) -> dict[tuple[date, str], dict]:
    """Per UTC day of createdAt and model ("" when none was named): accepted changes and their
    lines added + deleted."""
    rows = (
        metric_changes(team=team, filters=filters)
        .filter(accepted=True)
        .annotate(day=_day_of("created_at", filters), m=Coalesce("model", Value("")))
        .values("day", "m")
        .annotate(
            changes=Count("pk"), lines=_total(F("total_lines_added") + F("total_lines_deleted"))
        )
        .order_by("day", "m")
    )
    return {(rollups.as_date(row.pop("day")), row.pop("m")): row for row in rows}


def daily_model_stats(*, team: Team, filters: Filters) -> dict[tuple[date, str], dict]:
    """The same from TeamChangeDay for the whole days."""
    parts = split(filters)
    if _by_day_raw(filters, parts):
        return raw_daily_model_stats(team=team, filters=filters)
    rows = (
        _commit_days(TeamChangeDay, team=team, filters=filters, days=parts.days)
        .filter(accepted=True)
        .values("day", "model")
        .annotate(changes=_total("changes"), lines=_total("lines"))
        .filter(changes__gt=0)
        .order_by("day", "model")
    )
    out = _by_key(rows, "day", "model")
    for edge in parts.edges:
        _add_rows(out, raw_daily_model_stats(team=team, filters=edge))
    return dict(sorted(out.items()))


def models_used(*, team: Team, filters: Filters) -> list[str]:
    """The models named by the window's accepted changes (the dashboard's model filter), most
    used first."""
    totals: dict[str, int] = {}
    for (_day, model), row in daily_model_stats(
        team=team, filters=replace(filters, model=None)
    ).items():
        totals[model] = totals.get(model, 0) + row["lines"]
    return sorted((m for m in totals if m), key=lambda m: (-totals[m], m))


def raw_member_file_ranking(
    *, team: Team, filters: Filters, limit: int, counted: bool = False
) -> list[dict]:
    """The member ranking under an extension filter: lines added and AI lines added in the
    files of those extensions (the commits' per-file rows); commits counted whole, as the
    commits measure is (the catalog: not split by extension)."""
    files = (
        metric_commit_files(team=team, filters=filters)
        .values(member_id=F("commit__member_id"))
        .annotate(total=_total("lines_added"), ai=_total("ai_lines_added"), commits=Value(0))
    )
    commits = (
        metric_commits(team=team, filters=filters)
        .values("member_id")
        .annotate(total=Value(0), ai=Value(0), commits=Count("pk"))
    )
    return _ranked([files, commits], limit, counted=counted)


def ranking(*, team: Team, filters: Filters, limit: int) -> tuple[list[dict], int]:
    """The dashboard's member ranking, and how many members it has before the limit: by
    commits, or by their files under an extension filter (the catalog's extension dimension
    applies to lines, through file rows)."""
    if filters.file_extensions:
        rows = raw_member_file_ranking(team=team, filters=filters, limit=limit, counted=True)
    else:
        rows = member_ranking(team=team, filters=filters, limit=limit, counted=True)
    count = rows[0]["ranked"] if rows else 0
    for row in rows:
        del row["ranked"]
    return rows, count


def member_count(*, team: Team, filters: Filters) -> int:
    """How many members committed in the window (the raw ranking's length before its limit:
    a window within one day)."""
    qs = metric_commits(team=team, filters=filters)
    if filters.file_extensions:
        qs = qs.filter(files__in=metric_commit_files(team=team, filters=filters))
    return qs.values("member_id").distinct().count()


def raw_repo_totals(*, team: Team, filters: Filters) -> dict[str | None, dict]:
    """Per repository (None: commits without one): commits, lines added, AI lines added."""
    rows = (
        metric_commits(team=team, filters=filters)
        .values("repo_name")
        .annotate(commits=Count("pk"), total=_total("total_lines_added"), ai=_total(AI_ADDED))
        .order_by()
    )
    return {row.pop("repo_name"): row for row in rows}


def raw_repo_file_totals(*, team: Team, filters: Filters) -> dict[str | None, dict]:
    rows = (
        metric_commit_files(team=team, filters=filters)
        .values(repo=F("commit__repo_name"))
        .annotate(total=_total("lines_added"), ai=_total("ai_lines_added"))
        .order_by()
    )
    return {row.pop("repo"): row for row in rows}


def repo_totals(*, team: Team, filters: Filters) -> dict[str | None, dict]:
    """Every repository of the window with commits, lines added and AI lines added, commits
    without a repository under None: the rows add up to the window's totals. Under an
    extension filter the lines come from the files of those extensions (commits do not)."""
    parts = split(filters)
    if filters.who is not None or parts.days is None:
        out = raw_repo_totals(team=team, filters=filters)
        lines = (
            raw_repo_file_totals(team=team, filters=filters) if filters.file_extensions else None
        )
    else:
        rows = (
            _commit_days(TeamCommitDay, team=team, filters=filters, days=parts.days)
            .values("repo_known", "repo_name")
            .annotate(commits=_total("commits"), total=_total("lines_added"), ai=_total("ai_added"))
            .order_by()
        )
        out = {}
        for row in rows:
            known, name = row.pop("repo_known"), row.pop("repo_name")
            name = name if known else None
            _add_rows(out, {name: row})
        lines = None
        if filters.file_extensions:
            files = (
                _commit_days(TeamFileDay, team=team, filters=filters, days=parts.days)
                .values("repo_known", "repo_name")
                .annotate(total=_total("lines_added"), ai=_total("ai_added"))
                .order_by()
            )
            lines = {}
            for row in files:
                known, name = row.pop("repo_known"), row.pop("repo_name")
                _add_rows(lines, {name if known else None: row})
        for edge in parts.edges:
            _add_rows(out, raw_repo_totals(team=team, filters=edge))
            if lines is not None:
                _add_rows(lines, raw_repo_file_totals(team=team, filters=edge))
    if lines is not None:
        for name, row in out.items():
            row.update(lines.get(name) or {"total": 0, "ai": 0})
    return {name: row for name, row in out.items() if row["commits"] > 0}


def has_records(*, team: Team) -> bool:
    """Whether the team has any commit, change or message (from the summary tables)."""
    return (
        TeamCommitDay.objects.of(team).filter(commits__gt=0).exists()
        or TeamChangeDay.objects.of(team).filter(changes__gt=0).exists()
        or TeamMessageDay.objects.of(team).filter(messages__gt=0).exists()
    )
