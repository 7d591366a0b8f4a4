"""One sync run: for each stream, the windows from its checkpoint to now, each fetched whole,
then stored and checkpointed in one transaction.

Why the checkpoint is the window's end and not the last record's createdAt: the window was read
whole, so everything up to its end is stored, including a range with no records (a quiet month
is not fetched again). The next run starts `overlap` before it: records stamped at the same
instant, or stamped late by the upstream, are read again and counted unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from teams.models import Team
from tracking.ingest.services import IndexedRows, IngestInvalid, stream_ingest
from tracking.models import SyncState
from tracking.sync.http import Client, UpstreamError
from tracking.sync.sources import Stream


class SyncFailed(RuntimeError):
    pass


@dataclass
class Options:
    since: timedelta = timedelta(days=90)
    window: timedelta = timedelta(days=30)
    overlap: timedelta = timedelta(hours=1)
    dry_run: bool = False
    reset: bool = False
    now: Callable[[], datetime] = timezone.now


@dataclass
class Totals:
    received: int = 0
    created: int = 0
    updated: int = 0
    windows: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def unchanged(self) -> int:
        return self.received - self.created - self.updated


def windows(start: datetime, end: datetime, size: timedelta) -> list[tuple[datetime, datetime]]:
    out = []
    while start < end:
        out.append((start, min(end, start + size)))
        start = out[-1][1]
    return out or [(end, end)]


def sync_streams(
    *,
    team: Team,
    source: str,
    streams: list[Stream],
    client: Client,
    options: Options,
    progress: Callable[[str], None] = lambda line: None,
) -> Totals:
    totals = Totals()
    # Rounded up to the millisecond the requests carry: a record stamped in this very
    # millisecond, before the run started, is inside the range.
    now = options.now() + timedelta(milliseconds=1)
    end = now.replace(microsecond=now.microsecond // 1000 * 1000)
    for stream in streams:
        state = _state(team, source, stream.name, create=not options.dry_run)
        if options.reset and not options.dry_run:
            state.checkpoint = None
            state.save(update_fields=["checkpoint"])
        start = state.checkpoint - options.overlap if state.checkpoint else end - options.since
        planned, stream_started = windows(start, end, options.window), time.monotonic()
        for number, (low, high) in enumerate(planned, start=1):
            before = client.stats.requests
            try:
                records = stream.fetch(client, low, high)
                result = _store(team, state, stream, records, high, client, before, options)
            except SyncFailed as exc:
                message = f"{client.base_url}: {stream.name} {low:%Y-%m-%d}..{high:%Y-%m-%d}: {exc}"
                _failed(state, message, client.stats.requests - before)
                raise SyncFailed(message) from None
            except UpstreamError as exc:
                _failed(state, str(exc), client.stats.requests - before)
                raise SyncFailed(str(exc)) from None
            totals.received += result.received
            totals.created += result.created
            totals.updated += result.updated
            totals.windows += 1
            progress(
                _line(
                    source, stream, number, len(planned), low, high, totals, client, stream_started
                )
            )
    return totals


def _store(team, state, stream, records, high, client, before, options):
    """The records and the checkpoint, together or not at all."""
    with transaction.atomic():
        try:
            rows = IndexedRows(records)  # one batch: every problem of the window listed
            result = stream_ingest(
                team=team, kind=stream.kind, rows=rows, batch_size=max(len(rows), 1)
            )
        except IngestInvalid as exc:
            shown = "; ".join(f"record {p.index}: {p.field}: {p.message}" for p in exc.problems[:5])
            raise SyncFailed(
                f"the upstream sent {len(exc.problems)} invalid field(s), nothing of this "
                f"window was stored: {shown}"
            ) from None
        if options.dry_run:
            transaction.set_rollback(True)
            return result
        now = timezone.now()
        state.checkpoint = high
        state.last_run_at = state.last_success_at = now
        state.last_error = ""
        state.records += result.received
        state.created += result.created
        state.updated += result.updated
        state.requests += client.stats.requests - before
        state.save()
    return result


def _state(team: Team, source: str, stream: str, *, create: bool) -> SyncState:
    """The stream's checkpoint row; a dry run on a new stream works on an unsaved one."""
    key = {"team": team, "source": source, "stream": stream}
    if create:
        return SyncState.objects.get_or_create(**key)[0]
    return SyncState.objects.filter(**key).first() or SyncState(**key)


def _failed(state: SyncState, message: str, requests: int) -> None:
    # Outside the failed transaction: the checkpoint stays where the last committed window
    # left it; only the error and the time are recorded.
    if state.pk is None:
        return  # a dry run's first look at this stream
    SyncState.objects.filter(pk=state.pk).update(
        last_run_at=timezone.now(), last_error=message[:2000], requests=F("requests") + requests
    )


def _line(source, stream, number, count, low, high, totals, client, stream_started) -> str:
    elapsed = max(time.monotonic() - totals.started, 1e-6)
    rate = totals.received / elapsed
    # ETA of this stream: its windows so far took this long each (pacing included).
    eta = (time.monotonic() - stream_started) / number * (count - number)
    return (
        f"{source} {stream.name}: window {number}/{count} "
        f"{low:%Y-%m-%d %H:%M} .. {high:%Y-%m-%d %H:%M}: {totals.received} records, "
        f"{client.stats.requests} requests, {rate:.0f} records/s, ETA {eta:.0f}s"
    )
