"""Cursor's Admin API usage endpoints: POST /teams/daily-usage-data and
POST /teams/filtered-usage-events, in Cursor's shapes, limits, errors and rate limit."""

from __future__ import annotations

import copy

import pytest
from rest_framework.test import APIClient

from teams.public_ids import encode_member_id
from tests.conftest import basic
from tests.cursor_admin_examples import (
    DOC_DAILY_PERIOD,
    DOC_DAILY_ROWS,
    DOC_EVENTS,
    DOC_EVENTS_PERIOD,
)
from tracking.ingest.activity import CURSOR_DAILY_USAGE, CURSOR_USAGE_EVENTS
from tracking.ingest.services import IndexedRows, stream_ingest

DAILY = "/teams/daily-usage-data"
EVENTS = "/teams/filtered-usage-events"
DAY_MS = 86_400_000


def ingest(team, kind, records):
    stream_ingest(team=team, kind=kind, rows=IndexedRows(records))


@pytest.fixture
def documented(team):
    ingest(team, CURSOR_DAILY_USAGE, DOC_DAILY_ROWS)
    ingest(team, CURSOR_USAGE_EVENTS, DOC_EVENTS)
    return team


def member_id(team, email):
    return team.members.get(email=email).pk


# -- daily-usage-data -------------------------------------------------------------------------


def test_daily_usage_serves_cursors_documented_example_back(api, documented):
    response = api.post(DAILY, DOC_DAILY_PERIOD, format="json")
    assert response.status_code == 200
    body = response.json()
    user = encode_member_id(member_id(documented, "developer@company.com"))
    # Exactly the documented answer, plus Cursor's newer userId and day on each row.
    expected = [
        {**row, "userId": user, "day": day}
        for row, day in zip(DOC_DAILY_ROWS, ("2024-03-18", "2024-03-19"), strict=True)
    ]
    assert body == {"data": expected, "period": DOC_DAILY_PERIOD}
    assert list(body["data"][0]) == [*DOC_DAILY_ROWS[0], "userId", "day"]  # Cursor's order


def test_daily_usage_serves_the_days_that_start_in_the_window(api, documented):
    """A row is in the answer when its date (00:00 UTC) is in [startDate, endDate)."""
    first, second = (row["date"] for row in DOC_DAILY_ROWS)

    def days(start, end):
        body = api.post(DAILY, {"startDate": start, "endDate": end}, format="json").json()
        return [row["day"] for row in body["data"]]

    assert days(first, second) == ["2024-03-18"]
    assert days(first, second + 1) == ["2024-03-18", "2024-03-19"]
    assert days(first + 1, second + 1) == ["2024-03-19"]  # the 18th started before
    assert days(second, second) == []
    # Faros' consecutive 30-day windows, aligned to midnight, see each day once.
    windows = [(first - 30 * DAY_MS, first), (first, first + 30 * DAY_MS)]
    assert [d for w in windows for d in days(*w)] == ["2024-03-18", "2024-03-19"]


def test_daily_usage_fills_what_a_row_left_out(api, team):
    ingest(team, CURSOR_DAILY_USAGE, [{"email": "Dev@Acme.example", "day": "2025-01-02"}])
    start = 1735776000000  # 2025-01-02T00:00Z
    window = {"startDate": start, "endDate": start + DAY_MS}
    row = api.post(DAILY, window, format="json").json()["data"][0]
    assert row["isActive"] is False and row["totalLinesAdded"] == 0 and row["mostUsedModel"] == ""
    assert "clientVersion" not in row and row["email"] == "dev@acme.example"


def test_daily_usage_allows_exactly_90_days(api, documented):
    start = DOC_DAILY_PERIOD["startDate"]
    ok = api.post(DAILY, {"startDate": start, "endDate": start + 90 * DAY_MS}, format="json")
    assert ok.status_code == 200
    over = api.post(DAILY, {"startDate": start, "endDate": start + 90 * DAY_MS + 1}, format="json")
    assert over.status_code == 400
    assert over.json() == {
        "error": "Bad Request",
        "message": "Date range cannot exceed 90 days (got 90.0 days from startDate to endDate). "
        "For longer periods, make multiple requests.",
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "startDate and endDate are required, in epoch milliseconds."),
        ({"startDate": 1}, "endDate is required, in epoch milliseconds."),
        ({"startDate": "soon", "endDate": 5}, "Invalid startDate: 'soon' is not a date"),
        ({"startDate": True, "endDate": 5}, "Invalid startDate: 'True'"),
        ({"startDate": -1, "endDate": 5}, "Invalid startDate: '-1'"),
        ({"startDate": 10, "endDate": 5}, "startDate (10) is after endDate (5)"),
        ([1, 2], "The body must be a JSON object, got list"),
    ],
)
def test_daily_usage_names_what_is_wrong(api, body, message):
    response = api.post(DAILY, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "Bad Request"
    assert response.json()["message"].startswith(message)


def test_daily_usage_reads_digit_strings_and_ignores_paging_fields(api, documented):
    # Some clients send the dates as strings; Apache DevLake adds page and pageSize.
    body = {k: str(v) for k, v in DOC_DAILY_PERIOD.items()} | {"page": 1, "pageSize": 100}
    response = api.post(DAILY, body, format="json")
    assert response.status_code == 200 and len(response.json()["data"]) == 2


def test_malformed_json_is_a_400_naming_where(api):
    response = api.post(DAILY, '{"startDate": 1,', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"].startswith("Malformed JSON at line 1")


def test_another_teams_rows_are_never_served(client, documented, outsider_key):
    client.credentials(HTTP_AUTHORIZATION=basic(outsider_key))
    assert client.post(DAILY, DOC_DAILY_PERIOD, format="json").json()["data"] == []
    assert client.post(EVENTS, DOC_EVENTS_PERIOD, format="json").json()["usageEvents"] == []


def test_the_admin_endpoints_need_a_key_and_a_post(api):
    anonymous = APIClient()
    assert anonymous.post(DAILY, DOC_DAILY_PERIOD, format="json").status_code == 401
    assert anonymous.post(EVENTS, {}, format="json").status_code == 401
    response = api.get(DAILY)
    assert response.status_code == 405 and response["Allow"].startswith("POST")


def test_an_ingest_only_key_may_not_read(client, team):
    from tests.factories import make_key

    client.credentials(HTTP_AUTHORIZATION=basic(make_key(team, can_read=False)[1]))
    assert client.post(DAILY, DOC_DAILY_PERIOD, format="json").status_code == 403


# -- filtered-usage-events --------------------------------------------------------------------


def test_usage_events_serve_cursors_documented_example_back(api, documented):
    response = api.post(EVENTS, {**DOC_EVENTS_PERIOD, "pageSize": 10}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "totalUsageEventsCount": 3,
        "pagination": {
            "numPages": 1,
            "currentPage": 1,
            "pageSize": 10,
            "hasNextPage": False,
            "hasPreviousPage": False,
        },
        "usageEvents": DOC_EVENTS,  # newest first, as documented
        "period": DOC_EVENTS_PERIOD,
    }


def test_usage_events_page_through_with_cursors_pagination(api, documented):
    pages = [
        api.post(EVENTS, {**DOC_EVENTS_PERIOD, "page": n, "pageSize": 2}, format="json").json()
        for n in (1, 2, 3)
    ]
    assert [len(p["usageEvents"]) for p in pages] == [2, 1, 0]
    assert [p["pagination"]["hasNextPage"] for p in pages] == [True, False, False]
    assert [p["pagination"]["hasPreviousPage"] for p in pages] == [False, True, True]
    assert {p["pagination"]["numPages"] for p in pages} == {2}
    seen = [e["timestamp"] for p in pages for e in p["usageEvents"]]
    assert seen == [e["timestamp"] for e in DOC_EVENTS]


def test_usage_events_default_to_ten_of_the_last_30_days(api, team):
    from django.utils import timezone

    now_ms = int(timezone.now().timestamp() * 1000)
    events = [
        {**DOC_EVENTS[2], "timestamp": str(now_ms - i * 3_600_000), "model": f"m{i}"}
        for i in range(12)
    ] + [{**DOC_EVENTS[2], "timestamp": str(now_ms - 31 * DAY_MS)}]
    ingest(team, CURSOR_USAGE_EVENTS, events)
    body = api.post(EVENTS, {}, format="json").json()
    assert body["totalUsageEventsCount"] == 12
    assert body["pagination"]["pageSize"] == 10 and len(body["usageEvents"]) == 10
    assert body["period"]["endDate"] - body["period"]["startDate"] == 30 * DAY_MS


def test_usage_events_page_size_is_capped_at_1000(api, documented):
    body = api.post(EVENTS, {**DOC_EVENTS_PERIOD, "pageSize": 5000}, format="json").json()
    assert body["pagination"]["pageSize"] == 1000


def test_usage_events_filter_by_email_and_by_member_id(api, documented):
    admin_id = member_id(documented, "admin@company.com")
    by_email = {**DOC_EVENTS_PERIOD, "email": "ADMIN@company.com"}
    by_id = {**DOC_EVENTS_PERIOD, "userId": admin_id}
    for body in (by_email, by_id, {**by_id, "userId": str(admin_id)}):
        events = api.post(EVENTS, body, format="json").json()["usageEvents"]
        assert [e["userEmail"] for e in events] == ["admin@company.com"]
    both_differ = {**by_id, "email": "developer@company.com"}
    assert api.post(EVENTS, both_differ, format="json").json()["totalUsageEventsCount"] == 0
    nobody = {**DOC_EVENTS_PERIOD, "email": "nobody@company.com"}
    assert api.post(EVENTS, nobody, format="json").json()["totalUsageEventsCount"] == 0


def test_usage_events_of_another_teams_member_id_are_not_served(api, documented, outsider):
    body = {**DOC_EVENTS_PERIOD, "userId": outsider.pk}
    assert api.post(EVENTS, body, format="json").json()["totalUsageEventsCount"] == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"page": 0}, "Invalid page: '0' is not an integer of at least 1."),
        ({"pageSize": "ten"}, "Invalid pageSize: 'ten'"),
        ({"userId": "bob"}, "Invalid userId: 'bob' is not a user id."),
        ({"userId": [1]}, "Invalid userId"),
        ({"email": "bob"}, "Invalid email: 'bob' is not an email address."),
        ({"startDate": 10, "endDate": 5}, "startDate (10) is after endDate (5)"),
        ({"endDate": 1.5}, "Invalid endDate: '1.5'"),
    ],
)
def test_usage_events_name_what_is_wrong(api, body, message):
    response = api.post(EVENTS, body, format="json")
    assert response.status_code == 400
    assert response.json()["message"].startswith(message)


def test_usage_events_serve_newer_fields_as_sent(api, team):
    event = copy.deepcopy(DOC_EVENTS[0]) | {
        "chargedCents": 8,
        "conversationId": "846952e0-0221-473b-bb1d-e5d016f071b1",
        "isChargeable": True,
    }
    ingest(team, CURSOR_USAGE_EVENTS, [event])
    served = api.post(EVENTS, DOC_EVENTS_PERIOD, format="json").json()["usageEvents"]
    assert served == [event]


# -- rate limit: Cursor's 20 requests a minute per team, one budget per endpoint ------------


def test_admin_endpoints_are_limited_per_team_and_endpoint(api, settings, documented):
    settings.CURSOR_ADMIN_RATE_LIMIT = "2/m"
    codes = [api.post(DAILY, DOC_DAILY_PERIOD, format="json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = api.post(DAILY, DOC_DAILY_PERIOD, format="json")
    assert limited.json() == {
        "error": "Too Many Requests",
        "message": "Rate limit exceeded. Please try again later.",
    }
    assert int(limited["Retry-After"]) >= 1
    assert api.post(EVENTS, {}, format="json").status_code == 200  # its own budget
    # A 400 is refused before the budget is counted.
    assert api.post(EVENTS, {"page": 0}, format="json").status_code == 400
    assert api.post(EVENTS, {}, format="json").status_code == 200


def test_the_default_admin_rate_is_cursors_20_a_minute():
    from config import settings as project

    assert project.CURSOR_ADMIN_RATE_LIMIT == "20/m"


def test_other_teams_have_their_own_budget(api, settings, outsider_key):
    settings.CURSOR_ADMIN_RATE_LIMIT = "1/m"
    assert api.post(EVENTS, {}, format="json").status_code == 200
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=basic(outsider_key))
    assert other.post(EVENTS, {}, format="json").status_code == 200
    assert api.post(EVENTS, {}, format="json").status_code == 429
