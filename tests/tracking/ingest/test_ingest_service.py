"""The one ingest service: a write conflict retries rows it can read again (a request, a sync
window), never a file's, and ends as a WriteConflict with nothing stored."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from tests.tracking.ingest.helpers import post, stored_counts
from tracking.ingest import services
from tracking.ingest.records import CHANGES
from tracking.ingest.services import (
    WRITE_ATTEMPTS,
    IndexedRows,
    IngestInvalid,
    WriteConflict,
    stream_ingest,
)
from tracking.ingest.writers import WriteRace


def change(change_id: str) -> dict:
    return {"changeId": change_id, "userEmail": "dev@acme.example", "source": "AGENT"}


class Deadlock(Exception):
    sqlstate = "40P01"


def deadlock() -> OperationalError:
    exc = OperationalError("deadlock detected")
    exc.__cause__ = Deadlock("deadlock detected\nDETAIL: process 1 waits for ShareLock")
    return exc


@pytest.fixture
def failing_writes(monkeypatch):
    """The first `failures` writes raise the given error, later ones write; returns the calls."""
    calls: list[int] = []
    real = services.write_batch

    def arm(error, failures: int = 10**6) -> list[int]:
        def write_batch(**kwargs):
            calls.append(len(kwargs["records"]))
            if len(calls) <= failures:
                raise error() if callable(error) else error
            return real(**kwargs)

        monkeypatch.setattr(services, "write_batch", write_batch)
        return calls

    return arm


@pytest.mark.parametrize("error", [deadlock, lambda: WriteRace(("c-1",))])
@pytest.mark.parametrize("as_rows", [IndexedRows, lambda records: list(enumerate(records))])
def test_a_sequence_is_written_again_after_a_conflict(team, failing_writes, error, as_rows):
    calls = failing_writes(error, failures=WRITE_ATTEMPTS - 1)
    rows = as_rows([change("c-1"), change("c-2")])
    result = stream_ingest(team=team, kind=CHANGES, rows=rows)
    assert (result.received, result.created, result.updated) == (2, 2, 0)
    assert calls == [2] * WRITE_ATTEMPTS
    assert stored_counts(team) == (0, 2, 0, 1)


def test_a_sequence_that_keeps_conflicting_is_a_write_conflict_with_nothing_stored(
    team, failing_writes
):
    calls = failing_writes(deadlock)
    with pytest.raises(WriteConflict, match="^deadlock detected$"):
        stream_ingest(team=team, kind=CHANGES, rows=[(0, change("c-1"))])
    assert len(calls) == WRITE_ATTEMPTS
    assert stored_counts(team) == (0, 0, 0, 0)  # the new member went with the rest


def test_rows_read_once_are_not_read_again_after_a_conflict(team, failing_writes):
    calls = failing_writes(lambda: WriteRace(("c-1",)), failures=1)
    rows = iter([(1, change("c-1")), (2, change("c-2"))])
    with pytest.raises(WriteConflict, match="a concurrent request stored the same new record"):
        stream_ingest(team=team, kind=CHANGES, rows=rows)
    assert calls == [2]
    assert stored_counts(team) == (0, 0, 0, 0)


def test_other_database_errors_are_not_retried(team, failing_writes):
    calls = failing_writes(OperationalError("disk full"))
    with pytest.raises(OperationalError, match="disk full"):
        stream_ingest(team=team, kind=CHANGES, rows=[(0, change("c-1"))])
    assert calls == [1]


def test_a_request_that_keeps_conflicting_is_a_503_to_retry_after_a_second(
    ingest_api, team, failing_writes
):
    failing_writes(deadlock)
    response = post(ingest_api, "changes", [change("c-1")])
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json()["message"].startswith("Concurrent writes to the same records")
    assert stored_counts(team) == (0, 0, 0, 0)


def test_indexed_rows_locate_each_record_by_its_index():
    rows = IndexedRows(["a", "b", "c"])
    assert (list(rows), len(rows), rows[-1]) == ([(0, "a"), (1, "b"), (2, "c")], 3, (2, "c"))


def test_an_invalid_request_is_refused_before_any_query(team, django_assert_num_queries):
    """No transaction, no member lookup: the 400 costs the database nothing."""
    rows = IndexedRows([change("c-1"), {"changeId": "c-2", "userEmail": "dev@acme.example"}])
    with django_assert_num_queries(0), pytest.raises(IngestInvalid) as refused:
        stream_ingest(team=team, kind=CHANGES, rows=rows)
    assert [(p.index, p.field) for p in refused.value.problems] == [(1, "source")]
