"""The CSV exports as one PostgreSQL `COPY (SELECT ...) TO STDOUT WITH (FORMAT csv)`.

Every cell is formatted in SQL to the bytes the Python path writes (serialization.py and
csv_export.py): `true`/`false`, empty cells for NULL and for empty strings (NULLIF), UTC
timestamps with milliseconds and Z, derived tab/composer/nonAi lines, and metadata_json as
compact JSON built by hand (jsonb's own text has spaces and reorders keys). The user ids are
encoded in Python for the team's members and looked up in a jsonb parameter. The rows are
the ones tracking.reads selects: the WHERE clause is compiled from its scoped queryset.
tests/analytics_api/cursor/test_csv_copy.py proves the bytes identical on tricky data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from psycopg.types.json import Jsonb

from analytics_api.csv_export import CHUNK_BYTES
from analytics_api.cursor.serialization import (
    CHANGE_CSV_HEADER,
    COMMIT_CSV_HEADER,
    MEMBER_ID_COLUMNS,
    PG_TIMESTAMP,
    PublicIds,
)
from teams.models import Member, Team
from tracking import reads
from tracking.models import COMPOSER_PAIRS, TAB_PAIRS
from tracking.reads import Filters

# The user_... id of the row's member, from a {member id: public id} jsonb parameter (the ids
# are encoded in Python). A lookup in an expression, not a join: joined as unnest(ids[],
# public_ids[]), the planner merged with the member index and sorted 2M commits on disk
# (external merge, 480 MB: 7.1 s) instead of reading the (team, created_at) index in order
# (3.3 s with this lookup; docs/benchmark.md, Exports).
_PUBLIC_ID = "(%s::jsonb ->> x.member_id::text)"


def _sum(pairs: tuple[str, ...], side: str) -> str:
    # bigint: the columns are integer, and a sum of integers overflows in integer arithmetic.
    # Ingest caps each count far below that; this is the second line of defence.
    return "(" + " + ".join(f"x.{p}_lines_{side}::bigint" for p in pairs) + ")"


def _non_ai(side: str) -> str:
    return (
        f"GREATEST(0, x.total_lines_{side}::bigint - {_sum(TAB_PAIRS, side)} "
        f"- {_sum(COMPOSER_PAIRS, side)})"
    )


COMMIT_SELECT = f"""
    NULLIF(x.commit_hash, ''), {_PUBLIC_ID}, NULLIF(m.email, ''),
    NULLIF(x.repo_name, ''), NULLIF(x.branch_name, ''),
    CASE x.is_primary_branch WHEN TRUE THEN 'true' WHEN FALSE THEN 'false' END,
    x.total_lines_added, x.total_lines_deleted,
    {_sum(TAB_PAIRS, "added")}, {_sum(TAB_PAIRS, "deleted")},
    {_sum(COMPOSER_PAIRS, "added")}, {_sum(COMPOSER_PAIRS, "deleted")},
    {_non_ai("added")}, {_non_ai("deleted")},
    NULLIF(x.message, ''), {PG_TIMESTAMP.format(col="x.commit_ts")},
    {PG_TIMESTAMP.format(col="x.created_at")}
"""

# One metadata item as compact JSON in the Cursor dialect: fileName only when present and not
# null, the extension without its leading dot, then the two line counts.
_ITEM_JSON = r"""
    '{' || CASE WHEN jsonb_typeof(e->'fileName') IS NOT NULL
                  AND jsonb_typeof(e->'fileName') <> 'null'
                THEN '"fileName":' || (e->'fileName')::text || ',' ELSE '' END
    || '"fileExtension":'
    || to_jsonb(regexp_replace(COALESCE(e->>'fileExtension', ''), '^\.', ''))::text
    || ',"linesAdded":' || COALESCE(e->'linesAdded', '0'::jsonb)::text
    || ',"linesDeleted":' || COALESCE(e->'linesDeleted', '0'::jsonb)::text || '}'
"""

CHANGE_SELECT = f"""
    NULLIF(x.change_id, ''), {_PUBLIC_ID}, NULLIF(m.email, ''),
    CASE x.source WHEN 'NEXT' THEN 'TAB' ELSE 'COMPOSER' END, NULLIF(x.model, ''),
    x.total_lines_added, x.total_lines_deleted, {PG_TIMESTAMP.format(col="x.created_at")},
    CASE WHEN jsonb_typeof(x.metadata) = 'array' THEN COALESCE((
        SELECT '[' || string_agg({_ITEM_JSON}, ',' ORDER BY t.ord) || ']'
        FROM jsonb_array_elements(x.metadata) WITH ORDINALITY AS t(e, ord)
        WHERE jsonb_typeof(t.e) = 'object'
    ), '[]') ELSE '[]' END
"""


def commit_copy_chunks(*, team: Team, filters: Filters) -> Iterator[bytes]:
    yield (",".join(COMMIT_CSV_HEADER) + "\n").encode()
    yield from _copy(COMMIT_SELECT, reads.commits(team=team, filters=filters), team)


def change_copy_chunks(*, team: Team, filters: Filters) -> Iterator[bytes]:
    yield (",".join(CHANGE_CSV_HEADER) + "\n").encode()
    yield from _copy(CHANGE_SELECT, reads.accepted_changes(team=team, filters=filters), team)


def _copy(select: str, qs: QuerySet, team: Team):
    # The COPY starts lazily, when the response is read: an open COPY holds the connection's
    # lock, so starting it in the view deadlocks any response that is never read or closed
    # (the test client's). So an SQL error here is still a 200 with only the header.
    member_ids = [row[0] for row in reads.members(team=team, columns=MEMBER_ID_COLUMNS)]
    public = PublicIds()
    table, where, where_params = _where(qs)
    sql = f"""
        COPY (
            SELECT {_qualified(select, table)}
            FROM {table}
            JOIN {Member._meta.db_table} m ON m.id = {table}.member_id
            WHERE {where} AND %s::jsonb ? {table}.member_id::text
            ORDER BY {table}.created_at DESC, {table}.id DESC
        ) TO STDOUT WITH (FORMAT csv)
    """
    public_ids = Jsonb({str(i): public[i] for i in member_ids})
    # The mapping twice: in the row expression, and as a filter, so that the rows of a member
    # created after it was read (a concurrent ingest) are left out, as the earlier join on the
    # member list left them out, instead of being written with an empty user id.
    params = [public_ids, *where_params, public_ids]
    # The read's database: a replica while a GET is answered (common.replicas), else the primary.
    # The raw psycopg cursor is wrapped, so that a lost connection is Django's OperationalError
    # (analytics_api.errors answers it as the documented 503 where the status is still open:
    # an HTTP/1.0 export is spooled before it is sent) and Django closes the broken connection.
    conn = connections[qs.db]
    with conn.cursor() as cursor, conn.wrap_database_errors:
        with cursor.cursor.copy(sql, params) as copy:
            yield from _rechunk(copy)


def _where(qs: QuerySet) -> tuple[str, str, list]:
    """(table, WHERE clause, its parameters) of the read's scoped queryset, compiled by Django
    against the unaliased table. The read filters on the table's own columns only (a member
    is filtered by id: reads.Who.resolved), so no join is needed for it."""
    connection = connections[qs.db]
    table = connection.ops.quote_name(qs.model._meta.db_table)
    query = qs.query
    try:
        where, params = query.get_compiler(connection=connection).compile(query.where)
    except EmptyResultSet:  # a member no one can be (reads.Who(nobody=True))
        return table, "FALSE", []
    joined = sorted(alias for alias, uses in query.alias_refcount.items() if uses)
    if len(joined) > 1:  # a filter through a relation: not expressible here
        raise ValueError(f"The export's read joins {joined}.")
    return table, where, list(params)


_ROW_ALIAS = re.compile(r"\bx\.")


def _qualified(select: str, table: str) -> str:
    """The SELECT list written for the row alias `x`, on the table's own name."""
    return _ROW_ALIAS.sub(f"{table}.", select)


def _rechunk(copy) -> Iterator[bytes]:
    """COPY hands out about one row per read: send ~64 KiB chunks instead."""
    pending, size = [], 0
    for data in copy:
        pending.append(bytes(data))
        size += len(data)
        if size >= CHUNK_BYTES:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)
