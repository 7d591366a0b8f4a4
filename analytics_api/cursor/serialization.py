"""Cursor-dialect values from plain database rows: one tuple of cells per record, in the seed's
field order, shared by the JSON pages (zipped with camelCase names) and the CSV exports
(snake_case header). The rows come from tracking.reads, with the columns named here."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.db.models import F, Func, QuerySet, TextField
from django.db.models.functions import Cast

from common.db import is_postgresql
from teams.public_ids import encode_member_id
from tracking.formats import CURSOR_CHANGE_CSV_HEADER as CHANGE_CSV_HEADER  # noqa: F401
from tracking.formats import CURSOR_CHANGE_FIELDS as CHANGE_FIELDS  # noqa: F401
from tracking.formats import CURSOR_COMMIT_CSV_HEADER as COMMIT_CSV_HEADER  # noqa: F401
from tracking.formats import CURSOR_COMMIT_FIELDS as COMMIT_FIELDS
from tracking.ingest import jsonfast
from tracking.models import COMPOSER_PAIRS, TAB_PAIRS, Source

# The database columns each selector reads, in the order the cell functions unpack them.
COMMIT_COLUMNS = (
    "id",
    "commit_hash",
    "member_id",
    "member__email",
    "repo_name",
    "branch_name",
    "is_primary_branch",
    "total_lines_added",
    "total_lines_deleted",
    *[f"{p}_lines_added" for p in TAB_PAIRS],
    *[f"{p}_lines_deleted" for p in TAB_PAIRS],
    *[f"{p}_lines_added" for p in COMPOSER_PAIRS],
    *[f"{p}_lines_deleted" for p in COMPOSER_PAIRS],
    "message",
    "commit_ts",
    "created_at",
    "commit_source",
)
CHANGE_COLUMNS = (
    "id",
    "change_id",
    "member_id",
    "member__email",
    "source",
    "model",
    "total_lines_added",
    "total_lines_deleted",
    "created_at",
    "metadata",
)
_NT, _NC = len(TAB_PAIRS), len(COMPOSER_PAIRS)


# timestamp() in SQL (PostgreSQL): used by the COPY exports and the list pages.
PG_TIMESTAMP = """to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""


def timestamp(value: datetime | str | None) -> str | None:
    """`2025-07-30T14:12:03.000Z`: UTC, milliseconds (truncated), Z. A string is a value that
    PostgreSQL already formatted so (list_rows)."""
    if value is None or type(value) is str:
        return value
    # Optimization: values from the database are already UTC; skip the conversion then.
    text = value.isoformat(timespec="milliseconds")
    if text.endswith("+00:00"):
        return text[:-6] + "Z"
    return value.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


class PublicIds(dict):
    """member id -> user_... for one request (the encoding is four keyed hashes: worth caching)."""

    def __missing__(self, member_id: int) -> str:
        self[member_id] = encode_member_id(member_id)
        return self[member_id]


def commit_cells(row: tuple, ids: PublicIds) -> tuple:
    (_id, commit_hash, member_id, email, repo, branch, primary, total_add, total_del) = row[:9]
    rest = row[9:]
    tab_add, tab_del = sum(rest[:_NT]), sum(rest[_NT : 2 * _NT])
    pos = 2 * _NT
    comp_add, comp_del = sum(rest[pos : pos + _NC]), sum(rest[pos + _NC : pos + 2 * _NC])
    message, commit_ts, created_at, commit_source = rest[pos + 2 * _NC :]
    return (
        commit_hash,
        ids[member_id],
        email,
        repo,
        branch,
        primary,
        total_add,
        total_del,
        tab_add,
        tab_del,
        comp_add,
        comp_del,
        max(0, total_add - tab_add - comp_add),
        max(0, total_del - tab_del - comp_del),
        message,
        timestamp(commit_ts),
        timestamp(created_at),
        commit_source,  # JSON only: the CSV export stops before it (commit_csv_cells)
    )


def change_cells(row: tuple, ids: PublicIds) -> tuple:
    (_id, change_id, member_id, email, source, model, added, deleted, created_at, metadata) = row
    return (
        change_id,
        ids[member_id],
        email,
        cursor_source(source),
        model,
        added,
        deleted,
        timestamp(created_at),
        cursor_metadata(metadata),
    )


def cursor_source(source: str) -> str:
    return "TAB" if source == Source.NEXT else "COMPOSER"


class JsonText(str):
    """Stored JSON as its text (list_rows), parsed by cursor_metadata."""


def cursor_metadata(items) -> list[dict]:
    """Stored metadata in the Cursor dialect: extension without its dot, fileName only when
    present (absent in privacy mode), linesAdded/linesDeleted. `items` may be the stored JSON
    as text (list_rows)."""
    if type(items) is JsonText:
        items = jsonfast.loads(items)
    out = []
    for item in items if type(items) is list else ():
        if type(item) is not dict:
            continue
        name = item.get("fileName")
        ext = (item.get("fileExtension") or "").removeprefix(".")
        added, deleted = item.get("linesAdded", 0), item.get("linesDeleted", 0)
        if name is None:
            out.append({"fileExtension": ext, "linesAdded": added, "linesDeleted": deleted})
        else:
            out.append(
                {
                    "fileName": name,
                    "fileExtension": ext,
                    "linesAdded": added,
                    "linesDeleted": deleted,
                }
            )
    return out


def metadata_json(metadata: list[dict]) -> str:
    return json.dumps(metadata, separators=(",", ":"), ensure_ascii=False)


def as_json(fields: tuple[str, ...], cells: tuple) -> dict:
    return dict(zip(fields, cells, strict=True))


_CSV_BOOL = {True: "true", False: "false", None: None}
_PRIMARY = COMMIT_FIELDS.index("isPrimaryBranch")
_CSV_END = len(COMMIT_FIELDS) - 1  # the seed's columns: commitSource is JSON only


def commit_csv_cells(cells: tuple) -> tuple:
    """Ready for csv.writer: the one boolean as true/false (None stays an empty cell)."""
    return (*cells[:_PRIMARY], _CSV_BOOL[cells[_PRIMARY]], *cells[_PRIMARY + 1 : _CSV_END])


def change_csv_cells(cells: tuple) -> tuple:
    return (*cells[:-1], metadata_json(cells[-1]))


def commit_items(rows: list[tuple]) -> list[dict]:
    """A page of COMMIT_COLUMNS rows as the seed's JSON items."""
    ids = PublicIds()
    return [as_json(COMMIT_FIELDS, commit_cells(row, ids)) for row in rows]


def change_items(rows: list[tuple]) -> list[dict]:
    ids = PublicIds()
    return [as_json(CHANGE_FIELDS, change_cells(row, ids)) for row in rows]


def commit_details(rows: list[tuple], hashes: tuple[str, ...]) -> list[dict]:
    """DETAIL_COLUMNS rows as the detail endpoint's items, in the order asked; a hash stored in
    several repositories gives one item per repository."""
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


DETAIL_COLUMNS = ("commit_hash", "repo_name", "branch_name", "member__email", "range_annotations")
MEMBER_COLUMNS = ("email", "display_name", "id")
MEMBER_ID_COLUMNS = ("id",)


def team_members(rows: list[tuple]) -> list[dict]:
    """Cursor's Admin API member list: `id` is the member's number (the userId that
    filtered-usage-events takes); no member of ours is removed (`isRemoved` false)."""
    return [
        {"name": name, "email": email, "role": "member", "id": pk, "isRemoved": False}
        for email, name, pk in rows
    ]


# -- Cursor's Admin API: daily usage and usage events -----------------------------------------

DAILY_COUNT_FIELDS = (
    "totalLinesAdded", "totalLinesDeleted", "acceptedLinesAdded", "acceptedLinesDeleted",
    "totalApplies", "totalAccepts", "totalRejects", "totalTabsShown", "totalTabsAccepted",
    "composerRequests", "chatRequests", "agentRequests", "cmdkUsages",
    "subscriptionIncludedReqs", "apiKeyReqs", "usageBasedReqs", "bugbotUsages",
)  # fmt: skip
DAILY_OPTIONAL_TEXTS = ("applyMostUsedExtension", "tabMostUsedExtension", "clientVersion")
EVENT_EXTRA_FIELDS = (
    "kindLabel", "chargedCents", "cursorTokenFee", "isChargeable", "isHeadless",
    "conversationId", "serviceAccountId", "hostingType",
)  # fmt: skip
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def daily_usage(rows: list[tuple]) -> list[dict]:
    """tracking.activity.DAILY_COLUMNS rows as Cursor's daily-usage-data items, in the order
    of Cursor's documentation (then its newer `userId` and `day`): counts a record left out are
    0, optional texts it left out are absent."""
    return [_daily_item(*row) for row in rows]


def _daily_item(day, member_id, email, active, raw) -> dict:
    raw = raw or {}
    item: dict = {"date": _day_ms(day), "isActive": active}
    for name in DAILY_COUNT_FIELDS:
        item[name] = raw.get(name) or 0
    item["mostUsedModel"] = raw.get("mostUsedModel") or ""
    for name in DAILY_OPTIONAL_TEXTS:
        if raw.get(name) is not None:
            item[name] = raw[name]
    item["email"] = email
    item["userId"] = encode_member_id(member_id)
    item["day"] = day.isoformat()
    return item


def _day_ms(day) -> int:
    return (datetime(day.year, day.month, day.day, tzinfo=UTC) - _EPOCH).days * 86_400_000


def usage_events(rows: list[tuple]) -> list[dict]:
    """tracking.activity.EVENT_COLUMNS rows as Cursor's usageEvents: the documented fields,
    then the newer ones the record carried, as sent."""
    return [_event_item(*row) for row in rows]


def _event_item(occurred, email, model, kind, max_mode, costs, token_based, free_bugbot, raw):
    item: dict = {
        "timestamp": str(_ms(occurred)),
        "model": model,
        "kind": kind,
        "maxMode": max_mode,
        "requestsCosts": _number(costs),
        "isTokenBasedCall": token_based,
    }
    if isinstance(raw.get("tokenUsage"), dict):
        item["tokenUsage"] = raw["tokenUsage"]
    item["isFreeBugbot"] = free_bugbot
    item["userEmail"] = email
    for name in EVENT_EXTRA_FIELDS:
        if raw.get(name) is not None:
            item[name] = raw[name]
    return item


def _ms(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _number(value):
    """A stored decimal as JSON shows it: 5 for 5.000000, 1.4 for 1.400000."""
    return int(value) if value == int(value) else float(value)


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


def commit_list_rows(qs: QuerySet) -> QuerySet:
    return list_rows(qs, COMMIT_COLUMNS)


def change_list_rows(qs: QuerySet) -> QuerySet:
    return list_rows(qs, CHANGE_COLUMNS)
