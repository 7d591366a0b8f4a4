"""Producing the next items of an iterator in a thread while the caller works on this one.

Optimization for `stream_ingest`: reading and validating a batch is pure Python, writing it is
mostly waiting for PostgreSQL (COPY, index updates). With the next batch parsed in a thread
while the database works on this one, a file costs max(parse, write) per batch instead of their
sum (docs/benchmark.md, Ingestion). The thread never touches the database: Django connections
belong to their thread, and every write stays in the caller's transaction.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()
_POLL = 0.1  # seconds between checks of the stop flag while the queue is full


def read_ahead(items: Iterator[T], *, depth: int = 1) -> Iterator[T]:
    """Yield what `items` yields, in order, computing up to `depth` items ahead in a thread.

    An exception raised by `items` is raised here, at the position where it happened. When the
    caller stops early (an exception, or `close()`), the thread stops after its current item
    and is joined before this generator returns, so `items` and whatever it reads from (an
    open file) are never used after the caller is done with them.
    """
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                handoff.put(entry, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_END, None))
        except BaseException as exc:  # handed to the consumer, raised there
            put((None, exc))

    worker = threading.Thread(target=produce, name="read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item, error = handoff.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        worker.join()
