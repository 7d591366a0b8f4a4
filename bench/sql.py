"""The bare SQL the API has to beat: the same rows, produced by PostgreSQL alone.

The SELECTs mirror the Cursor dialect's columns (API.md section 3): tab/composer/non-AI lines
derived from the eight pairs, booleans as true/false, timestamps as ISO with milliseconds and Z,
`TAB`/`COMPOSER` sources, accepted changes only. Two simplifications keep them pure SQL, and
both make the ceiling cheaper, never dearer: user_id is `user_` || member_id (the real id is a
keyed permutation computed in Python) and metadata_json is the stored JSON text with the
extensions' dots removed by one replace() (the API builds compact JSON item by item).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg import sql

TAB = ("ide_next", "plugin_next")
COMPOSER = ("ide_agent", "plugin_agent", "cli_agent", "ide_quest", "ide_inline_chat",
            "jb_inline_chat")  # fmt: skip


def _iso(column: str) -> str:
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""


def _sum(pairs: tuple[str, ...], side: str) -> str:
    return "(" + " + ".join(f"c.{p}_lines_{side}" for p in pairs) + ")"


def _non_ai(side: str) -> str:
    return f"greatest(0, c.total_lines_{side} - {_sum(TAB, side)} - {_sum(COMPOSER, side)})"


COMMIT_COLUMNS = ", ".join(
    [
        "c.commit_hash",
        "'user_' || c.member_id AS user_id",
        "m.email AS user_email",
        "c.repo_name",
        "c.branch_name",
        "CASE WHEN c.is_primary_branch THEN 'true' WHEN NOT c.is_primary_branch THEN 'false' END",
        "c.total_lines_added",
        "c.total_lines_deleted",
        f"{_sum(TAB, 'added')} AS tab_lines_added",
        f"{_sum(TAB, 'deleted')} AS tab_lines_deleted",
        f"{_sum(COMPOSER, 'added')} AS composer_lines_added",
        f"{_sum(COMPOSER, 'deleted')} AS composer_lines_deleted",
        f"{_non_ai('added')} AS non_ai_lines_added",
        f"{_non_ai('deleted')} AS non_ai_lines_deleted",
        "c.message",
        f"{_iso('c.commit_ts')} AS commit_ts",
        f"{_iso('c.created_at')} AS created_at",
    ]
)
CHANGE_COLUMNS = ", ".join(
    [
        "c.change_id",
        "'user_' || c.member_id AS user_id",
        "m.email AS user_email",
        "CASE WHEN c.source = 'NEXT' THEN 'TAB' ELSE 'COMPOSER' END AS source",
        "c.model",
        "c.total_lines_added",
        "c.total_lines_deleted",
        f"{_iso('c.created_at')} AS created_at",
        # The Cursor dialect shows extensions without their dot.
        """replace(c.metadata::text, '"fileExtension": ".', '"fileExtension": "')"""
        " AS metadata_json",
    ]
)
TABLES = {"commits": "tracking_commit", "changes": "tracking_change"}
COLUMNS = {"commits": COMMIT_COLUMNS, "changes": CHANGE_COLUMNS}


@dataclass(frozen=True)
class Window:
    team_id: int
    start: datetime
    end: datetime
    member_id: int | None = None


def _where(kind: str, w: Window) -> sql.Composable:
    parts = [
        sql.SQL("c.team_id = {}").format(sql.Literal(w.team_id)),
        sql.SQL("c.created_at >= {}").format(sql.Literal(w.start)),
        sql.SQL("c.created_at <= {}").format(sql.Literal(w.end)),
    ]
    if kind == "changes":
        parts.append(sql.SQL("c.accepted"))
    if w.member_id is not None:
        parts.append(sql.SQL("c.member_id = {}").format(sql.Literal(w.member_id)))
    return sql.SQL(" AND ").join(parts)


def rows_select(kind: str, w: Window, *, limit: int | None = None, offset: int = 0):
    query = sql.SQL(
        "SELECT {cols} FROM {table} c JOIN teams_member m ON m.id = c.member_id WHERE {where} "
        "ORDER BY c.created_at DESC, c.id DESC"
    ).format(cols=sql.SQL(COLUMNS[kind]), table=sql.Identifier(TABLES[kind]), where=_where(kind, w))
    if limit is not None:
        query += sql.SQL(" LIMIT {} OFFSET {}").format(sql.Literal(limit), sql.Literal(offset))
    return query


def count_select(kind: str, w: Window):
    return sql.SQL("SELECT count(*) FROM {table} c WHERE {where}").format(
        table=sql.Identifier(TABLES[kind]), where=_where(kind, w)
    )


def copy_statement(kind: str, w: Window, conn) -> str:
    """The COPY ... TO STDOUT text for psql, with every value inlined."""
    inner = rows_select(kind, w).as_string(conn)
    return f"COPY ({inner}) TO STDOUT WITH (FORMAT csv, HEADER)"
