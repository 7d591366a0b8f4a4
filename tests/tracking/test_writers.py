"""The bulk writers' PostgreSQL paths."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.tracking.helpers import change_rows, post
from tracking.ingest import writers

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


def test_a_row_stored_meanwhile_falls_back_to_the_upsert(ingest_api, team, monkeypatch):
    post(ingest_api, "changes", [change("a", 1)])
    # As if another transaction stored "a" between the check and the COPY.
    monkeypatch.setattr(writers, "_any_stored", lambda *a: False)
    response = post(ingest_api, "changes", [change("a", 5), change("b", 2)])
    assert response.json() == {"received": 2, "created": 1, "updated": 1}
    rows = change_rows(team)
    assert (rows["a"]["total_lines_added"], rows["b"]["total_lines_added"]) == (5, 2)
