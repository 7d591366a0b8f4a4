"""Bulk upserts of validated records, idempotent by identity.

PostgreSQL: COPY into a TEMP staging table, then one INSERT ... SELECT ... ON CONFLICT DO
UPDATE ... WHERE row IS DISTINCT FROM new row, so re-sending identical records writes nothing
and counts nothing. SQLite (development, small data): read the batch's existing rows, compare
in Python, and executemany one INSERT ... ON CONFLICT for the new and changed rows only.

"Keep what is stored" rules, so that re-ingesting a narrower export (a CSV has no range
annotations or files, Qoder's change CSV no metadata) does not erase what a richer source sent:
- createdAt absent: a new row gets the request's server stamp, an existing row keeps its own
  (incremental syncers read by createdAt and must not see the record again);
- change metadata absent or null: a new row gets [], an existing row keeps its own;
- rangeAnnotations absent or null: the stored value is kept (send [] to clear). Commit files
  likewise: absent keeps, a list (even empty) replaces.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, connection, transaction

from common.db import copy_rows, is_postgresql
from teams.models import Team
from tracking.formats import PAIR_FIELDS
from tracking.ingest import jsonfast
from tracking.ingest.records import CHANGES, COMMITS, MESSAGES, Record
from tracking.models import Change, Commit, CommitFile, Message
from tracking.rollups import COLUMNS, Delta, attach_files, lock_for_writes


@dataclass(frozen=True)
class WriteSpec:
    """How one record kind is written: its table, columns, identity and keep-what-is-stored
    rules."""

    model: type
    columns: tuple[str, ...]  # written columns, besides team_id
    key: tuple[str, ...]  # identity columns, besides team_id
    conflict: str  # the ON CONFLICT target matching the identity's unique index
    json_columns: tuple[str, ...] = ()
    # NOT NULL columns a record may leave out: None keeps the stored value, else this default
    # (SQL text; None = the request's server stamp).
    keep: tuple[tuple[str, str | None], ...] = (("created_at", None),)


WRITE_SPECS = {
    COMMITS: WriteSpec(
        model=Commit,
        columns=(
            "member_id", "commit_hash", "repo_name", "branch_name", "is_primary_branch",
            "total_lines_added", "total_lines_deleted", *PAIR_FIELDS.values(), "message",
            "commit_ts", "created_at", "range_annotations", "commit_source",
        ),
        key=("repo_name", "commit_hash"),
        conflict="(team_id, COALESCE(repo_name, ''), commit_hash)",
        json_columns=("range_annotations",),
    ),
    CHANGES: WriteSpec(
        model=Change,
        columns=(
            "member_id", "change_id", "source", "model", "accepted", "total_lines_added",
            "total_lines_deleted", "metadata", "created_at",
        ),
        key=("change_id",),
        conflict="(team_id, change_id)",
        json_columns=("metadata",),
        keep=(("created_at", None), ("metadata", "'[]'::jsonb")),
    ),
    MESSAGES: WriteSpec(
        model=Message,
        columns=("member_id", "message_id", "source", "model", "conversation_id", "created_at"),
        key=("message_id",),
        conflict="(team_id, message_id)",
    ),
}  # fmt: skip


@dataclass
class Written:
    created: int = 0
    updated: int = 0


@dataclass
class WriteState:
    """What one request or file learned about the team's table, batch to batch."""

    # Try a plain COPY first (PostgreSQL). Cleared by the first batch that meets a stored
    # identity: a file that re-sends records would otherwise pay a failed COPY per batch.
    copy_new: bool = True


def write_batch(
    *,
    team: Team,
    kind: str,
    records: list[Record],
    stamp: datetime,
    state: WriteState | None = None,
) -> Written:
    """Upsert one batch (already validated, members resolved). Last duplicate identity wins.

    The batch is written in identity order: two requests that carry the same new identities
    in different orders then wait for each other's rows in the same order instead of
    deadlocking on the unique index (measured before: 13 of 19 such pairs deadlocked).
    """
    if kind not in WRITE_SPECS:  # editor activity records: tracking/ingest/activity.py
        from tracking.ingest import activity

        return activity.write_batch(team=team, kind=kind, records=records, stamp=stamp)
    unique = sorted({record.key: record for record in records}.values(), key=identity_order)
    spec = WRITE_SPECS[kind]
    # The summary tables (tracking/rollups.py) move by the write's delta, in this transaction:
    # the old rows (read under lock) out, the rows as written in.
    moved = Moved()
    lock_for_writes(team.pk)
    if is_postgresql():
        written = _pg_upsert(team, kind, spec, unique, stamp, state or WriteState(), moved)
    else:
        written = _sqlite_upsert(team, kind, spec, unique, stamp, moved)
    if kind == COMMITS:
        replaced = _sync_files(team, unique, moved)
        written.updated += sum(1 for key in replaced if key not in moved.new)
        _commit_files_moved(unique, replaced, moved)
    delta = Delta()
    if moved.copied:
        if kind == CHANGES:
            delta.add(kind, (r.values for r in moved.copied), stamp=stamp)
        else:
            delta.add(kind, [_written_row(kind, r.values, stamp) for r in moved.copied])
    for key, new in moved.new.items():
        old = moved.old.get(key)
        if old is not None:
            delta.remove(kind, [old])
        delta.add(kind, [new])
    delta.apply(team.pk)
    if kind == COMMITS:  # commit attribution by tool (tracking/attribution/): written rows only
        from tracking.attribution.resolve import commits_written

        commits_written(team.pk, [*moved.new, *(r.key for r in moved.copied)])
    return written


class WriteRace(Exception):
    """A concurrent request stored one of this batch's new identities between this one's
    locked read and its write, so its old values are unknown: the request is tried again (the
    same retry as a deadlock), when the read sees them."""


@dataclass
class Moved:
    """Rows of a batch as they were (locked, by identity) and as written: only the written ones
    (created or changed) are in `new`."""

    old: dict = field(default_factory=dict)
    new: dict = field(default_factory=dict)
    copied: list = field(default_factory=list)  # records COPYed as new rows


def _commit_files_moved(records: list[Record], replaced: set, moved: Moved) -> None:
    """Give the commits' rows their files: the stored ones before, the record's after where
    they were replaced. A commit written only for its files moves with its stored row."""
    for record in records:
        key = record.key
        old = moved.old.get(key)
        if key in replaced and key not in moved.new:
            moved.new[key] = dict(old)
        if key not in moved.new:
            continue
        new = moved.new[key]
        if key in replaced:
            new["files"] = [(f[1], f[2], f[4]) for f in record.files]
        else:
            new["files"] = old["files"] if old is not None else []


def identity_order(record: Record) -> tuple:
    return tuple("" if part is None else str(part) for part in record.key)


def _table(spec: WriteSpec) -> str:
    return spec.model._meta.db_table


def _key_sql(prefix: str, col: str) -> str:
    return f"COALESCE({prefix}{col}, '')" if col == "repo_name" else f"{prefix}{col}"


# -- PostgreSQL ---------------------------------------------------------------------------


def _pg_upsert(
    team: Team,
    kind: str,
    spec: WriteSpec,
    records: list[Record],
    stamp: datetime,
    state,
    moved: Moved,
) -> Written:
    if spec.model is not Commit and state.copy_new:
        if _pg_copy_new(team, spec, records, stamp):
            moved.copied = records  # all new: their contribution straight from the records
            return Written(created=len(records))
        state.copy_new = False  # identities are stored: a re-send, upsert the rest directly
    with connection.cursor() as cursor:
        _pg_stage(cursor, spec, records)
        for column, _ in spec.keep:
            if any(record.values[column] is None for record in records):
                _pg_keep(cursor, team, spec, column)
        moved.old = _pg_locked_old(cursor, team, kind, spec)
        cursor.execute(_pg_upsert_sql(kind, spec), {"team": team.pk, "stamp": stamp})
        rows = cursor.fetchall()
        cursor.execute("DROP TABLE ingest_stage")
    written = Written()
    width = len(spec.key)
    for inserted, *rest in rows:
        key = tuple(rest[:width])
        if inserted:
            written.created += 1
        else:
            written.updated += 1
            if key not in moved.old:
                raise WriteRace(key)
        moved.new[key] = _pg_row(kind, rest[width:])
    return written


def _pg_locked_old(cursor, team: Team, kind: str, spec: WriteSpec) -> dict[tuple, dict]:
    """The stored rows of the staged identities, locked until the transaction ends (FOR
    UPDATE), as rollup rows. A LATERAL probe per staged row: one index lookup each (see
    _pg_keep for why not a join).

    The team id is a sub-SELECT, not a literal: right after a team's first big load its
    statistics still say it has no rows, and with the literal the planner probed the
    (team, created_at) index with a filter instead of the identity index, reading the team's
    whole table per staged row (a 1M-row re-ingest ran for minutes per batch). With an
    unknown value it estimates a team's average size and picks the identity index."""
    match = " AND ".join(f"{_key_sql('t.', c)} = {_key_sql('s.', c)}" for c in spec.key)
    keys = ", ".join(_key_sql("t.", c) for c in spec.key)
    cols = ", ".join(f"t.{c}" for c in COLUMNS[kind])
    cursor.execute(
        f"SELECT x.* FROM ingest_stage s CROSS JOIN LATERAL (SELECT {keys}, {cols} "
        f"FROM {_table(spec)} t WHERE t.team_id = (SELECT %s::bigint) AND {match} "
        "FOR UPDATE) x",
        [team.pk],
    )
    width = len(spec.key)
    found = {tuple(row[:width]): _pg_row(kind, row[width:]) for row in cursor.fetchall()}
    if kind == COMMITS and found:
        attach_files(list(found.values()))
    return found


def _pg_row(kind: str, values) -> dict:
    row = dict(zip(COLUMNS[kind], values, strict=True))
    if kind == CHANGES and isinstance(row["metadata"], str):
        row["metadata"] = json.loads(row["metadata"])
    return row


def _written_row(kind: str, values: dict, stamp: datetime) -> dict:
    """A new row's rollup columns from its record (the COPY path: no defaults applied yet)."""
    row = {c: values.get(c) for c in COLUMNS[kind]}
    row["created_at"] = row["created_at"] or stamp
    if kind == CHANGES and row["metadata"] is None:
        row["metadata"] = []
    return row


def _pg_copy_new(team: Team, spec: WriteSpec, records: list[Record], stamp) -> bool:
    """Optimization: COPY a batch straight into the table, skipping the staging table and the
    conflict checks. The unique index is the check: a stored identity makes the COPY fail,
    its savepoint undoes it, and False sends the batch to the upsert (nothing was written).

    No `SELECT ... WHERE key = ANY(batch)` first: while the statistics still say the team is
    small (any first load, until autovacuum analyzes) the planner answers that from the
    (team, created_at) index with a filter, reading every row the team has so far, so each
    batch of a big load re-read all the earlier ones (measured: 100 of 146 s for 1M changes).
    No query shape pins the identity index: with one row estimated, both indexes cost the same.
    """
    try:
        with transaction.atomic():  # a savepoint
            _copy_rows(spec, _table(spec), records, team=team, stamp=stamp)
    except IntegrityError:
        return False
    return True


def _pg_stage(cursor, spec: WriteSpec, records: list[Record]) -> None:
    types = ", ".join(f"{col} {_pg_type(spec, col)}" for col in spec.columns)
    # TEMP: private to this connection; dropped after the upsert (and on rollback).
    cursor.execute("DROP TABLE IF EXISTS pg_temp.ingest_stage")
    cursor.execute(f"CREATE TEMP TABLE ingest_stage ({types})")
    _copy_rows(spec, "ingest_stage", records)


def _copy_rows(spec: WriteSpec, table: str, records, *, team=None, stamp=None) -> None:
    """COPY the records' columns; with a team, into the real table (team_id, created_at set)."""
    cols = spec.columns
    names = ("team_id", *cols) if team else cols
    copy_rows(table, names, _copy_values(spec, records, team=team, stamp=stamp))


def _copy_values(spec: WriteSpec, records, *, team, stamp) -> Iterator[list]:
    cols = spec.columns
    json_idx = [cols.index(c) for c in spec.json_columns]
    created = cols.index("created_at")
    metadata = cols.index("metadata") if "metadata" in cols else None
    team_id = team.pk if team is not None else None
    for record in records:
        row = [record.values[c] for c in cols]
        if team_id is not None and metadata is not None and row[metadata] is None:
            row[metadata] = []  # a new row (this path writes only new ones)
        for i in json_idx:
            if row[i] is not None:
                row[i] = jsonfast.dumps(row[i])
        if team_id is not None:
            row[created] = row[created] or stamp
            row.insert(0, team_id)
        yield row


def _pg_type(spec: WriteSpec, col: str) -> str:
    if col == "member_id":
        return "bigint"
    return spec.model._meta.get_field(col).db_type(connection)


def _pg_keep(cursor, team: Team, spec: WriteSpec, column: str) -> None:
    # A correlated subquery, not UPDATE ... FROM: the staging table has no statistics, and a
    # join plan may scan the team's whole table per batch; this is one index probe per row.
    match = " AND ".join(f"{_key_sql('t.', c)} = {_key_sql('s.', c)}" for c in spec.key)
    cursor.execute(
        f"UPDATE ingest_stage s SET {column} = (SELECT t.{column} FROM {_table(spec)} t "
        f"WHERE t.team_id = (SELECT %s::bigint) AND {match}) WHERE s.{column} IS NULL",
        [team.pk],
    )


def _pg_upsert_sql(kind: str, spec: WriteSpec) -> str:
    table, cols = _table(spec), spec.columns
    defaults = dict(spec.keep)
    select = ", ".join(
        f"COALESCE({c}, {defaults[c] or '%(stamp)s'})" if c in defaults else c for c in cols
    )
    new = [_new_value(c, stamped=defaults.get(c, "") is None) for c in cols]
    assignments = ", ".join(f"{c} = {v}" for c, v in zip(cols, new, strict=True))
    old = ", ".join(f"t.{c}" for c in cols)
    key = ", ".join(_key_sql("", c) for c in spec.key)
    returned = ", ".join(f"t.{c}" for c in COLUMNS[kind])
    return (
        f"INSERT INTO {table} AS t (team_id, {', '.join(cols)}) "
        f"SELECT %(team)s::bigint, {select} FROM ingest_stage ORDER BY {key} "  # a fixed lock order
        f"ON CONFLICT {spec.conflict} DO UPDATE SET {assignments} "
        f"WHERE ({old}) IS DISTINCT FROM ({', '.join(new)}) "
        f"RETURNING (xmax = 0) AS inserted, {', '.join(_key_sql('t.', c) for c in spec.key)}, "
        f"{returned}"
    )


def _new_value(col: str, *, stamped: bool = False) -> str:
    if stamped:
        # Not sent (the request's stamp stands in): keep the stored value. _pg_keep fills it
        # in the stage beforehand, but cannot see a row a concurrent request has not committed
        # yet; without this, its re-send would move createdAt and count as an update.
        return f"CASE WHEN EXCLUDED.{col} = %(stamp)s THEN t.{col} ELSE EXCLUDED.{col} END"
    if col == "range_annotations":
        return "COALESCE(EXCLUDED.range_annotations, t.range_annotations)"
    return f"EXCLUDED.{col}"


# -- SQLite -------------------------------------------------------------------------------


def _sqlite_upsert(
    team: Team, kind: str, spec: WriteSpec, records: list[Record], stamp: datetime, moved: Moved
) -> Written:
    # SQLite has one writer at a time: the rows read here cannot change before the write.
    existing = _existing_rows(team, spec, records)
    written, to_write = Written(), []
    for record in records:
        values = record.values
        old = existing.get(record.key)
        for column, default in spec.keep:
            if values[column] is None:
                # Defaults: the stamp for created_at, [] for metadata (the only other one).
                values[column] = old[column] if old else (stamp if default is None else [])
        if "range_annotations" in values and values["range_annotations"] is None and old:
            values["range_annotations"] = old["range_annotations"]
        if old is None:
            written.created += 1
        elif any(old[c] != values[c] for c in spec.columns):
            written.updated += 1
        else:
            continue
        moved.new[record.key] = {c: values.get(c) for c in COLUMNS[kind]}
        to_write.append(values)
    moved.old = {key: {c: row[c] for c in COLUMNS[kind]} for key, row in existing.items()}
    if kind == COMMITS and moved.old:
        attach_files(list(moved.old.values()))
    if to_write:
        _sqlite_execute(team, spec, to_write)
    return written


def _existing_rows(team: Team, spec: WriteSpec, records: list[Record]) -> dict[tuple, dict]:
    last = spec.key[-1]  # commit_hash, change_id or message_id: selective enough
    wanted = {record.key for record in records}
    rows = spec.model._default_manager.filter(
        team=team, **{f"{last}__in": [r.key[-1] for r in records]}
    ).values("id", *spec.columns)
    found = {}
    for row in rows:
        key = tuple((row[c] or "") if c == "repo_name" else row[c] for c in spec.key)
        if key in wanted:
            found[key] = row
    return found


def _sqlite_execute(team: Team, spec: WriteSpec, rows: list[dict]) -> None:
    cols = spec.columns
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols)
    sql = (
        f"INSERT INTO {_table(spec)} (team_id, {', '.join(cols)}) "
        f"VALUES ({', '.join(['%s'] * (len(cols) + 1))}) "
        f"ON CONFLICT {spec.conflict} DO UPDATE SET {updates}"
    )
    ops = connection.ops
    params = []
    for values in rows:
        row = [team.pk]
        for c in cols:
            value = values[c]
            if c in spec.json_columns and value is not None:
                value = json.dumps(value)
            elif isinstance(value, datetime):
                value = ops.adapt_datetimefield_value(value)
            row.append(value)
        params.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# -- Commit files -------------------------------------------------------------------------


FILE_ROW = ("file_path", "file_extension", "lines_added", "lines_deleted", "ai_lines_added",
            "ai_lines_deleted")  # fmt: skip


def _sync_files(team: Team, records: list[Record], moved: Moved) -> set[tuple]:
    """Replace the file rows of commits whose record carries `files` and differs from storage.

    Returns the keys of the commits whose files were replaced.

    Optimization: the commits' ids come from the write itself (the locked read of the stored
    rows, and RETURNING), and a commit new to the store has no files to read or delete; its
    files are COPYed. Before, every batch looked its 10,000 commits up again by hash (a
    sequential scan: the identity index leads with the repository) and wrote the files through
    bulk_create: 3.9 of 8.9 s for 20,000 new commits under cProfile (docs/benchmark.md).
    """
    with_files = {r.key: r.files for r in records if r.files is not None}
    if not with_files:
        return set()
    ids = {}
    for key in with_files:
        row = moved.new.get(key) or moved.old.get(key)
        if row is not None and row.get("id") is not None:
            ids[key] = row["id"]
    if len(ids) < len(with_files):  # SQLite: a new row's id is not returned
        ids |= _commit_ids(team, [key for key in with_files if key not in ids])
    # Inserted by this write: no stored files. Anything else (stored before, or stored
    # unchanged by a concurrent request between the locked read and the write) is compared.
    inserted = {key for key in moved.new if key not in moved.old}
    stored = {ids[key]: Counter() for key in with_files if key not in inserted}
    for commit_id, *row in CommitFile.objects.filter(commit_id__in=list(stored)).values_list(
        "commit_id", *FILE_ROW
    ):
        stored[commit_id][tuple(row)] += 1
    differing = {
        key: ids[key]
        for key, files in with_files.items()
        if stored.get(ids[key], Counter()) != Counter(files)
    }
    if not differing:
        return set()
    replaced = [pk for pk in differing.values() if pk in stored]
    if replaced:
        CommitFile.objects.filter(commit_id__in=replaced).delete()
    rows = ((pk, *file) for key, pk in differing.items() for file in with_files[key])
    copy_rows(CommitFile._meta.db_table, ("commit_id", *FILE_ROW), rows)
    return set(differing)


def _commit_ids(team: Team, keys: list[tuple]) -> dict[tuple, int]:
    """(repository or "", hash) -> id of the team's stored commits with these identities."""
    rows = Commit.objects.of(team).filter(commit_hash__in=[h for _, h in keys])
    wanted = set(keys)
    ids = {}
    for pk, repo, commit_hash in rows.values_list("id", "repo_name", "commit_hash"):
        if (repo or "", commit_hash) in wanted:
            ids[(repo or "", commit_hash)] = pk
    return ids
