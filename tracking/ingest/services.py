"""The ingestion service: `stream_ingest`, the one entry point of every door (HTTP, `manage.py
ingest`, the sync, generated data).

Rows are validated and written in batches inside one transaction, all or nothing: the first
batch with a problem stops everything (IngestInvalid, listing every problem of that batch)
unless `skip_invalid`. A request is one batch, so its 400 lists every problem it has.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import datetime
from itertools import chain, islice
from typing import Any

from django.db import OperationalError, transaction
from django.utils import timezone

from teams.models import Team
from tracking.ingest.ahead import read_ahead
from tracking.ingest.fidelity import FULL, Fidelity, keep_richer
from tracking.ingest.members import MemberResolver
from tracking.ingest.records import Record, RecordInvalid, parse_record
from tracking.ingest.writers import WriteRace, WriteState, write_batch

# Optimization: big enough that per-batch SQL overhead vanishes, small enough that memory
# stays flat on a million-row file.
BATCH_SIZE = 10_000


@dataclass(frozen=True, order=True)
class Problem:
    index: int  # 0-based record index (HTTP) or line number (files)
    field: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


class IngestInvalid(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        first = self.problems[0]
        super().__init__(f"{first.index}: {first.field}: {first.message}")


@dataclass(frozen=True)
class BadRow:
    """A row a reader could not turn into a record (bad JSON line, bad CSV cell)."""

    field: str
    message: str


@dataclass
class IngestResult:
    received: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    kept: int = 0  # stored records that kept values a poorer format could not say (fidelity.py)

    def as_dict(self) -> dict:
        return {"received": self.received, "created": self.created, "updated": self.updated}


class WriteConflict(Exception):
    """Concurrent writers still deadlocked (or failed to serialize) after WRITE_ATTEMPTS tries:
    nothing was stored; the caller may retry shortly (HTTP: 503 with Retry-After)."""


WRITE_ATTEMPTS = 3
_CONFLICT_STATES = ("40P01", "40001")  # deadlock_detected, serialization_failure


def _is_conflict(exc: OperationalError) -> bool:
    # SQLite's shared-cache table lock (SQLITE_LOCKED: the in-memory test database of a live
    # server, two requests at once) is its kind of conflict: the transaction is rolled back and
    # tried again like a deadlock.
    return getattr(exc.__cause__, "sqlstate", None) in _CONFLICT_STATES or (
        "database table is locked" in str(exc)
    )


def _conflict_text(exc: Exception) -> str:
    if isinstance(exc, WriteRace):
        return f"a concurrent request stored the same new record {exc.args[0]!r}"
    return str(exc.__cause__).splitlines()[0]


class IndexedRows(Sequence):
    """Records in memory (a request, a sync window) as rows whose locator is their 0-based
    index. A Sequence, so stream_ingest may read it again after a write conflict.

    Optimization: each (index, record) pair is made as it is read, not kept: 10,000 pairs kept
    alive through a request cost the garbage collector about 6 ms (in-process, 10 requests of
    10,000 bench changes: 1.54 -> 1.48 s of CPU, list(enumerate(records)) -> this)."""

    def __init__(self, records: Sequence[Any]):
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> tuple[int, Any]:
        index = range(len(self.records))[index]  # a negative index, as its locator
        return index, self.records[index]

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        return enumerate(self.records)


def stream_ingest(
    *,
    team: Team,
    kind: str,
    rows: Iterable[tuple[int, Any]],
    skip_invalid: bool = False,
    on_skip: Callable[[Problem], None] | None = None,
    batch_size: int = BATCH_SIZE,
    fidelity: Fidelity = FULL,
) -> IngestResult:
    """Store rows of (locator, raw record or BadRow): the locator is what a Problem names (a
    request's 0-based index, a file's line). One transaction for all of them.

    Batches are written in identity order, so concurrent writers do not deadlock on the
    records; a deadlock that still happens (another lock order, e.g. commit files), or a
    WriteRace, rolls the whole transaction back. Rows given as a sequence (in memory: a
    request, a sync window) are then written again, WRITE_ATTEMPTS times in all; an iterator
    (a file) cannot be read twice. What still conflicts is a WriteConflict: nothing stored.

    `fidelity`: what the input's format can say (a CSV export's, from its reader); a poorer
    format never overwrites richer stored values (tracking/ingest/fidelity.py)."""
    attempts = WRITE_ATTEMPTS if isinstance(rows, Sequence) else 1
    for attempt in range(1, attempts + 1):
        try:
            return _ingest_once(team, kind, rows, skip_invalid, on_skip, batch_size, fidelity)
        except (OperationalError, WriteRace) as exc:
            if isinstance(exc, OperationalError) and not _is_conflict(exc):
                raise
            if attempt == attempts:
                raise WriteConflict(_conflict_text(exc)) from exc
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")


def _ingest_once(team, kind, rows, skip_invalid, on_skip, batch_size, fidelity) -> IngestResult:
    result, stamp, state = IngestResult(), timezone.now(), WriteState()
    # The next batch is read and validated in a thread while this one is written (rows that
    # fit in one batch, a request, have no next one: no thread). The first is read before the
    # transaction opens: a request holds no transaction while its records are validated, so
    # concurrent requests overlap less (SQLite allows one).
    chunks = _parsed_chunks(kind, rows, batch_size)
    if not (isinstance(rows, Sized) and len(rows) <= batch_size):
        chunks = read_ahead(chunks)
    with closing(chunks):
        first = next(chunks, None)
        if first is not None:
            _refuse(first[2], skip_invalid)  # an invalid request costs no transaction at all
        batches = chain([first] if first else [], chunks)
        with transaction.atomic():
            return _write_batches(
                team, kind, batches, skip_invalid, on_skip, stamp, state, result, fidelity
            )


def _write_batches(team, kind, batches, skip_invalid, on_skip, stamp, state, result, fidelity):
    resolver = MemberResolver(team)
    for size, parsed, problems in batches:
        result.received += size
        _refuse(problems, skip_invalid)
        parsed, more = _resolve(resolver, parsed)
        problems += more
        _refuse(problems, skip_invalid)  # rolls back members created meanwhile
        _skip(problems, result, on_skip)
        result.kept += keep_richer(team=team, kind=kind, records=parsed, fidelity=fidelity)
        _write(team, kind, parsed, stamp, result, state)
    _finish(team, resolver, result)
    return result


def _parsed_chunks(kind: str, rows: Iterable, size: int) -> Iterator[tuple]:
    """(rows read, records, problems) per batch of `size` rows. No database access: it runs
    in the read-ahead thread."""
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield (len(chunk), *_parse(kind, chunk))


def _parse(kind: str, rows: Iterable[tuple[int, Any]]) -> tuple[list[Record], list[Problem]]:
    parsed, problems = [], []
    for locator, raw in rows:
        if isinstance(raw, BadRow):
            problems.append(Problem(locator, raw.field, raw.message))
            continue
        try:
            parsed.append(parse_record(kind, raw, locator=locator))
        except RecordInvalid as exc:
            problems.extend(Problem(locator, name, message) for name, message in exc.problems)
    return parsed, problems


def _refuse(problems: list[Problem], skip_invalid: bool) -> None:
    """A batch's invalid records stop everything (unless skipped), before its members are
    looked up: a request with a bad record writes nothing, not even a member to roll back."""
    if problems and not skip_invalid:
        raise IngestInvalid(problems)


def _resolve(resolver: MemberResolver, parsed: list[Record]):
    bad = resolver.resolve(parsed)
    if not bad:
        return parsed, []
    rejected = {id(record) for record, _, _ in bad}
    kept = [record for record in parsed if id(record) not in rejected]
    return kept, [Problem(record.locator, name, message) for record, name, message in bad]


def _skip(problems: list[Problem], result: IngestResult, on_skip) -> None:
    result.skipped += len({p.index for p in problems})
    for problem in sorted(problems):
        if on_skip:
            on_skip(problem)


def _write(team: Team, kind: str, parsed: list[Record], stamp: datetime, result, state):
    if parsed:
        written = write_batch(team=team, kind=kind, records=parsed, stamp=stamp, state=state)
        result.created += written.created
        result.updated += written.updated


def _finish(team: Team, resolver: MemberResolver, result: IngestResult) -> None:
    # Same transaction as the writes: an ETag never describes data that is not committed.
    if result.created or result.updated or resolver.created:
        team.bump_data_version()
