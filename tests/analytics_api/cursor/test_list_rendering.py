"""The Cursor list pages' fast rendering gives what the plain path gives.

- On PostgreSQL, timestamps arrive formatted by the database and metadata as JSON text
  (serialization.list_rows); the items equal the cells built from plain Python values.
- FastJSONRenderer (orjson) writes the bytes DRF's JSONRenderer writes.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer

from analytics_api.cursor.serialization import (
    CHANGE_COLUMNS,
    CHANGE_FIELDS,
    COMMIT_COLUMNS,
    COMMIT_FIELDS,
    PublicIds,
    as_json,
    change_cells,
    commit_cells,
)
from analytics_api.renderers import FastJSONRenderer
from tests.analytics_api.cursor.utils import at
from tests.factories import ChangeFactory, CommitFactory
from tracking import reads
from tracking.models import Change, Commit

ODD_TEXT = ["plain", "unicode 重構 ✓ é", "line\u2028separator\u2029", 'quote " \\ back', ""]


@pytest.fixture
def odd_records(team, owner):
    base = at("2025-07-10T12:00:00")
    for i, text in enumerate(ODD_TEXT):
        created = base + timedelta(minutes=i, microseconds=[0, 1, 999, 999_999, 123_456][i])
        CommitFactory(
            team=team, member=owner, created_at=created, message=text or None,
            commit_ts=None if i == 2 else created - timedelta(hours=1, microseconds=1),
            repo_name=text, ide_next_lines_added=i, cli_agent_lines_added=2 * i,
            total_lines_added=10 * i, is_primary_branch=[True, False, None][i % 3],
        )  # fmt: skip
        ChangeFactory(
            team=team, member=owner, created_at=created, model=text or None,
            metadata=[
                {"fileName": text, "fileExtension": ".ts", "linesAdded": i, "linesDeleted": 1},
                {"fileExtension": "", "linesAdded": 0, "linesDeleted": 0},
                {"fileName": None, "fileExtension": ".PY", "linesAdded": 2, "linesDeleted": 3},
            ][: i + 1] if i != 4 else [],
        )  # fmt: skip
    team.bump_data_version()


def _expected(model, columns, fields, cells, team) -> list[dict]:
    """The plain path: ORM values (datetimes, parsed JSON) through the cell functions."""
    qs = reads.newest_first(model.objects.of(team))
    if model is Change:
        qs = qs.filter(accepted=True)
    ids = PublicIds()
    return [as_json(fields, cells(row, ids)) for row in qs.values_list(*columns)]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="elsewhere both sides are the plain path"
)
@pytest.mark.parametrize(
    ("path", "model", "columns", "fields", "cells"),
    [
        ("commits", Commit, COMMIT_COLUMNS, COMMIT_FIELDS, commit_cells),
        ("changes", Change, CHANGE_COLUMNS, CHANGE_FIELDS, change_cells),
    ],
)
def test_list_items_equal_the_cells_of_plain_values(
    api, team, odd_records, path, model, columns, fields, cells
):
    response = api.get(
        f"/analytics/ai-code/{path}", {"startDate": "2025-07-01", "endDate": "2025-07-31"}
    )
    assert response.status_code == 200
    expected = _expected(model, columns, fields, cells, team)
    assert len(expected) == len(ODD_TEXT)
    assert response.json()["items"] == expected


@pytest.mark.parametrize("path", ["commits", "changes"])
def test_the_page_bytes_are_what_drfs_renderer_writes(api, odd_records, path):
    response = api.get(
        f"/analytics/ai-code/{path}", {"startDate": "2025-07-01", "endDate": "2025-07-31"}
    )
    drf = JSONRenderer().render(json.loads(response.content))
    assert response.content == drf
    assert b"\\u2028" in response.content  # escaped, as DRF does


@pytest.mark.parametrize(
    "data",
    [
        {"items": [{"a": 'é ✓ \u2028 \u2029 " \\ \n'}], "n": 2**40, "b": True, "z": None},
        {"big": 2**60},  # beyond 2**53: DRF's encoder renders it
        {"when": at("2025-07-10T12:00:00.123456")},  # DRF's own datetime form
    ],
)
def test_the_fast_renderer_writes_drfs_bytes(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_an_indent_asked_for_is_honoured():
    rendered = FastJSONRenderer().render({"a": 1}, "application/json; indent=2")
    assert rendered == JSONRenderer().render({"a": 1}, "application/json; indent=2")
    assert b"\n" in rendered


def _queries(api, path, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api.get(path, query).status_code == 200
    return len(captured)


def test_one_members_deep_change_pages_skip_the_deferred_join(api, team, owner, monkeypatch):
    """(team, member, created_at, id) has no `accepted`: the id walk would read the rows
    anyway, so the second query of a deferred join would buy nothing."""
    for i in range(3):
        CommitFactory(
            team=team, member=owner, created_at=at("2025-07-10T12:00:00") + timedelta(minutes=i)
        )
        ChangeFactory(
            team=team, member=owner, created_at=at("2025-07-10T12:00:00") + timedelta(minutes=i)
        )
    monkeypatch.setattr(reads, "DEFERRED_JOIN_MIN_OFFSET", 1)
    query = {"startDate": "2025-07-01", "endDate": "2025-07-31", "pageSize": 1, "user": owner.email}
    changes = "/analytics/ai-code/changes"
    commits = "/analytics/ai-code/commits"
    _queries(api, changes, query)  # the key's first use of the day writes last_used_at
    assert _queries(api, changes, {**query, "page": 2}) == _queries(
        api, changes, {**query, "page": 1}
    )
    # Commits: the member index covers the walk, the deferred join stays.
    assert (
        _queries(api, commits, {**query, "page": 2})
        == _queries(api, commits, {**query, "page": 1}) + 1
    )


def test_metadata_stored_as_a_json_string_is_no_list(api, team, owner):
    """Only ORM writes can store it (ingest takes lists): shown as no items, not parsed."""
    ChangeFactory(team=team, member=owner, created_at=at("2025-07-10T12:00:00"),
                  metadata='[{"fileExtension": "py"}]')  # fmt: skip
    response = api.get("/analytics/ai-code/changes", {"startDate": "2025-07-01"})
    assert response.status_code == 200
    assert response.json()["items"][0]["metadata"] == []
