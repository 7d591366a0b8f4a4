"""What each upstream serves and how a window of it is read, as raw camelCase records.

A stream's `fetch(client, start, end)` returns every record of the inclusive range, or raises
UpstreamError naming the URL and what was wrong (HTML instead of JSON, a truncated body, a
missing field). It never returns part of a window: the caller commits a window or nothing.
"""

from __future__ import annotations

import csv
import io
import json
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


def iso(moment: datetime) -> str:
    """RFC 3339, UTC, milliseconds (both upstreams read it; Qoder ignores the fraction)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Stream:
    name: str  # the checkpoint's stream: commits | changes
    kind: str  # the ingestion kind
    fetch: Callable[[Client, datetime, datetime], list[dict]]


# -- shapes ----------------------------------------------------------------------------------


def _json(url: str, body: bytes, content_type: str) -> Any:
    if "json" not in content_type.lower():
        raise UpstreamError(
            f"{url}: expected JSON, got {content_type or 'no content type'} ({_peek(body)})"
        )
    try:
        return json.loads(body)
    except ValueError as exc:
        raise UpstreamError(f"{url}: malformed or truncated JSON: {exc}") from None


def _csv(url: str, body: bytes, content_type: str, expected: str) -> list[dict]:
    """Rows of one of the CSV exports. Columns the export does not document (a vendor adding
    one, such as commit_source) are ignored; a documented column missing stops the run."""
    if "csv" not in content_type.lower():
        raise UpstreamError(
            f"{url}: expected CSV, got {content_type or 'no content type'} ({_peek(body)})"
        )
    fmt = next(f for f in readers.CSV_FORMATS if f.name == expected)
    # A commit message or metadata_json cell may be far over the csv module's 128 KiB default.
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(body.decode("utf-8-sig", errors="replace"), newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise UpstreamError(f"{url}: empty body (no CSV header)") from None
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
            if len(row) != len(header):
                raise UpstreamError(
                    f"{url}: line {reader.line_num}: {len(row)} cells, the "
                    f"header has {len(header)} (a truncated body?)"
                )
            record = readers.csv_record(fmt, known, [row[i] for i in keep])
            if isinstance(record, BadRow):
                raise UpstreamError(
                    f"{url}: line {reader.line_num}: {record.field} {record.message}"
                )
            records.append(record)
    except csv.Error as exc:
        raise UpstreamError(f"{url}: line {reader.line_num}: malformed CSV: {exc}") from None
    return records


def _peek(body: bytes) -> str:
    text = body[:60].decode("utf-8", errors="replace").replace("\n", " ")
    return f"body starts {text!r}"


def _field(url: str, payload: Any, *path: str) -> Any:
    value = payload
    for name in path:
        if not isinstance(value, dict) or name not in value:
            raise UpstreamError(f"{url}: the response has no {'.'.join(path)}")
        value = value[name]
    return value


def _items(url: str, items: Any, kind: str) -> list[dict]:
    """Items as ingestion records: the upstream's user ids (its own) and derived or unknown
    fields (commitSource, nonAi) are dropped; the member is found by email."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise UpstreamError(f"{url}: items is not a list of objects")
    keep = ALLOWED[kind] - {"userId", "nonAiLinesAdded", "nonAiLinesDeleted"}
    return [{k: v for k, v in item.items() if k in keep} for item in items]


# -- Cursor ----------------------------------------------------------------------------------

CURSOR_PATHS = {COMMITS: "/analytics/ai-code/commits", CHANGES: "/analytics/ai-code/changes"}
CURSOR_CSV = {COMMITS: "Cursor commits.csv", CHANGES: "Cursor changes.csv"}


def cursor_streams(fmt: str = "csv") -> list[Stream]:
    return [
        Stream(kind, kind, _cursor_csv(kind) if fmt == "csv" else _cursor_json(kind))
        for kind in (COMMITS, CHANGES)
    ]


def _cursor_csv(kind: str):
    def fetch(client: Client, start: datetime, end: datetime) -> list[dict]:
        path = CURSOR_PATHS[kind] + ".csv"
        body, ctype = client.get(path, {"startDate": iso(start), "endDate": iso(end)})
        return _csv(client.base_url + path, body, ctype, CURSOR_CSV[kind])

    return fetch


def _cursor_json(kind: str):
    def fetch(client: Client, start: datetime, end: datetime) -> list[dict]:
        path, records, page = CURSOR_PATHS[kind], [], 1
        while True:
            params = {
                "startDate": iso(start),
                "endDate": iso(end),
                "page": page,
                "pageSize": CURSOR_PAGE_SIZE,
            }
            payload = _json(client.base_url + path, *client.get(path, params))
            items = _field(client.base_url + path, payload, "items")
            size = _field(client.base_url + path, payload, "pageSize")
            records += _items(client.base_url + path, items, kind)
            if not items or len(items) < size:
                return records
            page += 1

    return fetch


# -- Qoder -----------------------------------------------------------------------------------


def qoder_streams(organization: str) -> list[Stream]:
    base = f"/v1/organizations/{quote(organization, safe='')}/ai-code-tracking"
    return [
        Stream(COMMITS, COMMITS, _qoder_commits(base)),
        Stream(CHANGES, CHANGES, _qoder_changes(base)),
    ]


def _qoder_commits(base: str):
    def fetch(client: Client, start: datetime, end: datetime) -> list[dict]:
        path = base + "/commits/export"
        body, ctype = client.get(path, {"startDate": iso(start), "endDate": iso(end)})
        records = _csv(client.base_url + path, body, ctype, "Qoder ai-code-commits.csv")
        _attach_annotations(client, base + "/commits/detail", records)
        return records

    return fetch


def _attach_annotations(client: Client, path: str, records: list[dict]) -> None:
    """The range annotations of every commit, 50 hashes a request, in request order."""
    url = client.base_url + path
    hashes = list(dict.fromkeys(r["commitHash"] for r in records if r.get("commitHash")))
    found: dict[str, Any] = {}
    for i in range(0, len(hashes), QODER_DETAIL_BATCH):
        batch = hashes[i : i + QODER_DETAIL_BATCH]
        payload = _json(url, *client.post_json(path, {"commitHashes": batch}))
        commits = _field(url, payload, "data", "commits")
        if not isinstance(commits, list) or len(commits) != len(batch):
            raise UpstreamError(f"{url}: data.commits does not answer the {len(batch)} hashes")
        for asked, detail in zip(batch, commits, strict=True):
            annotations = _field(url, detail, "rangeAnnotations")
            if not isinstance(annotations, list):
                raise UpstreamError(f"{url}: rangeAnnotations of {asked} is not a list")
            found[asked] = annotations
    for record in records:
        if record.get("commitHash") in found:
            record["rangeAnnotations"] = found[record["commitHash"]]


def _qoder_changes(base: str):
    """The JSON list, not the export: the export has no per-file metadata."""

    def fetch(client: Client, start: datetime, end: datetime) -> list[dict]:
        path, url, records, page = base + "/changes", client.base_url + base + "/changes", [], 1
        while True:
            params = {
                "startDate": iso(start),
                "endDate": iso(end),
                "page": page,
                "pageSize": QODER_PAGE_SIZE,
            }
            payload = _json(url, *client.get(path, params))
            items = _field(url, payload, "data", "items")
            pages = _field(url, payload, "data", "pagination", "totalPages")
            records += _items(url, items, CHANGES)
            if not items or page >= pages:
                return records
            page += 1

    return fetch
