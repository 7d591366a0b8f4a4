"""One sync run: for each stream, the windows from its checkpoint to now, each read whole and
checked complete, then stored and checkpointed in one transaction.

Why the checkpoint is the window's end and not the last record's createdAt: the window was read
whole, so everything up to its end is stored, including a range with no records (a quiet month
is not fetched again). The next run starts `overlap` before it: records stamped at the same
instant, or stamped late by the upstream, are read again and counted unchanged.

The streams are read in parallel, one thread each (each has its own endpoints, so its own
pacing budget); the database is only touched from the calling thread, one window at a time.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from teams.models import Member, Team
from tracking.ingest.services import IndexedRows, IngestInvalid, stream_ingest
from tracking.models import Change, Commit, SyncState
from tracking.sync.http import Client, UpstreamError
from tracking.sync.sources import IDENTITY, Stream, read_window

AHEAD = 1  # windows a stream may read ahead of the one being stored


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


@dataclass
class _Read:
    stream: Stream
    number: int
    low: datetime
    high: datetime
    requests: int
    records: list[dict] | None = None
    error: str = ""
    last: bool = False


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
    plans = []
    for stream in streams:
        state = _state(team, source, stream.name, create=not options.dry_run)
        if options.reset and not options.dry_run:
            state.checkpoint = None
            state.save(update_fields=["checkpoint"])
        start = state.checkpoint - options.overlap if state.checkpoint else end - options.since
        plans.append((stream, state, windows(start, end, options.window)))

    done, stop = queue.Queue(), threading.Event()
    slots = {stream.name: threading.Semaphore(AHEAD + 1) for stream, _, _ in plans}

    def read(stream: Stream, planned) -> None:
        try:
            for number, (low, high) in enumerate(planned, start=1):
                slots[stream.name].acquire()
                if stop.is_set():
                    break
                before = client.thread_requests()
                item = _Read(stream, number, low, high, 0)
                try:
                    item.records = read_window(stream, client, low, high)
                except UpstreamError as exc:
                    item.error = client.redact(str(exc))
                except Exception as exc:  # noqa: BLE001 - reported by the storing thread
                    item.error = client.redact(f"{type(exc).__name__}: {exc}")
                item.requests = client.thread_requests() - before
                done.put(item)
                if item.error:
                    break
        finally:
            done.put(_Read(stream, 0, end, end, 0, last=True))

    threads = [
        threading.Thread(target=read, args=(s, p), daemon=True, name=f"sync-{s.name}")
        for s, _, p in plans
    ]
    for thread in threads:
        thread.start()
    states = {stream.name: (state, len(planned)) for stream, state, planned in plans}
    started = {stream.name: time.monotonic() for stream, _, _ in plans}
    failure, finished = "", 0
    try:
        while finished < len(threads):
            item = done.get()
            if item.last:
                finished += 1
                continue
            state, count = states[item.stream.name]
            window = f"{item.low:%Y-%m-%d %H:%M}..{item.high:%Y-%m-%d %H:%M}"
            if not item.error:
                try:
                    result = _store(team, state, item, client, options)
                except SyncFailed as exc:
                    item.error = f"{client.base_url}: {client.redact(str(exc))}"
            if item.error:
                # One line: the stream, the window, then the URL and the problem.
                item.error = _one_line(f"{item.stream.name} {window}: {item.error}")
                failure = failure or item.error
                stop.set()  # the other streams finish the window they are reading
                _failed(state, item.error, item.requests)
            else:
                totals.received += result.received
                totals.created += result.created
                totals.updated += result.updated
                totals.windows += 1
                progress(_line(source, item, count, totals, client, started[item.stream.name]))
            slots[item.stream.name].release()
    finally:
        stop.set()
        for slot in slots.values():
            slot.release()
    if failure:
        raise SyncFailed(failure)
    return totals


@dataclass
class Verified:
    ranges: int = 0  # ranges whose counts were compared
    reread: list[str] = field(default_factory=list)  # days re-read: "commits 2026-12-01"
    created: int = 0
    updated: int = 0
    differ: list[str] = field(default_factory=list)  # still different after the re-read


DAY = timedelta(days=1)


def verify_streams(
    *,
    team: Team,
    source: str,
    streams: list[Stream],
    client: Client,
    options: Options,
    progress: Callable[[str], None] = lambda line: None,
) -> Verified:
    """Reconciliation: the upstream's count of each range against the team's, from `since`
    to now. A range that differs is halved (at midnight UTC) until it is a day; a day that
    differs is read again whole and stored (checked complete, as a sync window is). Ranges
    that agree cost one count request: 90 days in 30-day windows are 3 a stream when nothing
    is missing. The checkpoints do not move. A day still different after its re-read holds
    records the upstream no longer serves (deleted there, or ingested here by another way):
    they are reported, never deleted."""
    verified = Verified()
    now = options.now() + timedelta(milliseconds=1)
    end = now.replace(microsecond=now.microsecond // 1000 * 1000)
    for stream in streams:
        if stream.count is None:
            continue
        state = _state(team, source, stream.name, create=not options.dry_run)
        todo = list(reversed(windows(end - options.since, end, options.window)))
        while todo:
            low, high = todo.pop()
            try:
                theirs = stream.count(client, low, high)
            except UpstreamError as exc:
                raise SyncFailed(_one_line(client.redact(f"{stream.name} verify: {exc}"))) from None
            ours = _local_count(team, stream, low, high)
            verified.ranges += 1
            if theirs == ours:
                continue
            middle = _midnight_between(low, high)
            if middle is not None:
                todo += [(middle, high), (low, middle)]
                continue
            day = f"{stream.name} {low:%Y-%m-%d %H:%M}..{high:%Y-%m-%d %H:%M}"
            progress(f"{source} verify: {day}: {ours} stored, the upstream counts {theirs}")
            before = client.thread_requests()
            try:
                records = read_window(stream, client, low, high)
            except UpstreamError as exc:
                raise SyncFailed(_one_line(client.redact(f"{day}: {exc}"))) from None
            item = _Read(stream, 0, low, high, client.thread_requests() - before, records)
            try:
                result = _store(team, state, item, client, options, checkpoint=False)
            except SyncFailed as exc:
                raise SyncFailed(_one_line(f"{day}: {client.redact(str(exc))}")) from None
            verified.reread.append(day)
            verified.created += result.created
            verified.updated += result.updated
            after = _local_count(team, stream, low, high)
            if after != theirs and not options.dry_run:
                verified.differ.append(f"{day}: {after} stored, the upstream counts {theirs}")
    return verified


def _midnight_between(low: datetime, high: datetime) -> datetime | None:
    """The UTC midnight nearest the middle of the range, strictly inside it; None for a range
    of a day or less (it is read again whole)."""
    if high - low <= DAY:
        return None
    middle = low + (high - low) / 2
    midnight = middle.replace(hour=0, minute=0, second=0, microsecond=0)
    if midnight <= low:
        midnight += DAY
    return midnight if low < midnight < high else None


def _local_count(team: Team, stream: Stream, low: datetime, high: datetime) -> int:
    """The team's records in the range, on the clock the upstream selects by (both ends
    inclusive, as the upstream's)."""
    model = Commit if stream.kind == "commits" else Change
    field_ = stream.selected_by
    return model.objects.of(team).filter(**{f"{field_}__gte": low, f"{field_}__lte": high}).count()


def _store(team, state, item: _Read, client, options, *, checkpoint: bool = True):
    """The records and the checkpoint, together or not at all."""
    records = item.records or []
    origins = [r.pop("_origin", "") for r in records]
    with transaction.atomic():
        try:
            rows = IndexedRows(records)  # one batch: every problem of the window listed
            result = stream_ingest(
                team=team, kind=item.stream.kind, rows=rows, batch_size=max(len(rows), 1)
            )
        except IngestInvalid as exc:
            ident = IDENTITY[item.stream.kind]
            shown = "; ".join(
                f"{origins[p.index]}: {item.stream.kind[:-1]} "
                f"{records[p.index].get(ident)}: {p.field}: {p.message}"
                for p in exc.problems[:3]
            )
            raise SyncFailed(
                f"the upstream sent {len(exc.problems)} invalid field(s), nothing of this "
                f"window was stored: {shown}"
            ) from None
        _name_members(team, records)
        if options.dry_run:
            transaction.set_rollback(True)
            return result
        now = timezone.now()
        moved = {"checkpoint": item.high} if checkpoint else {}
        # Counters added in SQL: a concurrent run's additions are kept, not overwritten.
        SyncState.objects.filter(pk=state.pk).update(
            **moved,
            last_run_at=now,
            last_success_at=now,
            last_error="",
            records=F("records") + result.received,
            created=F("created") + result.created,
            updated=F("updated") + result.updated,
            requests=F("requests") + item.requests,
        )
    return result


def _name_members(team: Team, records: list[dict]) -> None:
    """Members created from a change (named after their email's local part, changes carry no
    name) get the name the commit export gives (Qoder's userName). The streams are stored as
    their windows arrive, so a member's first change may be stored before their first commit;
    a name a person gave is never replaced (only the default one is)."""
    named = {}
    for record in records:
        email, name = record.get("userEmail"), record.get("userName")
        if isinstance(email, str) and isinstance(name, str) and name.strip():
            named[email.strip().lower()] = name.strip()[:200]
    if not named:
        return
    members = Member.objects.filter(team=team, email__in=list(named)).only("email", "display_name")
    for member in members:
        default = member.email.split("@", 1)[0]
        if member.display_name == default and named[member.email] != default:
            Member.objects.filter(pk=member.pk, display_name=default).update(
                display_name=named[member.email]
            )


def _state(team: Team, source: str, stream: str, *, create: bool) -> SyncState:
    """The stream's checkpoint row; a dry run on a new stream works on an unsaved one."""
    key = {"team": team, "source": source, "stream": stream}
    if create:
        return SyncState.objects.get_or_create(**key)[0]
    return SyncState.objects.filter(**key).first() or SyncState(**key)


def _failed(state: SyncState, message: str, requests: int) -> None:
    # Outside the failed transaction: the checkpoint stays where the last committed window
    # left it; only the error and the time are recorded (already redacted).
    if state.pk is None:
        return  # a dry run's first look at this stream
    SyncState.objects.filter(pk=state.pk).update(
        last_run_at=timezone.now(), last_error=message[:2000], requests=F("requests") + requests
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _line(source, item: _Read, count, totals, client, stream_started) -> str:
    elapsed = max(time.monotonic() - totals.started, 1e-6)
    rate = totals.received / elapsed
    # ETA of this stream: its windows so far took this long each (pacing included).
    eta = (time.monotonic() - stream_started) / item.number * (count - item.number)
    return (
        f"{source} {item.stream.name}: window {item.number}/{count} "
        f"{item.low:%Y-%m-%d %H:%M} .. {item.high:%Y-%m-%d %H:%M}: {totals.received} records, "
        f"{client.stats.requests} requests, {rate:.0f} records/s, ETA {eta:.0f}s"
    )
