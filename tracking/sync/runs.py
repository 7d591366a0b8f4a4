"""Mirror a vendor's AI code tracking API into a team, incrementally and resumably.

Each stream (commits, changes) is read window by window, oldest first, from its checkpoint
(minus an overlap) or from `since` on a first run, up to now. A window's records are stored
through the ingestion service (validation, identity, members by email, the upstream createdAt
kept) and its checkpoint is moved to the window's end in the same transaction: killed at any
moment, a rerun starts where the last committed window ended and re-reads the overlap, which
the identity upsert makes harmless (nothing twice, nothing missing).

Cursor: `commits.csv` and `changes.csv` (one request per window and stream, where the JSON
lists need one per page: measured 6 requests against 63 for the same data). Qoder: the
`commits/export` and `changes/export` CSVs, and `commits/detail` (50 hashes a request) for the
commits' range annotations, merged into the commit records before they are stored.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from teams.models import Team
from tracking.ingest import readers
from tracking.ingest.records import CHANGES, COMMITS
from tracking.ingest.services import IngestInvalid, stream_ingest
from tracking.models import SyncState
from tracking.sync.http import SyncError, Upstream

DETAIL_BATCH = 50


@dataclass
class Options:
    since: timedelta = timedelta(days=90)
    window: timedelta = timedelta(days=30)
    overlap: timedelta = timedelta(hours=1)
    dry_run: bool = False
    progress: Callable[[str], None] = lambda message: None


@dataclass
class StreamResult:
    stream: str
    windows: int = 0
    records: int = 0
    created: int = 0
    updated: int = 0
    checkpoint: datetime | None = None


@dataclass
class RunResult:
    source: str
    streams: list[StreamResult] = field(default_factory=list)


def iso(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def windows(start: datetime, end: datetime, size: timedelta) -> Iterator[tuple[datetime, datetime]]:
    while start < end:
        stop = min(start + size, end)
        yield start, stop
        start = stop


# -- the two sources ---------------------------------------------------------------------------


@dataclass
class Source:
    name: str
    upstream: Upstream

    def fetch(self, stream: str, start: datetime, end: datetime) -> list:
        """The stream's records in [start, end], as ingestion rows (line, record)."""
        raise NotImplementedError


class CursorSource(Source):
    PATHS = {COMMITS: "/analytics/ai-code/commits.csv", CHANGES: "/analytics/ai-code/changes.csv"}

    def fetch(self, stream, start, end):
        path = self.PATHS[stream]
        raw = self.upstream.get(path, {"startDate": iso(start), "endDate": iso(end)})
        return _csv_rows(raw, stream, self.upstream._shown(path))


class QoderSource(Source):
    def __init__(self, name: str, upstream: Upstream, organization: str):
        super().__init__(name, upstream)
        self.prefix = f"/v1/organizations/{organization}/ai-code-tracking"

    def fetch(self, stream, start, end):
        path = f"{self.prefix}/{stream}/export"
        raw = self.upstream.get(path, {"startDate": iso(start), "endDate": iso(end)})
        rows = _csv_rows(raw, stream, self.upstream._shown(path))
        if stream == COMMITS and rows:
            self._annotate([record for _, record in rows if isinstance(record, dict)])
        return rows

    def _annotate(self, records: list[dict]) -> None:
        path = f"{self.prefix}/commits/detail"
        hashes = list(dict.fromkeys(r["commitHash"] for r in records if r.get("commitHash")))
        found: dict[str, list] = {}
        for i in range(0, len(hashes), DETAIL_BATCH):
            body = self.upstream.post_json(path, {"commitHashes": hashes[i : i + DETAIL_BATCH]})
            try:
                for item in body["data"]["commits"]:
                    found[item["commitHash"]] = item["rangeAnnotations"]
            except (KeyError, TypeError) as exc:
                raise SyncError(
                    f"{self.upstream._shown(path)}: not the documented shape (missing {exc})"
                ) from None
        for record in records:
            record["rangeAnnotations"] = found.get(record.get("commitHash"), [])


def _csv_rows(raw: bytes, stream: str, shown: str) -> list:
    """Parse a CSV export; anything but the expected export (HTML, JSON, a cut file) stops."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SyncError(f"{shown}: the body is not UTF-8 text") from None
    try:
        fmt, rows = readers.read_csv(io.StringIO(text, newline=""))
        if fmt.kind != stream:
            raise SyncError(f"{shown}: expected a {stream} export, got {fmt.name}")
        return list(rows)
    except readers.ReadError as exc:
        first = text[:60].replace("\n", " ")
        raise SyncError(
            f"{shown}: not the documented CSV ({exc.message}); starts {first!r}"
        ) from None


# -- the run -----------------------------------------------------------------------------------


def sync(*, team: Team, source: Source, options: Options) -> RunResult:
    result = RunResult(source.name)
    for stream in (COMMITS, CHANGES):
        result.streams.append(_sync_stream(team, source, stream, options))
    return result


def _sync_stream(team: Team, source: Source, stream: str, options: Options) -> StreamResult:
    state, _ = SyncState.objects.get_or_create(team=team, source=source.name, stream=stream)
    now = timezone.now()
    start = state.checkpoint - options.overlap if state.checkpoint else now - options.since
    out = StreamResult(stream, checkpoint=state.checkpoint)
    SyncState.objects.filter(pk=state.pk).update(last_run_at=now)
    try:
        for window_start, window_end in windows(start, now, options.window):
            requests_before = source.upstream.stats.requests
            rows = source.fetch(stream, window_start, window_end)
            out.windows += 1
            out.records += len(rows)
            options.progress(
                f"{source.name} {stream}: {iso(window_start)} .. {iso(window_end)}: "
                f"{len(rows)} records"
            )
            if options.dry_run:
                _validate(stream, rows)
                continue
            requests = source.upstream.stats.requests - requests_before
            _store(team, state, stream, rows, window_end, requests, out)
    except (SyncError, IngestInvalid) as exc:
        message = _message(exc)
        SyncState.objects.filter(pk=state.pk).update(last_error=message[:2000])
        raise SyncError(message) from None
    SyncState.objects.filter(pk=state.pk).update(last_error="", last_success_at=timezone.now())
    return out


def _store(team, state, stream, rows, window_end, requests, out: StreamResult) -> None:
    with transaction.atomic():
        result = stream_ingest(team=team, kind=stream, rows=iter(rows))
        fresh = SyncState.objects.select_for_update().get(pk=state.pk)
        fresh.checkpoint = window_end
        fresh.records += len(rows)
        fresh.created += result.created
        fresh.updated += result.updated
        fresh.requests += requests
        fresh.save()
    out.created += result.created
    out.updated += result.updated
    out.checkpoint = window_end


def _validate(stream: str, rows: list) -> None:
    """--dry-run: the records are checked as ingestion would, and nothing is written."""
    from tracking.ingest.services import _parse

    _parsed, problems = _parse(stream, rows)
    if problems:
        raise IngestInvalid(problems)


def _message(exc: Exception) -> str:
    if isinstance(exc, IngestInvalid):
        first = exc.problems[0]
        return (
            f"{len(exc.problems)} upstream record problem(s); first: row {first.index}, "
            f"{first.field}: {first.message}"
        )
    return str(exc)
