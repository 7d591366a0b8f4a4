"""Rollups: the figures' summary tables, kept current in the same transaction as every write.

Every write of records is turned into a *delta*: the old rows' contribution out, the new rows'
in (`Delta.remove` / `Delta.add`), then `Delta.apply` adds it to the summary rows with one
`INSERT ... ON CONFLICT DO UPDATE SET n = t.n + excluded.n` per table, keys in a fixed order
so two writers cannot deadlock on them and neither loses an increment. A record sent again
unchanged contributes nothing; an update moves its old contribution out and the new one in.

Writers (every one goes through here):
- the ingestion writers (tracking/ingest/writers.py: HTTP, `manage.py ingest`, the sync, the
  demo's seeding), with the old rows they read under lock and the new rows they wrote;
- ORM saves of single records (`Model.save()`: factories, the shell), by the signals below;
- deletes: `forget(queryset)` (the admin) and a member's delete (signal); a team's delete
  cascades to its summary rows;
- a bulk load that bypasses all of that (a restore, a hand-written COPY) is followed by
  `rebuild(team)` (`manage.py rollups rebuild`).

`rebuild` recomputes a team's tables from the raw rows in SQL (a second, independent
computation), `verify` compares the two. Tables: tracking/models.py; docs/rollups.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime

from django.apps import apps as global_apps
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, TruncDate, TruncHour
from django.db.models.lookups import GreaterThan
from django.db.models.signals import post_save, pre_delete, pre_save

from common.db import is_postgresql
from tracking.models import AI_PAIRS

COMMITS, CHANGES, MESSAGES, FILES = "commits", "changes", "messages", "files"
ADDED = tuple(f"{p}_lines_added" for p in AI_PAIRS)
DELETED = tuple(f"{p}_lines_deleted" for p in AI_PAIRS)


def _plus_columns(columns):
    expression = F(columns[0])
    for column in columns[1:]:
        expression = expression + F(column)
    return expression


# The raw columns a record's contribution depends on, per kind.
COLUMNS = {
    COMMITS: (
        "id", "member_id", "repo_name", "is_primary_branch", "total_lines_added",
        "total_lines_deleted", *ADDED, *DELETED, "commit_ts", "created_at",
    ),
    CHANGES: (
        "member_id", "source", "model", "accepted", "total_lines_added", "total_lines_deleted",
        "metadata", "created_at",
    ),
    MESSAGES: ("member_id", "created_at"),
}  # fmt: skip
FILE_COLUMNS = ("file_extension", "lines_added", "ai_lines_added")

# Summary tables: (model name, dimensions besides team, measures). Keys are written in this
# order of tables, then sorted: every writer takes the row locks in the same order.
TABLES = (
    ("HourCount", ("kind", "hour"), ("n",)),
    ("TeamCommitDay", ("day", "repo_known", "repo_name", "primary"),
     ("commits", "lines_added", "lines_deleted", "ai_added", "ai_deleted", "other_added",
      "over_ai")),
    ("MemberCommitDay", ("day", "member_id", "repo_known", "repo_name", "primary"),
     ("commits", "lines_added", "lines_deleted", "ai_added", "ai_deleted", "other_added",
      "over_ai")),
    ("MemberCommitSpan", ("level", "start", "member_id", "primary"),
     ("commits", "lines_added", "ai_added")),
    ("TeamFileDay", ("day", "repo_known", "repo_name", "primary", "file_extension"),
     ("files", "lines_added", "ai_added")),
    ("TeamExtDay", ("day", "file_extension"), ("files", "lines_added", "ai_added")),
    ("TeamChangeDay", ("day", "source", "accepted", "model"), ("changes", "lines")),
    ("TeamChangeExtDay", ("day", "file_extension"), ("changes",)),
    ("TeamMessageDay", ("day",), ("messages",)),
    # Commit attribution by tool and model: moved by tracking/attribution/resolve.py.
    ("TeamToolDay", ("day", "repo_known", "repo_name", "primary", "tool", "model", "kind"),
     ("commits", "lines_added", "lines_deleted")),
)  # fmt: skip
SPEC = {name: (dims, measures) for name, dims, measures in TABLES}


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _hour(moment: datetime) -> datetime:
    return _utc(moment).replace(minute=0, second=0, microsecond=0)


def _day(moment: datetime) -> date:
    return _utc(moment).date()


def _extensions(metadata) -> set[str]:
    if not isinstance(metadata, list):
        return set()
    found = set()
    for entry in metadata:
        if isinstance(entry, dict):
            ext = entry.get("fileExtension")
            if isinstance(ext, str):
                found.add(ext)
    return found


SPAN_LEVELS = range(7)  # spans of 1, 2, 4, ... 64 days


def spans_of(day: date) -> Iterator[tuple[int, date]]:
    """The aligned spans (level, first day) that contain `day`, one per level."""
    ordinal = day.toordinal()
    for level in SPAN_LEVELS:  # aligned on ordinal 1 (0001-01-01), so no span starts before it
        yield level, date.fromordinal(ordinal - (ordinal - 1) % (1 << level))


def spans_covering(first: date, last: date) -> list[tuple[int, date]]:
    """The fewest aligned spans that cover first..last exactly (greedy: the largest span that
    starts at the next day and does not pass `last`)."""
    out = []
    day, stop = first.toordinal(), last.toordinal()
    while day <= stop:
        level = max(SPAN_LEVELS)
        while (day - 1) % (1 << level) or day + (1 << level) - 1 > stop:
            level -= 1
        out.append((level, date.fromordinal(day)))
        day += 1 << level
    return out


def spans_from_days(rows) -> dict[tuple, list[int]]:
    """MemberCommitSpan from (day, member, primary, commits, lines added, AI added) rows."""
    spans: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for day, member, primary, commits, added, ai in rows:
        for level, start in spans_of(as_date(day)):
            row = spans[(level, start, member, bool(primary))]
            row[0] += commits
            row[1] += added
            row[2] += ai
    return dict(spans)


def rebuild_spans(team_id: int, apps=global_apps) -> int:
    """Recompute MemberCommitSpan alone, from MemberCommitDay (migration 0007)."""
    days = apps.get_model("tracking", "MemberCommitDay").objects.filter(team_id=team_id)
    rows = spans_from_days(
        days.values_list(
            "day", "member_id", "primary", "commits", "lines_added", "ai_added"
        ).iterator(chunk_size=20_000)
    )
    apps.get_model("tracking", "MemberCommitSpan").objects.filter(team_id=team_id).delete()
    dims, measures = SPEC["MemberCommitSpan"]
    return _upsert(team_id, "MemberCommitSpan", dims, measures, rows) if rows else 0


def points(kind: str, row: dict) -> Iterator[tuple[str, tuple, tuple]]:
    """(table, key, measures) of one raw row: what it adds to the summary tables.

    A commit row carries its files as `files`: [(extension, lines added, AI lines added)].
    """
    if kind == COMMITS:
        day = _day(row["commit_ts"] or row["created_at"])
        ai_added = sum(row[c] for c in ADDED)
        ai_deleted = sum(row[c] for c in DELETED)
        added, deleted = row["total_lines_added"], row["total_lines_deleted"]
        repo = (row["repo_name"] is not None, row["repo_name"] or "")
        primary = row["is_primary_branch"] is True
        over = int(ai_added > added or ai_deleted > deleted)
        measures = (1, added, deleted, ai_added, ai_deleted, max(0, added - ai_added), over)
        yield "HourCount", (COMMITS, _hour(row["created_at"])), (1,)
        yield "TeamCommitDay", (day, *repo, primary), measures
        yield "MemberCommitDay", (day, row["member_id"], *repo, primary), measures
        for level, start in spans_of(day):
            yield (
                "MemberCommitSpan",
                (level, start, row["member_id"], primary),
                (1, added, ai_added),
            )
        for ext, lines, ai in row.get("files") or ():
            yield "TeamFileDay", (day, *repo, primary, ext), (1, lines, ai)
            yield "TeamExtDay", (day, ext), (1, lines, ai)
    elif kind == CHANGES:
        day, accepted = _day(row["created_at"]), bool(row["accepted"])
        lines = row["total_lines_added"] + row["total_lines_deleted"]
        yield "TeamChangeDay", (day, row["source"], accepted, row["model"] or ""), (1, lines)
        if accepted:
            yield "HourCount", (CHANGES, _hour(row["created_at"])), (1,)
            for ext in sorted(_extensions(row["metadata"])):
                yield "TeamChangeExtDay", (day, ext), (1,)
    elif kind == MESSAGES:
        yield "TeamMessageDay", (_day(row["created_at"]),), (1,)
    else:
        raise ValueError(kind)


_EPOCH_DAY = date(1970, 1, 1).toordinal()


def _add_changes(coded: dict, rows: Iterable[dict], sign: int, stamp=None) -> None:
    """`points` for changes, inlined, with hours and days as integers (since the epoch) in the
    keys. Optimization: a 10,000-change request pays this per row on top of its COPY; the
    generic path (tuples of aware datetimes: slow to hash) took about 4 times as long."""
    hours = coded.setdefault("HourCount", {})
    days = coded.setdefault("TeamChangeDay", {})
    exts = coded.setdefault("TeamChangeExtDay", {})
    for row in rows:
        created = row["created_at"] or stamp  # a new record without createdAt: the stamp
        seconds = created.timestamp() if created.tzinfo else created.replace(tzinfo=UTC).timestamp()
        day = int(seconds // 86400)
        accepted = bool(row["accepted"])
        lines = sign * (row["total_lines_added"] + row["total_lines_deleted"])
        key = (day, row["source"], accepted, row["model"] or "")
        current = days.get(key)
        if current is None:
            days[key] = [sign, lines]
        else:
            current[0] += sign
            current[1] += lines
        if not accepted:
            continue
        hour = int(seconds // 3600)
        current = hours.get(hour)
        if current is None:
            hours[hour] = [sign]
        else:
            current[0] += sign
        metadata = row["metadata"]
        if metadata:
            for ext in _extensions(metadata):
                key = (day, ext)
                current = exts.get(key)
                if current is None:
                    exts[key] = [sign]
                else:
                    current[0] += sign


def _decoded(name: str, key) -> tuple:
    """A key of _add_changes in the tables' form."""
    if name == "HourCount":
        return (CHANGES, datetime.fromtimestamp(key * 3600, UTC))
    return (date.fromordinal(_EPOCH_DAY + key[0]), *key[1:])


class Delta:
    """What a write changes in the summary tables: per (table, key), per measure."""

    def __init__(self) -> None:
        self.sums: dict[str, dict[tuple, list[int]]] = defaultdict(dict)
        self.coded: dict[str, dict] = {}  # changes, keyed by integer days and hours

    def add(self, kind: str, rows: Iterable[dict], sign: int = 1, stamp=None) -> Delta:
        """`stamp`: the createdAt of new change rows that have none (the COPY path passes the
        records' own values, before the defaults)."""
        if kind == CHANGES:
            _add_changes(self.coded, rows, sign, stamp)
            return self
        for row in rows:
            for table, key, measures in points(kind, row):
                current = self.sums[table].get(key)
                if current is None:
                    self.sums[table][key] = [sign * m for m in measures]
                else:
                    for i, m in enumerate(measures):
                        current[i] += sign * m
        return self

    def remove(self, kind: str, rows: Iterable[dict]) -> Delta:
        return self.add(kind, rows, sign=-1)

    def changed(self) -> dict[str, dict[tuple, list[int]]]:
        for name, coded in self.coded.items():
            table = self.sums[name]
            for key, measures in coded.items():
                key = _decoded(name, key)
                current = table.get(key)
                if current is None:
                    table[key] = measures
                else:
                    for i, m in enumerate(measures):
                        current[i] += m
        self.coded = {}
        return {
            table: {key: m for key, m in sums.items() if any(m)}
            for table, sums in self.sums.items()
        }

    def apply(self, team_id: int) -> int:
        """Add the delta to the team's summary rows; returns how many rows it touched."""
        changed = self.changed()
        touched = 0
        for name, dims, measures in TABLES:
            rows = changed.get(name)
            if rows:
                touched += _upsert(team_id, name, dims, measures, rows)
        self.sums.clear()
        return touched


CHUNK = 1000


def _upsert(team_id: int, name: str, dims, measures, rows: dict[tuple, list[int]]) -> int:
    model = global_apps.get_model("tracking", name)
    table = model._meta.db_table
    cols = ("team_id", *dims, *measures)
    quoted = [connection.ops.quote_name(c) for c in cols]
    conflict = ", ".join(quoted[: 1 + len(dims)])
    increments = ", ".join(f"{q} = t.{q} + EXCLUDED.{q}" for q in quoted[1 + len(dims) :])
    ordered = sorted(rows.items(), key=lambda item: _sort_key(item[0]))
    head = f"INSERT INTO {table} AS t ({', '.join(quoted)}) "
    tail = f" ON CONFLICT ({conflict}) DO UPDATE SET {increments}"
    with connection.cursor() as cursor:
        if is_postgresql():
            # Optimization: one array per column through unnest (in key order, so the lock
            # order holds), not a VALUES list of thousands of parameters: psycopg's client-side
            # conversion of those took longer than the statement (in-process profile of
            # `manage.py ingest`: 0.84 of 1.5 s of rollup writes per 50,000 changes).
            columns = [[team_id] * len(ordered)]
            columns += [list(c) for c in zip(*(key for key, _ in ordered), strict=True)]
            columns += [list(c) for c in zip(*(sums for _, sums in ordered), strict=True)]
            types = [_pg_array_type(model, c) for c in cols]
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            cursor.execute(f"{head}SELECT * FROM unnest({arrays}){tail}", columns)
            return len(ordered)
        adapt = _adapter(model, dims)
        one = f"({', '.join(['%s'] * len(cols))})"
        for i in range(0, len(ordered), CHUNK):
            chunk = ordered[i : i + CHUNK]
            params = []
            for key, sums in chunk:
                params += [team_id, *(a(v) for a, v in zip(adapt, key, strict=True)), *sums]
            cursor.execute(f"{head}VALUES {', '.join([one] * len(chunk))}{tail}", params)
    return len(ordered)


def _pg_array_type(model, column: str) -> str:
    field = model._meta.get_field(column.removesuffix("_id") if column.endswith("_id") else column)
    kind = field.get_internal_type()
    if kind in ("ForeignKey", "BigIntegerField", "BigAutoField"):
        return "bigint"
    if kind == "CharField":
        return "text"
    return field.db_type(connection)


def _sort_key(key: tuple) -> tuple:
    return tuple((0, v) if not isinstance(v, str) else (1, v) for v in key)


def _adapter(model, dims):
    ops = connection.ops
    out = []
    for dim in dims:
        field = model._meta.get_field(dim.removesuffix("_id") if dim == "member_id" else dim)
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            out.append(ops.adapt_datetimefield_value)
        elif kind == "DateField":
            out.append(ops.adapt_datefield_value)
        else:
            out.append(lambda v: v)
    return out


# -- reading raw rows as contribution rows ------------------------------------------------


def commit_rows(queryset, *, files: bool = True) -> list[dict]:
    """The contribution rows of the commits in `queryset`, with their files."""
    rows = list(queryset.values(*COLUMNS[COMMITS]))
    if files:
        attach_files(rows)
    return rows


def attach_files(rows: list[dict], files: dict[int, list] | None = None) -> None:
    """Set row["files"] from the stored commit files (or from `files`, by commit id)."""
    if files is None:
        files = stored_files([row["id"] for row in rows])
    for row in rows:
        row["files"] = files.get(row["id"], [])


def stored_files(commit_ids: list[int]) -> dict[int, list]:
    from tracking.models import CommitFile

    found: dict[int, list] = defaultdict(list)
    for i in range(0, len(commit_ids), 5000):
        chunk = commit_ids[i : i + 5000]
        for commit_id, *row in CommitFile.objects.filter(commit_id__in=chunk).values_list(
            "commit_id", *FILE_COLUMNS
        ):
            found[commit_id].append(tuple(row))
    return found


def rows_of(kind: str, queryset) -> list[dict]:
    if kind == COMMITS:
        return commit_rows(queryset)
    return list(queryset.values(*COLUMNS[kind]))


KIND_OF_MODEL = {"Commit": COMMITS, "Change": CHANGES, "Message": MESSAGES}


def forget(queryset) -> None:
    """Take the rows of `queryset` (Commit, Change or Message) out of the summary tables; call
    it before deleting them, in the same transaction."""
    kind = KIND_OF_MODEL[queryset.model.__name__]
    by_team: dict[int, list[dict]] = defaultdict(list)
    for row in queryset.values("team_id", *COLUMNS[kind]):
        by_team[row.pop("team_id")].append(row)
    for team_id, rows in sorted(by_team.items()):
        if kind == COMMITS:
            attach_files(rows)
        Delta().remove(kind, rows).apply(team_id)
    if kind == COMMITS:
        from tracking.attribution.resolve import commits_deleting

        commits_deleting(queryset)


# -- single-object ORM saves and member deletes (signals) ---------------------------------


def _instance_row(kind: str, obj) -> dict:
    return {c: getattr(obj, c) for c in COLUMNS[kind] if c != "id"} | {"id": obj.pk}


def _on_pre_save(sender, instance, raw=False, **kwargs) -> None:
    kind = KIND_OF_MODEL[sender.__name__]
    instance._rollup_old = None
    if instance.pk is not None:
        old = rows_of(kind, sender._default_manager.filter(pk=instance.pk))
        instance._rollup_old = old[0] if old else None


def _on_post_save(sender, instance, raw=False, **kwargs) -> None:
    kind = KIND_OF_MODEL[sender.__name__]
    old = getattr(instance, "_rollup_old", None)
    new = _instance_row(kind, instance)
    if kind == COMMITS:
        new["files"] = old["files"] if old else stored_files([instance.pk]).get(instance.pk, [])
    delta = Delta().add(kind, [new])
    if old is not None:
        delta.remove(kind, [old])
    delta.apply(instance.team_id)


def _on_file_save(sender, instance, **kwargs) -> None:
    instance._rollup_old = None
    if instance.pk is not None:
        instance._rollup_old = (
            sender._default_manager.filter(pk=instance.pk).values_list(*FILE_COLUMNS).first()
        )


def _on_file_post_save(sender, instance, **kwargs) -> None:
    from tracking.models import Commit

    commit = commit_rows(Commit.objects.filter(pk=instance.commit_id), files=False)[0]
    team_id = Commit.objects.filter(pk=instance.commit_id).values_list("team_id", flat=True)[0]
    delta = Delta().add(
        COMMITS, [commit | {"files": [tuple(getattr(instance, c) for c in FILE_COLUMNS)]}]
    )
    delta.remove(
        COMMITS, [commit | {"files": [instance._rollup_old] if instance._rollup_old else []}]
    )
    delta.apply(team_id)


def _on_member_delete(sender, instance, origin=None, **kwargs) -> None:
    from tracking.models import Change, Commit, Message

    team_model = global_apps.get_model("teams", "Team")
    if isinstance(origin, team_model) or getattr(origin, "model", None) is team_model:
        return  # the team goes too: its summary rows cascade with it
    for model, kind in ((Commit, COMMITS), (Change, CHANGES), (Message, MESSAGES)):
        rows = rows_of(kind, model.objects.filter(team_id=instance.team_id, member=instance))
        if rows:
            Delta().remove(kind, rows).apply(instance.team_id)


def connect_signals() -> None:
    """Called from TrackingConfig.ready()."""
    for name in KIND_OF_MODEL:
        model = global_apps.get_model("tracking", name)
        pre_save.connect(_on_pre_save, sender=model, dispatch_uid=f"rollups-pre-{name}")
        post_save.connect(_on_post_save, sender=model, dispatch_uid=f"rollups-post-{name}")
    commit_file = global_apps.get_model("tracking", "CommitFile")
    pre_save.connect(_on_file_save, sender=commit_file, dispatch_uid="rollups-pre-file")
    post_save.connect(_on_file_post_save, sender=commit_file, dispatch_uid="rollups-post-file")
    member = global_apps.get_model("teams", "Member")
    pre_delete.connect(_on_member_delete, sender=member, dispatch_uid="rollups-member-delete")


# -- rebuild and verify: the same tables computed from the raw rows in SQL -----------------


def as_date(value) -> date:
    # SQLite hands back TruncDate as a string on some Django/driver combinations.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _as_hour(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return _utc(value)


def _norm(name: str, key: tuple) -> tuple:
    dims = SPEC[name][0]
    out = []
    for dim, value in zip(dims, key, strict=True):
        if dim == "day":
            value = as_date(value)
        elif dim == "hour":
            value = _as_hour(value)
        elif dim in ("repo_known", "primary", "accepted"):
            value = bool(value)
        elif dim == "start":
            value = as_date(value)
        out.append(value)
    return tuple(out)


def _sum(expression):
    return Coalesce(Sum(expression), Value(0))


# A commit whose AI lines exceed its lines (catalog `ai_over_total`), as a filter on Commit.
OVER_AI = Q(GreaterThan(_plus_columns(ADDED), F("total_lines_added"))) | Q(
    GreaterThan(_plus_columns(DELETED), F("total_lines_deleted"))
)


def computed(team_id: int, apps=global_apps, progress=None) -> dict[str, dict[tuple, list[int]]]:
    """Every summary table of the team, computed from the raw rows (GROUP BY in SQL).
    `progress(step)` is called after each step (big teams take a while)."""
    progress = progress or (lambda step: None)
    from django.db.models import BooleanField, ExpressionWrapper

    Commit = apps.get_model("tracking", "Commit")
    CommitFile = apps.get_model("tracking", "CommitFile")
    Change = apps.get_model("tracking", "Change")
    Message = apps.get_model("tracking", "Message")
    out: dict[str, dict[tuple, list[int]]] = {name: {} for name, _, _ in TABLES}

    def put(name: str, rows, dims: tuple[str, ...], measures: tuple[str, ...]) -> None:
        table = out[name]
        for row in rows:
            key = _norm(name, tuple(row[d] for d in dims))
            sums = table.setdefault(key, [0] * len(measures))
            for i, m in enumerate(measures):
                sums[i] += row[m]

    commits = Commit.objects.filter(team_id=team_id)
    changes = Change.objects.filter(team_id=team_id)
    for kind, qs in ((COMMITS, commits), (CHANGES, changes.filter(accepted=True))):
        hours = qs.annotate(h=TruncHour("created_at", tzinfo=UTC), k=Value(kind))
        put("HourCount", hours.values("k", "h").annotate(n=Count("id")).order_by(),
            ("k", "h"), ("n",))  # fmt: skip
    progress("hourly counts")

    known = ExpressionWrapper(Q(repo_name__isnull=False), output_field=BooleanField())
    ai_added, ai_deleted = _plus_columns(ADDED), _plus_columns(DELETED)
    by_member = (
        commits.annotate(
            d=TruncDate("occurred_at", tzinfo=UTC), rk=known, rn=Coalesce("repo_name", Value("")),
            pr=Coalesce("is_primary_branch", Value(False)),
        )
        .values("d", "member_id", "rk", "rn", "pr")
        .annotate(
            c=Count("id"), la=_sum("total_lines_added"), ld=_sum("total_lines_deleted"),
            aa=_sum(ai_added), ad=_sum(ai_deleted),
            oa=_sum(Greatest(F("total_lines_added") - ai_added, Value(0))),
            ov=Count("id", filter=OVER_AI),
        )
        .order_by()
    )  # fmt: skip
    measures = ("c", "la", "ld", "aa", "ad", "oa", "ov")
    put("MemberCommitDay", by_member, ("d", "member_id", "rk", "rn", "pr"), measures)
    out["TeamCommitDay"] = _regrouped(out["MemberCommitDay"], lambda k: (k[0], *k[2:]))
    out["MemberCommitSpan"] = spans_from_days(
        (day, member, pr, c, la, aa)
        for (day, member, _rk, _rn, pr), (c, la, _ld, aa, *_rest) in out["MemberCommitDay"].items()
    )
    progress("commits per day")

    files = (
        CommitFile.objects.filter(commit__team_id=team_id)
        .annotate(
            d=TruncDate("commit__occurred_at", tzinfo=UTC),
            rk=ExpressionWrapper(Q(commit__repo_name__isnull=False), output_field=BooleanField()),
            rn=Coalesce("commit__repo_name", Value("")),
            pr=Coalesce("commit__is_primary_branch", Value(False)),
        )
        .values("d", "rk", "rn", "pr", "file_extension")
        .annotate(n=Count("id"), la=_sum("lines_added"), aa=_sum("ai_lines_added"))
        .order_by()
    )
    put("TeamFileDay", files, ("d", "rk", "rn", "pr", "file_extension"), ("n", "la", "aa"))
    out["TeamExtDay"] = _regrouped(out["TeamFileDay"], lambda k: (k[0], k[4]))
    progress("commit files per day")

    by_day = (
        changes.annotate(d=TruncDate("created_at", tzinfo=UTC), m=Coalesce("model", Value("")))
        .values("d", "source", "accepted", "m")
        .annotate(c=Count("id"), li=_sum(F("total_lines_added") + F("total_lines_deleted")))
        .order_by()
    )
    put("TeamChangeDay", by_day, ("d", "source", "accepted", "m"), ("c", "li"))
    progress("changes per day")
    put("TeamChangeExtDay", _change_extension_days(changes.filter(accepted=True)),
        ("d", "ext"), ("c",))  # fmt: skip
    progress("change extensions per day")

    messages = (
        Message.objects.filter(team_id=team_id)
        .annotate(d=TruncDate("created_at", tzinfo=UTC))
        .values("d")
        .annotate(c=Count("id"))
        .order_by()
    )
    put("TeamMessageDay", messages, ("d",), ("c",))
    progress("messages per day")
    from tracking.attribution.resolve import computed as tool_days

    out["TeamToolDay"] = {_norm("TeamToolDay", k): v for k, v in tool_days(team_id, apps).items()}
    progress("attributed lines per day")
    return out


def _regrouped(table: dict[tuple, list[int]], key) -> dict[tuple, list[int]]:
    """A coarser table from a finer one: rows summed by `key(finer key)`."""
    out: dict[tuple, list[int]] = {}
    for finer, sums in table.items():
        row = out.setdefault(key(finer), [0] * len(sums))
        for i, m in enumerate(sums):
            row[i] += m
    return out


def _change_extension_days(changes) -> list[dict]:
    """Per day and extension: the changes whose metadata names it (each change once)."""
    inner = changes.annotate(d=TruncDate("created_at", tzinfo=UTC)).values(
        cid=F("pk"), meta=F("metadata"), day=F("d")
    )
    sub_sql, params = inner.query.sql_with_params()
    if is_postgresql():
        pairs = (
            f"SELECT c.day, x.ext FROM ({sub_sql}) c CROSS JOIN LATERAL (SELECT DISTINCT "
            "e ->> 'fileExtension' AS ext FROM jsonb_array_elements(CASE WHEN "
            "jsonb_typeof(c.meta) = 'array' THEN c.meta ELSE '[]'::jsonb END) e "
            "WHERE jsonb_typeof(e) = 'object' AND jsonb_typeof(e -> 'fileExtension') = 'string') x"
        )
    else:
        pairs = (
            "SELECT DISTINCT c.cid, c.day, json_extract(e.value, '$.fileExtension') AS ext "
            f"FROM ({sub_sql}) c, json_each(CASE WHEN json_type(c.meta) = 'array' "
            "THEN c.meta ELSE '[]' END) e WHERE e.type = 'object' "
            "AND json_type(e.value, '$.fileExtension') = 'text'"
        )
    sql = f"SELECT p.day, p.ext, COUNT(*) FROM ({pairs}) p GROUP BY p.day, p.ext"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [{"d": day, "ext": ext, "c": n} for day, ext, n in cursor.fetchall()]


def stored(team_id: int, apps=global_apps) -> dict[str, dict[tuple, list[int]]]:
    """The summary tables as stored (rows whose measures are all 0 left out)."""
    out = {}
    for name, dims, measures in TABLES:
        model = apps.get_model("tracking", name)
        table = {}
        for row in model.objects.filter(team_id=team_id).values_list(*dims, *measures):
            sums = list(row[len(dims) :])
            if any(sums):
                table[_norm(name, row[: len(dims)])] = sums
        out[name] = table
    return out


def differences(team_id: int, apps=global_apps, progress=None) -> list[str]:
    """Each way the stored tables differ from a recomputation, as one line."""
    want, have = computed(team_id, apps, progress), stored(team_id, apps)
    lines = []
    for name, dims, measures in TABLES:
        w, h = want[name], have[name]
        for key in sorted(set(w) | set(h), key=_sort_key):
            if w.get(key) != h.get(key):
                where = ", ".join(f"{d}={v}" for d, v in zip(dims, key, strict=True))
                lines.append(
                    f"{name} [{where}]: stored {_shown(measures, h.get(key))}, "
                    f"recomputed {_shown(measures, w.get(key))}"
                )
    return lines


def _shown(measures, sums) -> str:
    if sums is None:
        return "nothing"
    return " ".join(f"{m}={v}" for m, v in zip(measures, sums, strict=True))


def lock_for_writes(team_id: int) -> None:
    """Writers hold the team row FOR KEY SHARE (they do not block each other), `rebuild` FOR
    UPDATE: a rebuild waits for the writes in flight and holds new ones until it commits, so
    none of their deltas lands between its recomputation and its rows."""
    _lock_team(team_id, "FOR KEY SHARE")


def _lock_team(team_id: int, mode: str) -> None:
    if is_postgresql():
        table = global_apps.get_model("teams", "Team")._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s {mode}", [team_id])


def rebuild(team_id: int, apps=global_apps, progress=None) -> int:
    """Replace the team's summary rows by a recomputation; returns the rows written."""
    written = 0
    with transaction.atomic():
        _lock_team(team_id, "FOR UPDATE")
        want = computed(team_id, apps, progress)
        for name, dims, measures in TABLES:
            apps.get_model("tracking", name).objects.filter(team_id=team_id).delete()
            rows = {k: v for k, v in want[name].items() if any(v)}
            if rows:
                written += _upsert(team_id, name, dims, measures, rows)
    return written


def over_ai_commits(team_id: int, apps=global_apps) -> int:
    """The team's commits whose AI lines exceed their lines (catalog `ai_over_total`), from the
    records: `rollups verify` prints it as a data-quality note."""
    return (
        apps.get_model("tracking", "Commit").objects.filter(team_id=team_id).filter(OVER_AI).count()
    )
