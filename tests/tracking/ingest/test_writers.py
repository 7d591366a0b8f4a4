"""The bulk writers' PostgreSQL paths."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tracking.ingest.helpers import change_rows, post
from tracking.ingest import writers
from tracking.ingest.services import stream_ingest

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY paths exist on PostgreSQL only"
)


def change(change_id: str, added: int) -> dict:
    return {
        "changeId": change_id,
        "userEmail": "a@acme.example",
        "source": "TAB",
        "totalLinesAdded": added,
    }


def test_a_first_load_is_copied_straight_into_the_table(ingest_api, team, monkeypatch):
    calls = []
    monkeypatch.setattr(writers, "_pg_stage", lambda *a: calls.append(a))
    response = post(ingest_api, "changes", [change("a", 1), change("b", 2)])
    assert response.json() == {"received": 2, "created": 2, "updated": 0}
    assert calls == []  # no staging table was needed
    assert change_rows(team)["b"]["total_lines_added"] == 2


def test_a_batch_meeting_a_stored_identity_falls_back_to_the_upsert(ingest_api, team):
    post(ingest_api, "changes", [change("a", 1)])
    response = post(ingest_api, "changes", [change("b", 2), change("a", 5), change("c", 3)])
    assert response.json() == {"received": 3, "created": 2, "updated": 1}
    rows = change_rows(team)
    assert {k: v["total_lines_added"] for k, v in rows.items()} == {"a": 5, "b": 2, "c": 3}


def _stream(team, records, *, batch_size):
    return stream_ingest(
        team=team, kind="changes", rows=enumerate(records, start=1), batch_size=batch_size
    )


def test_a_file_stops_trying_the_plain_copy_after_its_first_conflict(team, monkeypatch):
    _stream(team, [change("old-1", 1), change("old-2", 1)], batch_size=10)
    attempts = []
    real = writers._pg_copy_new
    monkeypatch.setattr(writers, "_pg_copy_new", lambda *a: attempts.append(1) or real(*a))
    records = [change("new-1", 2), change("new-2", 2)]  # batch 1: new, COPied
    records += [change("old-1", 3), change("new-3", 3)]  # batch 2: conflict -> upsert
    records += [change("new-4", 4), change("new-5", 4)]  # batch 3: upsert without a retry
    result = _stream(team, records, batch_size=2)
    assert (result.created, result.updated) == (5, 1)
    assert len(attempts) == 2
    assert len(change_rows(team)) == 7


def test_a_streams_batches_are_not_looked_up_in_the_table_before_the_copy(team):
    """The lookup `WHERE team_id = ? AND change_id = ANY(?)` was planned on the (team,
    created_at) index while the statistics said the team was empty: every batch of a first
    load re-read all the earlier batches. The unique index is the only check now."""
    records = [change(f"c{i}", i) for i in range(30)]
    with CaptureQueriesContext(connection) as queries:
        result = _stream(team, records, batch_size=10)
    assert result.created == 30
    reads = [q["sql"] for q in queries if "tracking_change" in q["sql"]]
    assert reads == []
