"""GET /analytics/ai-code/commits.csv: the seed's columns, values, streaming, same rows as JSON."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics_api import csv_export
from analytics_api.cursor import exports
from analytics_api.cursor.params import parse_filters
from analytics_api.cursor.serialization import COMMIT_COLUMNS
from teams.public_ids import encode_member_id
from tests.analytics_api.cursor.utils import COMMITS, COMMITS_CSV, all_items, at, csv_body, csv_rows
from tests.conftest import basic
from tests.factories import CommitFactory
from tracking import reads

WINDOW = {"startDate": "2025-07-01", "endDate": "2025-07-31"}
HEADER = (
    "commit_hash,user_id,user_email,repo_name,branch_name,is_primary_branch,total_lines_added,"
    "total_lines_deleted,tab_lines_added,tab_lines_deleted,composer_lines_added,"
    "composer_lines_deleted,non_ai_lines_added,non_ai_lines_deleted,message,commit_ts,created_at"
)


def test_header_and_a_row_as_the_seed_shows(api, owner):
    CommitFactory(
        member=owner, commit_hash="a1b2c3d4", message="重構:擷取 analytics 客戶端",
        commit_ts=at("2025-07-30T14:12:03"), created_at=at("2025-07-30T14:12:30"),
    )  # fmt: skip
    response = api.get(COMMITS_CSV, WINDOW)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    assert csv_body(response) == (
        f"{HEADER}\n"
        f"a1b2c3d4,{encode_member_id(owner.pk)},owner@acme.example,company/repo,main,true,120,30,"
        "50,10,40,5,30,15,重構:擷取 analytics 客戶端,2025-07-30T14:12:03.000Z,"
        "2025-07-30T14:12:30.000Z\n"
    )


def test_false_nulls_and_quoting(api, owner):
    CommitFactory(
        member=owner, is_primary_branch=False, repo_name=None, branch_name=None,
        message='fix "quotes", commas\nand lines', commit_ts=None,
        created_at=at("2025-07-10T00:00:00"),
    )  # fmt: skip
    response = api.get(COMMITS_CSV, WINDOW)
    row = csv_rows(response)[0]
    assert row["is_primary_branch"] == "false"
    assert (row["repo_name"], row["branch_name"], row["commit_ts"]) == ("", "", "")
    assert row["message"] == 'fix "quotes", commas\nand lines'
    row = csv_rows(api.get(COMMITS_CSV, WINDOW))[0]
    assert row["is_primary_branch"] == "false"


def test_null_primary_branch_is_an_empty_cell(api, owner):
    CommitFactory(member=owner, is_primary_branch=None, created_at=at("2025-07-10T00:00:00"))
    assert csv_rows(api.get(COMMITS_CSV, WINDOW))[0]["is_primary_branch"] == ""


def test_same_rows_as_the_json_list_for_the_same_filters(api, owner, teammate):
    for i in range(12):
        CommitFactory(member=owner if i % 3 else teammate,
                      created_at=at(f"2025-07-{10 + i % 4:02d}T00:00:00"))  # fmt: skip
    for params in (WINDOW, {**WINDOW, "user": teammate.email}):
        items = all_items(api, COMMITS, **params, pageSize=5)
        rows = csv_rows(api.get(COMMITS_CSV, params))
        assert [r["commit_hash"] for r in rows] == [i["commitHash"] for i in items]
        for row, item in zip(rows, items, strict=True):
            assert row["user_id"] == item["userId"]
            assert int(row["non_ai_lines_added"]) == item["nonAiLinesAdded"]
            assert row["created_at"] == item["createdAt"]


def test_keyset_batches_neither_skip_nor_repeat_ties(team, owner, django_assert_num_queries):
    same = at("2025-07-15T12:00:00")
    commits = [CommitFactory(member=owner, created_at=same) for _ in range(7)]
    filters = parse_filters(WINDOW, now=at("2025-08-01T00:00:00"))
    qs = reads.commits(team=team, filters=filters)
    with django_assert_num_queries(3):  # 3 + 3 + 1 rows
        rows = list(reads.keyset_rows(qs, reads.values(*COMMIT_COLUMNS), batch=3))
    assert [r[0] for r in rows] == sorted((c.pk for c in commits), reverse=True)


def test_the_python_path_streams_the_whole_export(api, owner, monkeypatch):
    monkeypatch.setattr(exports, "export_method", lambda: exports.PYTHON)
    CommitFactory.create_batch(4, member=owner, created_at=at("2025-07-15T12:00:00"))
    response = api.get(COMMITS_CSV, WINDOW)
    assert response.streaming and len(csv_rows(response)) == 4


def test_the_python_path_reads_lazily_one_batch_at_a_time(api, owner, monkeypatch):
    """Flat memory: the first bytes go out after one batch query, not after the whole export."""
    monkeypatch.setattr(exports, "export_method", lambda: exports.PYTHON)
    monkeypatch.setattr(reads, "EXPORT_BATCH", 10)
    monkeypatch.setattr(csv_export, "CHUNK_BYTES", 1)
    CommitFactory.create_batch(35, member=owner, created_at=at("2025-07-15T12:00:00"))
    chunks = iter(api.get(COMMITS_CSV, WINDOW).streaming_content)
    with CaptureQueriesContext(connection) as first:
        next(chunks)  # header and row 1
        next(chunks)  # row 2
    with CaptureQueriesContext(connection) as rest:
        remaining = list(chunks)
    assert len(first) == 1  # one batch of 10 rows read so far
    assert len(rest) == 3  # the other batches: 10, 10, 5 rows
    assert len(remaining) == 33 + 1  # rows 3..35 and the final (empty) flush


def test_paging_parameters_are_ignored(api, owner):
    CommitFactory(member=owner, created_at=at("2025-07-10T00:00:00"))
    CommitFactory(member=owner, created_at=at("2025-07-11T00:00:00"))
    assert len(csv_rows(api.get(COMMITS_CSV, {**WINDOW, "page": "x", "pageSize": 1}))) == 2


def test_an_outsiders_key_never_sees_the_team(client, owner, outsider_key):
    CommitFactory(member=owner, created_at=at("2025-07-10T00:00:00"))
    client.credentials(HTTP_AUTHORIZATION=basic(outsider_key))
    assert csv_body(client.get(COMMITS_CSV, WINDOW)) == HEADER + "\n"


@pytest.mark.parametrize(
    ("params", "name"),
    [({"startDate": "x"}, "startDate"), ({"startDate": "1d", "endDate": "2d"}, "startDate"),
     ({"user": "bob"}, "user")],
)  # fmt: skip
def test_bad_input_is_a_json_400_naming_the_parameter(api, params, name):
    response = api.get(COMMITS_CSV, params)
    assert response.status_code == 400 and name in response.json()["message"]


def test_unauthenticated_is_a_401(db, client):
    response = client.get(COMMITS_CSV)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Basic")
