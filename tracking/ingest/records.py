"""Validation of one ingested record (camelCase, as in the JSON responses) into canonical values.

`parse_record(kind, raw)` returns a Record or raises RecordInvalid listing every field that is
wrong, so a sender fixes a record in one round trip. Unknown fields are refused: a typo such as
`totalLinesAded` would otherwise be dropped silently and the record stored with zeros.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracking.formats import PAIR_FIELDS
from tracking.ingest import fields as f

COMMITS, CHANGES, MESSAGES = "commits", "changes", "messages"
KIND_NAMES = (COMMITS, CHANGES, MESSAGES)  # as the URLs and `--kind` spell them
# Items per nested list: far above real data, low enough that one record cannot carry a
# megabyte-sized JSON column that every read then drags along.
MAX_METADATA = 1_000  # per change
MAX_FILES = 10_000  # per commit: files, and rangeAnnotations' files
MAX_GROUPS = 1_000  # per annotated file
MAX_RANGES = 10_000  # per group
_HEX = frozenset("0123456789abcdefABCDEF")
# An integer changeId/messageId: within what every JSON parser reads exactly (2**53 - 1; beyond
# it JavaScript and most clients round the number, and two ids could become one).
MAX_INTEGER_ID = 2**53 - 1


CURSOR_SPLIT = {
    "tabLinesAdded": "ide_next_lines_added",
    "tabLinesDeleted": "ide_next_lines_deleted",
    "composerLinesAdded": "ide_agent_lines_added",
    "composerLinesDeleted": "ide_agent_lines_deleted",
}
USER_FIELDS = {"userId", "userEmail", "userName", "displayName"}
ALLOWED = {
    COMMITS: USER_FIELDS
    | set(PAIR_FIELDS)
    | set(CURSOR_SPLIT)
    | {
        "commitHash",
        "repoName",
        "branchName",
        "isPrimaryBranch",
        "commitSource",
        "totalLinesAdded",
        "totalLinesDeleted",
        "nonAiLinesAdded",
        "nonAiLinesDeleted",
        "message",
        "commitTs",
        "createdAt",
        "rangeAnnotations",
        "files",
    },
    CHANGES: USER_FIELDS
    | {
        "changeId",
        "source",
        "model",
        "accepted",
        "totalLinesAdded",
        "totalLinesDeleted",
        "metadata",
        "createdAt",
    },
    MESSAGES: USER_FIELDS | {"messageId", "source", "model", "conversationId", "createdAt"},
}


class RecordInvalid(ValueError):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in problems))
        self.problems = problems


@dataclass
class Record:
    key: tuple  # identity within the team
    values: dict[str, Any]  # model columns, except team and member
    email: str | None = None
    user: tuple[str, object] | None = None  # ("pk", 42) or ("uuid", UUID)
    display_name: str | None = None
    files: list[tuple] | None = None  # commits: None = keep the stored files
    locator: int = 0  # 0-based index (HTTP) or line number (files)


class _Fields:
    """Reads fields of one raw record, collecting every problem instead of stopping."""

    def __init__(self, raw: dict):
        self.raw = raw
        self.problems: list[tuple[str, str]] = []

    def get(self, name: str, parser, *args, **kwargs):
        try:
            return parser(self.raw.get(name), *args, **kwargs)
        except f.Invalid as exc:
            self.problems.append((exc.field or name, exc.message))
            return None

    def count(self, name: str) -> int:
        value = self.raw.get(name)
        return 0 if value is None else (self.get(name, f.count) or 0)

    def problem(self, name: str, message: str) -> None:
        self.problems.append((name, message))


def parse_record(kind: str, raw: Any, *, locator: int = 0) -> Record:
    """The full validator's record, or its RecordInvalid. Optimization: a change goes to the
    fast path first, which takes only plain, valid changes and gives them the full validator's
    record (tests/tracking/ingest/test_records.py proves both for any input); None sends the rest,
    every invalid one among them, to the full validator, the one judge of errors."""
    if kind not in ALLOWED:  # editor activity records: tracking/ingest/activity.py
        from tracking.ingest import activity

        return activity.parse_record(kind, raw, locator=locator)
    if kind == CHANGES and type(raw) is dict:
        record = _change_fast(raw)
        if record is not None:
            record.locator = locator
            return record
    return _parse_full(kind, raw, locator=locator)


def _parse_full(kind: str, raw: Any, *, locator: int = 0) -> Record:
    if not isinstance(raw, dict):
        raise RecordInvalid([("", f"must be a JSON object, got {type(raw).__name__}")])
    fields = _Fields(raw)
    for name in sorted(set(raw) - ALLOWED[kind]):
        fields.problem(name, "unknown field")
    record = {COMMITS: _commit, CHANGES: _change, MESSAGES: _message}[kind](fields)
    _user(fields, record)
    if fields.problems:
        raise RecordInvalid(fields.problems)
    record.locator = locator
    return record


def _user(fields: _Fields, record: Record) -> None:
    """userEmail wins; without it, userId must name a member of the team (checked later)."""
    raw = fields.raw
    if raw.get("userEmail") not in (None, ""):
        record.email = fields.get("userEmail", f.email)
    elif raw.get("userId") not in (None, ""):
        record.user = fields.get("userId", f.user_ref)
    else:
        fields.problem("userEmail", "is required (or a userId of a known member of the team)")
    name = raw.get("userName") or raw.get("displayName")
    source = "userName" if raw.get("userName") else "displayName"
    record.display_name = fields.get(source, f.text, max_length=200) if name else None


def _commit(fields: _Fields) -> Record:
    raw = fields.raw
    values: dict[str, Any] = {
        "commit_hash": _hash(fields.get("commitHash", f.text, max_length=64, required=True)),
        "repo_name": fields.get("repoName", f.text, max_length=255),
        "branch_name": fields.get("branchName", f.text, max_length=255),
        "is_primary_branch": fields.get("isPrimaryBranch", f.boolean),
        "total_lines_added": fields.count("totalLinesAdded"),
        "total_lines_deleted": fields.count("totalLinesDeleted"),
        **_ai_lines(fields),
        "message": fields.get("message", f.text, max_length=1_000_000),
        "commit_ts": fields.get("commitTs", f.timestamp),
        "created_at": fields.get("createdAt", f.timestamp),
        "range_annotations": _nested(fields, "rangeAnnotations", _annotations),
        "commit_source": fields.get("commitSource", f.commit_source),
    }
    files = _nested(fields, "files", _files)
    key = ((values["repo_name"] or ""), values["commit_hash"])
    return Record(key=key, values=values, files=files if "files" in raw else None)


def _hash(value: str | None) -> str | None:
    """A hex hash in git's form (lower case), so lookups need not guess the case sent."""
    return value.lower() if value and _HEX.issuperset(value) else value


def _ai_lines(fields: _Fields) -> dict[str, int]:
    """Either Cursor's tab/composer split (-> ideNext/ideAgent) or the eight Qoder pairs."""
    present = {name for name, value in fields.raw.items() if value is not None}
    cursor, qoder = present & set(CURSOR_SPLIT), present & set(PAIR_FIELDS)
    lines = dict.fromkeys(PAIR_FIELDS.values(), 0)
    if cursor and qoder:
        fields.problem(
            sorted(cursor)[0],
            f"give either the Cursor split (tab/composer) or the eight Qoder pairs, not both "
            f"(also got {sorted(qoder)[0]})",
        )
        return lines
    mapping = CURSOR_SPLIT if cursor else PAIR_FIELDS
    for name, column in mapping.items():
        lines[column] = fields.count(name)
    return lines


def _change(fields: _Fields) -> Record:
    accepted = fields.get("accepted", f.boolean)
    values = {
        "change_id": _identifier(fields, "changeId"),
        "source": fields.get("source", f.source),
        "model": fields.get("model", f.text, max_length=255),
        "accepted": True if accepted is None else accepted,
        "total_lines_added": fields.count("totalLinesAdded"),
        "total_lines_deleted": fields.count("totalLinesDeleted"),
        "metadata": _nested(fields, "metadata", _metadata),  # None: keep the stored one
        "created_at": fields.get("createdAt", f.timestamp),
    }
    return Record(key=(values["change_id"],), values=values)


_FAST_CHANGE_FIELDS = ALLOWED[CHANGES] - {"userId", "userName", "displayName"}


def _change_fast(raw: dict) -> Record | None:
    """Optimization: a plain, valid change (the million-row case) without the full path's
    per-field calls and bookkeeping: 6.4 against 9.3 us per bench change. None for anything
    unusual, including every invalid record. Nothing else calls it: the full path does not
    lean on it, so the property test compares it with an independent judge."""
    if not raw.keys() <= _FAST_CHANGE_FIELDS:
        return None
    change_id, source, model = raw.get("changeId"), raw.get("source"), raw.get("model")
    added, deleted = raw.get("totalLinesAdded", 0), raw.get("totalLinesDeleted", 0)
    accepted, email, metadata = raw.get("accepted", True), raw.get("userEmail"), raw.get("metadata")
    if not (
        type(change_id) is str
        and 0 < len(change_id) <= 255
        and "\x00" not in change_id
        and not change_id.isspace()
        and type(source) is str
        and source in f.FAST_SOURCES
        and (model is None or (type(model) is str and len(model) <= 255 and "\x00" not in model))
        and type(added) is int
        and 0 <= added <= f.MAX_COUNT
        and type(deleted) is int
        and 0 <= deleted <= f.MAX_COUNT
        and type(accepted) is bool
        and type(email) is str
        and (metadata is None or (type(metadata) is list and len(metadata) <= MAX_METADATA))
    ):
        return None
    email = f.email_or_none(email)
    created_at = f.fast_timestamp(raw.get("createdAt"))
    items = (
        None
        if metadata is None
        else [
            _metadata_fast(i) if type(i) is dict and i.keys() <= METADATA else None
            for i in metadata
        ]
    )
    if email is None or created_at is False or (items is not None and None in items):
        return None
    values = {
        "change_id": change_id,
        "source": f.FAST_SOURCES[source],
        "model": model,
        "accepted": accepted,
        "total_lines_added": added,
        "total_lines_deleted": deleted,
        "metadata": items,
        "created_at": created_at,
    }
    return Record(key=(change_id,), values=values, email=email)


def _message(fields: _Fields) -> Record:
    values = {
        "message_id": _identifier(fields, "messageId"),
        "source": fields.get("source", f.source),
        "model": fields.get("model", f.text, max_length=255),
        "conversation_id": fields.get("conversationId", f.text, max_length=255),
        "created_at": fields.get("createdAt", f.timestamp),
    }
    return Record(key=(values["message_id"],), values=values)


def _identifier(fields: _Fields, name: str) -> str | None:
    value = fields.raw.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > MAX_INTEGER_ID:
            fields.problem(
                name,
                f"an integer id must be within ±{MAX_INTEGER_ID:,}: send a larger one as a string",
            )
            return None
        value = str(value)  # Cursor's change ids look numeric; a client may send a number
    try:
        return f.text(value, max_length=255, required=True)
    except f.Invalid as exc:
        fields.problem(name, exc.message)
        return None


def _nested(fields: _Fields, name: str, parser):
    value = fields.raw.get(name)
    if value is None:
        return None
    try:
        return parser(value, name)
    except f.Invalid as exc:
        fields.problem(exc.field or name, exc.message)
        return None


def _items(value, path: str, allowed: set[str], limit: int):
    """Yield (path[i], item) for a list of objects, refusing anything else."""
    for i, item in _indexed(value, path, allowed, limit):
        yield f"{path}[{i}]", item


def _indexed(value, path: str, allowed: set[str], limit: int):
    """Like _items, without building the path of every item (Optimization: change metadata)."""
    if not isinstance(value, list):
        raise f.Invalid("must be a list", path)
    if len(value) > limit:
        raise f.Invalid(f"must have at most {limit} items, got {len(value)}", path)
    for i, item in enumerate(value):
        if type(item) is not dict:
            raise f.Invalid("must be an object", f"{path}[{i}]")
        if not item.keys() <= allowed:
            unknown = sorted(set(item) - allowed)[0]
            raise f.Invalid(
                f"unknown field (expected {', '.join(sorted(allowed))})", f"{path}[{i}].{unknown}"
            )
        yield i, item


def _at(where: str, name: str, parser, value, *args, **kwargs):
    try:
        return parser(value, *args, **kwargs)
    except f.Invalid as exc:
        raise f.Invalid(exc.message, f"{where}.{name}") from None


METADATA = frozenset({"fileName", "fileExtension", "linesAdded", "linesDeleted"})


def _metadata(value, path: str) -> list[dict]:
    out = []
    for i, item in _indexed(value, path, METADATA, MAX_METADATA):
        where = f"{path}[{i}]"
        name = _at(where, "fileName", f.text, item.get("fileName"), max_length=1024)
        entry = {"fileName": name} if name else {}  # absent, null or "": privacy mode, absent
        entry["fileExtension"] = _at(
            where, "fileExtension", f.extension, item.get("fileExtension"), path=name
        )
        for key in ("linesAdded", "linesDeleted"):
            entry[key] = _at(where, key, _count_or_zero, item.get(key))
        out.append(entry)
    return out


def _metadata_fast(item: dict) -> dict | None:
    """_change_fast's metadata item: the plain, valid one; None for anything else."""
    name, ext = item.get("fileName"), item.get("fileExtension")
    added, deleted = item.get("linesAdded", 0), item.get("linesDeleted", 0)
    if not (
        type(ext) is str
        and len(ext) <= 31
        and "\x00" not in ext
        and type(added) is int
        and 0 <= added <= f.MAX_COUNT
        and type(deleted) is int
        and 0 <= deleted <= f.MAX_COUNT
    ):
        return None
    ext = f.normal_extension(ext)  # checked above: a short string without NUL
    if name is None or name == "":  # absent, as the full path reads it
        return {"fileExtension": ext, "linesAdded": added, "linesDeleted": deleted}
    if type(name) is str and 0 < len(name) <= 1024 and "\x00" not in name:
        return {
            "fileName": name,
            "fileExtension": ext,
            "linesAdded": added,
            "linesDeleted": deleted,
        }
    return None


def _files(value, path: str) -> list[tuple]:
    out = []
    allowed = {
        "filePath",
        "fileExtension",
        "linesAdded",
        "linesDeleted",
        "aiLinesAdded",
        "aiLinesDeleted",
    }
    for where, item in _items(value, path, allowed, MAX_FILES):
        file_path = _at(where, "filePath", f.text, item.get("filePath"), max_length=1024)
        ext = _at(where, "fileExtension", f.extension, item.get("fileExtension"), path=file_path)
        counts = [
            _at(where, key, _count_or_zero, item.get(key))
            for key in ("linesAdded", "linesDeleted", "aiLinesAdded", "aiLinesDeleted")
        ]
        out.append((file_path, ext, *counts))
    return out


def _count_or_zero(value) -> int:
    return 0 if value is None else f.count(value)


def _annotations(value, path: str) -> list[dict]:
    out = []
    for where, item in _items(value, path, {"filePath", "groups"}, MAX_FILES):
        file_path = _at(
            where, "filePath", f.text, item.get("filePath"), max_length=1024, required=True
        )
        groups = item.get("groups")
        groups = [_group(w, g) for w, g in _items(groups, f"{where}.groups", GROUP, MAX_GROUPS)]
        out.append({"filePath": file_path, "groups": groups})
    return out


GROUP = {"conversationId", "source", "productType", "type", "ranges"}


def _group(where: str, group: dict) -> dict:
    kind = group.get("type")
    if not isinstance(kind, str) or kind.lower() not in ("added", "deleted"):
        raise f.Invalid(f"must be 'added' or 'deleted', got {kind!r}", f"{where}.type")
    product = _at(
        where, "productType", f.text, group.get("productType"), max_length=64, required=True
    )
    return {
        "conversationId": _at(
            where,
            "conversationId",
            f.text,
            group.get("conversationId"),
            max_length=255,
            required=True,
        ),
        "source": _at(where, "source", f.source, group.get("source")),
        "productType": product.lower(),
        "type": kind.lower(),
        "ranges": _ranges(group.get("ranges"), f"{where}.ranges"),
    }


def _ranges(value, path: str) -> list[dict]:
    out = []
    for where, item in _items(value, path, {"start", "end"}, MAX_RANGES):
        start = _at(where, "start", f.count, item.get("start"))
        end = _at(where, "end", f.count, item.get("end"))
        if start > end:
            raise f.Invalid(f"start ({start}) must not be after end ({end})", f"{where}.start")
        out.append({"start": start, "end": end})
    return out
