"""tracking.ingest.ahead.read_ahead: the next batch parsed in a thread, nothing else changed."""

from __future__ import annotations

import threading

import pytest

from tracking.ingest.ahead import read_ahead


def _alive() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "read-ahead"]


def test_items_arrive_in_order_and_all_of_them():
    assert list(read_ahead(iter(range(1000)), depth=2)) == list(range(1000))


def test_the_items_are_produced_in_another_thread():
    seen = []

    def items():
        for i in range(3):
            seen.append(threading.current_thread().name)
            yield i

    assert list(read_ahead(items())) == [0, 1, 2]
    assert set(seen) == {"read-ahead"}


def test_an_error_is_raised_where_it_happened_after_the_items_before_it():
    def items():
        yield 1
        yield 2
        raise ValueError("line 3: broken")

    got = []
    with pytest.raises(ValueError, match="line 3: broken"):
        for item in read_ahead(items()):
            got.append(item)
    assert got == [1, 2]
    assert _alive() == []


def test_a_caller_that_stops_early_stops_the_thread_before_returning():
    produced = []

    def items():
        for i in range(1_000_000):
            produced.append(i)
            yield i

    reader = read_ahead(items(), depth=1)
    assert next(reader) == 0
    reader.close()
    assert _alive() == []  # joined: the source (an open file) is no longer read
    assert len(produced) <= 3  # the item handed over, one queued, one being made


def test_a_caller_that_fails_stops_the_thread_too():
    def consume():
        for item in read_ahead(iter(range(1_000_000))):
            if item == 5:
                raise RuntimeError("invalid batch")

    with pytest.raises(RuntimeError):
        consume()
    assert _alive() == []
