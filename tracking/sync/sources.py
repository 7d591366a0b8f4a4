"""What each upstream serves and how a window of it is read, as raw camelCase records.

A stream's `fetch(client, start, end)` returns every record of the inclusive range, checked
complete against what the upstream says it holds, or raises:
- `Incomplete` when the answer was short, cut or moved while it was read (a CSV with fewer rows
  than the upstream counts, a body cut inside its last line, a page short before the total, a
  total that changed between pages): the engine reads the window again;
- `UpstreamError` for anything a re-read cannot fix (HTML instead of JSON, a record without a
  required field), naming the URL, the page or line and the record.
It never returns part of a window: the caller commits a window or nothing.

Each record carries `_origin` (the page or CSV line it came from) for messages; the engine
takes it off before ingestion.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from tracking.ingest import readers
from tracking.ingest.records import ALLOWED, CHANGES, COMMITS
from tracking.ingest.services import BadRow
from tracking.sync.http import Client, UpstreamError

CURSOR_PAGE_SIZE = 1000  # Cursor's maximum
QODER_PAGE_SIZE = 200  # Qoder's maximum
QODER_DETAIL_BATCH = 50  # commits/detail takes 1 to 50 hashes
CSV_FIELD_LIMIT = 64 << 20  # characters per CSV cell
READS = 3  # reads of one window before an incomplete answer fails the run

IDENTITY = {COMMITS: "commitHash", CHANGES: "changeId"}
# Fields a record must carry: stored without them, a record would get invented values (the
# sync's clock as createdAt, 0 lines). The ingestion fills defaults for its own callers.
REQUIRED = {
    COMMITS: ("commitHash", "createdAt", "totalLinesAdded", "totalLinesDeleted"),
    CHANGES: ("changeId", "createdAt", "totalLinesAdded", "totalLinesDeleted"),
}
TIMESTAMPS = ("createdAt", "commitTs")
# RFC 3339 with seconds and a zone: `2026-12-07T21` (a cut cell) is not a time.
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)", re.I)


class Incomplete(Exception):
    """The answer was short, cut or moved while read: read the window again."""


def iso(moment: datetime) -> str:
    """RFC 3339, UTC, milliseconds (both upstreams read it; Qoder ignores the fraction)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Stream:
    name: str  # the checkpoint's stream: commits | changes
    kind: str  # the ingestion kind
    fetch: Callable[[Client, datetime, datetime], list[dict]]
    # How many records the upstream holds in a range (one small request), and the model field
    # of the clock it selects by: `sync --verify` compares the two sides range by range.
    count: Callable[[Client, datetime, datetime], int] | None = None
    selected_by: str = "created_at"


def read_window(stream: Stream, client: Client, start: datetime, end: datetime) -> list[dict]:
    """The window's records, complete: re-read while the upstream's answer is incomplete, up
    to READS times, then UpstreamError (nothing of the window is stored)."""
    for attempt in range(1, READS + 1):
        try:
            return stream.fetch(client, start, end)
        except Incomplete as exc:
            problem = str(exc)
            if attempt < READS:
                client.say(f"{problem}: reading the window again ({attempt + 1} of {READS})")
    raise UpstreamError(f"{problem}; still incomplete after {READS} reads")


# -- shapes ----------------------------------------------------------------------------------


def _json(url: str, body: bytes, content_type: str, redact=str) -> Any:
    if "json" not in content_type.lower():
        raise UpstreamError(
            f"{url}: expected JSON, got {content_type or 'no content type'} ({_peek(body, redact)})"
        )
    try:
        return json.loads(body)
    except ValueError as exc:
        raise UpstreamError(f"{url}: malformed or truncated JSON: {exc}") from None


def _csv(url, body: bytes, content_type: str, expected: str, kind: str, redact=str) -> list:
    """Rows of one of the CSV exports. Columns the export does not document (a vendor adding
    one, such as commit_source) are ignored; a documented column missing stops the run."""
    if "csv" not in content_type.lower():
        raise UpstreamError(
            f"{url}: expected CSV, got {content_type or 'no content type'} ({_peek(body, redact)})"
        )
    fmt = next(f for f in readers.CSV_FORMATS if f.name == expected)
    # A commit message or metadata_json cell may be far over the csv module's 128 KiB default.
    csv.field_size_limit(CSV_FIELD_LIMIT)
    text = body.decode("utf-8-sig", errors="replace")
    if text and not text.endswith("\n"):
        # Every row, the last too, ends with a line break: a body that does not was cut
        # inside its last line (a cell such as 2026-12-07T21 would pass for a value).
        raise Incomplete(f"{url}: the CSV body ends inside a line (cut after {len(body)} bytes)")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise Incomplete(f"{url}: empty body (no CSV header)") from None
    except csv.Error as exc:
        raise UpstreamError(f"{url}: line 1: malformed CSV: {exc}") from None
    missing = [c for c in fmt.columns if c not in header]
    if missing:
        raise UpstreamError(f"{url}: not the {expected} header: no {', '.join(missing)}")
    keep = [i for i, h in enumerate(header) if h in fmt.fields]
    known = [header[i] for i in keep]
    records = []
    try:
        for row in reader:
            if not row:
                continue
            where = f"{url} line {reader.line_num}"
            if len(row) != len(header):
                raise Incomplete(
                    f"{where}: {len(row)} cells, the header has {len(header)} (a cut body?)"
                )
            record = readers.csv_record(fmt, known, [row[i] for i in keep])
            if isinstance(record, BadRow):
                raise UpstreamError(f"{where}: {_who(record, kind)}{record.field} {record.message}")
            records.append(_checked(record, kind, where, csv_format=fmt))
    except csv.Error as exc:
        raise Incomplete(f"{url} line {reader.line_num}: malformed CSV: {exc}") from None
    return records


def _peek(body: bytes, redact=str) -> str:
    """The body's first characters, redacted before they are cut (a cut key is no longer
    the key: it would pass the redaction)."""
    text = redact(" ".join(body[:4096].decode("utf-8", errors="replace").split()))
    return f"body starts {text[:80]!r}"


def _field(url: str, payload: Any, *path: str) -> Any:
    value = payload
    for name in path:
        if not isinstance(value, dict) or name not in value:
            raise UpstreamError(f"{url}: the response has no {'.'.join(path)}")
        value = value[name]
    return value


def _count_field(url: str, payload: Any, *path: str) -> int:
    value = _field(url, payload, *path)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise UpstreamError(f"{url}: {'.'.join(path)} is not a count: {value!r}")
    return value


def _who(record: dict, kind: str) -> str:
    identity = record.get(IDENTITY[kind]) if isinstance(record, dict) else None
    noun = "commit" if kind == COMMITS else "change"
    return f"{noun} {identity}: " if identity not in (None, "") else f"a {noun} without id: "


def _checked(record: dict, kind: str, where: str, csv_format=None) -> dict:
    """The record, refused (UpstreamError naming it and where it came from) when a required
    field is missing or a timestamp is not a whole RFC 3339 time."""
    for name in REQUIRED[kind]:
        if record.get(name) in (None, ""):
            column = readers.csv_field(csv_format, name) if csv_format else name
            raise UpstreamError(
                f"{where}: {_who(record, kind)}no {column} (a required field; refusing to "
                f"store the record with an invented value)"
            )
    for name in TIMESTAMPS:
        value = record.get(name)
        if value not in (None, "") and not (isinstance(value, str) and _RFC3339.fullmatch(value)):
            column = readers.csv_field(csv_format, name) if csv_format else name
            raise UpstreamError(
                f"{where}: {_who(record, kind)}{column} is not an RFC 3339 time: {value!r}"
            )
    record["_origin"] = where
    return record


def _items(url: str, items: Any, kind: str, where: str) -> list[dict]:
    """Items as ingestion records: the upstream's user ids (its own) and derived or unknown
    fields (commitSource, nonAi) are dropped; the member is found by email."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise UpstreamError(f"{where}: items is not a list of objects")
    keep = ALLOWED[kind] - {"userId", "nonAiLinesAdded", "nonAiLinesDeleted"}
    return [_checked({k: v for k, v in item.items() if k in keep}, kind, where) for item in items]


def _unique(records: list[dict], kind: str) -> list[dict]:
    """One record per identity (a page re-read after a shift repeats some)."""
    return list({r[IDENTITY[kind]]: r for r in reversed(records)}.values())[::-1]


def _paged(client, path, start, end, *, kind, size, total_of, items_of, extra=None):
    """Every record of an offset-paged list, checked against the total the upstream states on
    every page: a total that moves (records added or deleted while paging shift the offsets),
    or fewer distinct records than the total, is Incomplete (the window is read again). A page
    smaller than asked before the total is reached means the upstream caps pages below the
    size it echoes: paging goes on at that size."""
    url, records, page, total, asked = client.base_url + path, [], 1, None, size
    seen: set = set()
    while True:
        params = {"startDate": iso(start), "endDate": iso(end), "page": page, "pageSize": asked}
        payload = _json(url, *client.get(path, {**params, **(extra or {})}), client.redact)
        where = f"{url} page {page} (pageSize {asked}, {iso(start)}..{iso(end)})"
        items, count = items_of(url, payload), total_of(url, payload)
        if total is None:
            total = count
        elif count != total:
            raise Incomplete(
                f"{where}: the total moved from {total} to {count} while paging (records "
                f"added or deleted upstream shift the pages)"
            )
        records += _items(url, items, kind, where)
        seen.update(r[IDENTITY[kind]] for r in records[-len(items) :] if items)
        if page == 1 and items and len(items) < min(asked, total):
            asked = len(items)  # the upstream's real page size; page 2 starts after these
        if not items or len(seen) >= total or page > total // asked + 2:
            break
        page += 1
    records = _unique(records, kind)
    if len(records) != total:
        raise Incomplete(
            f"{url} ({iso(start)}..{iso(end)}): read {len(records)} distinct records, the "
            f"upstream counts {total}"
        )
    return records


def _counted_csv(client, csv_path, count, start, end, expected, kind) -> list[dict]:
    """A CSV export checked against the JSON list's count of the same range, asked before the
    export and, when they differ, after it (records added in between)."""
    before = count(client, start, end)
    body, ctype = client.get(csv_path, {"startDate": iso(start), "endDate": iso(end)})
    url = client.base_url + csv_path
    records = _unique(_csv(url, body, ctype, expected, kind, client.redact), kind)
    if len(records) == before:
        return records
    after = count(client, start, end)
    if len(records) != after:
        raise Incomplete(
            f"{url} ({iso(start)}..{iso(end)}): {len(records)} rows, the upstream counts "
            f"{after} (a body cut at a line boundary?)"
        )
    return records


# -- Cursor ----------------------------------------------------------------------------------

CURSOR_PATHS = {COMMITS: "/analytics/ai-code/commits", CHANGES: "/analytics/ai-code/changes"}
CURSOR_CSV = {COMMITS: "Cursor commits.csv", CHANGES: "Cursor changes.csv"}


def cursor_streams(fmt: str = "csv") -> list[Stream]:
    return [
        Stream(
            kind,
            kind,
            _cursor_csv(kind) if fmt == "csv" else _cursor_json(kind),
            count=_cursor_count(kind),
        )  # fmt: skip
        for kind in (COMMITS, CHANGES)
    ]


def _cursor_count(kind: str):
    def count(client: Client, start: datetime, end: datetime) -> int:
        path = CURSOR_PATHS[kind]
        params = {"startDate": iso(start), "endDate": iso(end), "page": 1, "pageSize": 1}
        payload = _json(client.base_url + path, *client.get(path, params), client.redact)
        return _count_field(client.base_url + path, payload, "totalCount")

    return count


def _cursor_csv(kind: str):
    def fetch(client: Client, start: datetime, end: datetime) -> list[dict]:
        path = CURSOR_PATHS[kind] + ".csv"
        return _counted_csv(client, path, _cursor_count(kind), start, end, CURSOR_CSV[kind], kind)

    return fetch


def _cursor_json(kind: str):
    def fetch(client: Client, start: datetime, end: datetime) -> list[dict]:
        return _paged(
            client, CURSOR_PATHS[kind], start, end, kind=kind, size=CURSOR_PAGE_SIZE,
            total_of=lambda url, p: _count_field(url, p, "totalCount"),
            items_of=lambda url, p: _field(url, p, "items"),
        )  # fmt: skip

    return fetch


# -- Qoder -----------------------------------------------------------------------------------


def qoder_streams(organization: str) -> list[Stream]:
    base = f"/v1/organizations/{quote(organization, safe='')}/ai-code-tracking"
    return [
        Stream(
            COMMITS, COMMITS, _qoder_commits(base), count=_qoder_count(base + "/commits"),
            selected_by="occurred_at",  # commitTs, else createdAt
        ),
        Stream(CHANGES, CHANGES, _qoder_changes(base), count=_qoder_count(base + "/changes")),
    ]  # fmt: skip


def _qoder_count(path: str):
    def count(client: Client, start: datetime, end: datetime) -> int:
        params = {"startDate": iso(start), "endDate": iso(end), "page": 1, "pageSize": 1}
        url = client.base_url + path
        return _qoder_total(url, _json(url, *client.get(path, params), client.redact))

    return count


def _qoder_total(url: str, payload: Any) -> int:
    # totalItems, not totalPages: pages are derived (and have been seen understated).
    return _count_field(url, payload, "data", "pagination", "totalItems")


def _qoder_commits(base: str):
    count = _qoder_count(base + "/commits")

    def fetch(client: Client, start: datetime, end: datetime) -> list[dict]:
        records = _counted_csv(
            client, base + "/commits/export", count, start, end, "Qoder ai-code-commits.csv",
            COMMITS,
        )  # fmt: skip
        _attach_annotations(client, base + "/commits/detail", records)
        return records

    return fetch


def _attach_annotations(client: Client, path: str, records: list[dict]) -> None:
    """The range annotations of every commit, 50 hashes a request, matched by the commitHash
    of each answer (not by position: an answer in another order must not swap them)."""
    url = client.base_url + path
    hashes = list(dict.fromkeys(r["commitHash"] for r in records if r.get("commitHash")))
    found: dict[str, Any] = {}
    for i in range(0, len(hashes), QODER_DETAIL_BATCH):
        batch = hashes[i : i + QODER_DETAIL_BATCH]
        payload = _json(url, *client.post_json(path, {"commitHashes": batch}), client.redact)
        commits = _field(url, payload, "data", "commits")
        if not isinstance(commits, list) or not all(isinstance(c, dict) for c in commits):
            raise UpstreamError(f"{url}: data.commits is not a list of objects")
        answered: dict[str, Any] = {}
        for detail in commits:
            hash_ = detail.get("commitHash")
            if not isinstance(hash_, str) or hash_ not in batch:
                raise UpstreamError(f"{url}: an answer for a commit not asked for: {hash_!r}")
            annotations = _field(url, detail, "rangeAnnotations")
            if not isinstance(annotations, list):
                raise UpstreamError(f"{url}: rangeAnnotations of {hash_} is not a list")
            if answered.setdefault(hash_, annotations) != annotations:
                raise UpstreamError(f"{url}: two different answers for commit {hash_}")
        unanswered = [h for h in batch if h not in answered]
        if unanswered:
            raise Incomplete(
                f"{url}: no answer for {len(unanswered)} of {len(batch)} commits "
                f"(first {unanswered[0]})"
            )
        found.update(answered)
    for record in records:
        if record.get("commitHash") in found:
            record["rangeAnnotations"] = found[record["commitHash"]]


def _qoder_changes(base: str):
    """The JSON list, not the export: the export has no per-file metadata."""

    def fetch(client: Client, start: datetime, end: datetime) -> list[dict]:
        return _paged(
            client, base + "/changes", start, end, kind=CHANGES, size=QODER_PAGE_SIZE,
            total_of=_qoder_total, items_of=lambda url, p: _field(url, p, "data", "items"),
        )  # fmt: skip

    return fetch
