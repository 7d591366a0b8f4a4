"""Dates outside tracking.daterange's supported range (1970-01-01 .. 9999-12-30, UTC) are a 400
naming the range at every door, never an OverflowError's 500 in the figures or the summary
tables; its edges themselves are stored and answered."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from tests.analytics_api.qoder.conftest import qoder_url
from tests.conftest import basic
from tests.tracking.ingest.helpers import post
from tracking.daterange import SUPPORTED_RANGE
from tracking.models import Change, Commit, Message

RANGE_WORDS = "1970-01-01T00:00:00Z to 9999-12-30T23:59:59.999999Z"
METRICS = [
    "ai-code/stats/overview",
    "ai-code/stats/daily-trend",
    "ai-code/stats/member-ranking",
    "ai-code/repos",
    "ai-code/file-extensions",
]
OUTSIDE_WINDOWS = [
    ("9999-12-31T12:00:00Z", "9999-12-31T13:00:00Z"),
    ("9999-12-30T12:00:00Z", "9999-12-31T23:59:59Z"),
    ("0001-01-01T12:00:00Z", "0001-01-01T13:00:00Z"),
    ("0001-01-01", "0001-01-05"),
    ("1969-12-31T00:00:00Z", "1970-01-02T00:00:00Z"),
]
FAR_CREATED_AT = ["9999-12-31T23:59:59.999999Z", "9999-12-31", "1969-12-31T23:59:59Z", "0001-01-01"]


@pytest.fixture
def qoder(read_key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {read_key}")
    return client


def assert_names_the_range(response, name: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    message = body["error"]["message"] if "success" in body else body["message"]
    assert name in message and RANGE_WORDS in message, message


def test_the_range_is_named_as_documented():
    assert RANGE_WORDS in SUPPORTED_RANGE


@pytest.mark.parametrize("path", METRICS)
@pytest.mark.parametrize(("start", "end"), OUTSIDE_WINDOWS)
def test_qoder_metrics_refuse_a_window_outside_the_range(qoder, team, path, start, end):
    response = qoder.get(qoder_url(team, path, start_date=start, end_date=end))
    name = "start_date" if not start.startswith("9999-12-30") else "end_date"
    assert_names_the_range(response, name)


@pytest.mark.parametrize("path", ["ai-code-tracking/commits", "ai-code-tracking/changes"])
def test_qoder_tracking_refuses_a_date_outside_the_range(qoder, team, path):
    response = qoder.get(qoder_url(team, path, startDate="9999-12-31T12:00:00Z"))
    assert_names_the_range(response, "startDate")


@pytest.mark.parametrize("path", ["commits", "changes", "commits.csv", "changes.csv"])
def test_cursor_refuses_a_date_outside_the_range(api, path):
    query = urlencode({"startDate": "2025-01-01", "endDate": "9999-12-31T12:00:00Z"})
    response = api.get(f"/analytics/ai-code/{path}?{query}")
    assert_names_the_range(response, "endDate")


def test_the_edges_of_the_range_are_answered(qoder, team):
    for start, end in [("9999-12-30T12:00:00Z", "9999-12-30"), ("1970-01-01", "1970-01-01T06:00")]:
        response = qoder.get(qoder_url(team, METRICS[0], start_date=start, end_date=end))
        assert response.status_code == 200, response.content


@pytest.mark.parametrize("kind", ["commits", "changes", "messages"])
@pytest.mark.parametrize("created_at", FAR_CREATED_AT)
def test_ingest_refuses_a_created_at_outside_the_range(ingest_api, kind, created_at):
    record = {
        "commits": {"commitHash": "abc123", "userEmail": "dev@acme.example"},
        "changes": {"changeId": "c-1", "userEmail": "dev@acme.example", "source": "AGENT"},
        "messages": {"messageId": "m-1", "userEmail": "dev@acme.example", "source": "AGENT"},
    }[kind]
    response = post(ingest_api, kind, [{**record, "createdAt": created_at}])
    assert_names_the_range(response, "createdAt")
    assert (Commit.objects.count(), Change.objects.count(), Message.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize("commit_ts", ["9999-12-31T00:00:00Z", 253402300799999, -1])
def test_ingest_refuses_a_commit_ts_outside_the_range(ingest_api, commit_ts):
    record = {"commitHash": "abc123", "userEmail": "dev@acme.example", "commitTs": commit_ts}
    assert_names_the_range(post(ingest_api, "commits", [record]), "commitTs")


def test_records_at_the_edges_are_stored_and_counted(ingest_api, qoder, team):
    changes = [
        {"changeId": "last", "userEmail": "dev@acme.example", "source": "QUEST",
         "totalLinesAdded": 3, "createdAt": "9999-12-30T23:59:59.999999Z"},
        {"changeId": "first", "userEmail": "dev@acme.example", "source": "QUEST",
         "totalLinesAdded": 5, "createdAt": "1970-01-01T00:00:00Z"},
    ]  # fmt: skip
    response = post(ingest_api, "changes", changes, ndjson=True)
    assert response.status_code == 200, response.content
    for start, end, lines in [("9999-12-30T12:00:00Z", "9999-12-30", 3), ("1970-01-01", "0", 5)]:
        url = qoder_url(team, "ai-code/stats/overview", start_date=start, end_date=end)
        response = qoder.get(url)
        assert response.status_code == 200, response.content
        assert response.json()["acceptedLinesEdit"] == lines, response.json()


def test_a_basic_client_sees_the_cursor_message(client, read_key):
    client.credentials(HTTP_AUTHORIZATION=basic(read_key))
    response = client.get("/analytics/ai-code/commits?startDate=0001-01-01&endDate=0001-01-02")
    assert_names_the_range(response, "startDate")
