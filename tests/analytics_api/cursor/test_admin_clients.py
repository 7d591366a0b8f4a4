"""The real clients of Cursor's Admin API, replayed: the requests they build and the fields
they parse, from their source code.

- Faros' cursor-source (faros-ai/airbyte-connectors, sources/cursor-source/src/cursor.ts,
  December 2025): daily usage in 30-day windows aligned to 00:00 UTC, `{startDate, endDate}`;
  usage events page by page (`pageSize` 1000) until `pagination.hasNextPage` is false; records
  checked against its stream schemas (resources/schemas/*.json); the state cutoff reads
  `new Date(day)` and `Number(timestamp)`.
- Apache DevLake's cursor plugin (backend/plugins/cursor/tasks/*.go): 30-day chunks from
  now - 90 days (not aligned, the next chunk 1 ms after the last), `{startDate, endDate, page,
  pageSize: 100}` on both endpoints, next page while `pagination.hasNextPage`; records decoded
  into Go structs, whose types json.Unmarshal enforces (a number into a string field fails).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tracking.ingest.activity import CURSOR_DAILY_USAGE, CURSOR_USAGE_EVENTS
from tracking.ingest.services import IndexedRows, stream_ingest

DAY_MS = 86_400_000
MEMBERS = ("alex@company.com", "sam@company.com")


@pytest.fixture
def history(team):
    """60 days of daily rows for two members (to yesterday) and 1,500 events."""
    today = timezone.now().astimezone(UTC).date()
    rows = [
        {
            "day": (today - timedelta(days=d)).isoformat(),
            "email": email,
            "isActive": True,
            "totalLinesAdded": 100 + d,
            "acceptedLinesAdded": 40,
            "totalTabsShown": 10,
            "totalTabsAccepted": 7,
            "chatRequests": 3,
            "mostUsedModel": "claude-4-sonnet",
            "clientVersion": "1.4.2",
        }
        for d in range(1, 61)
        for email in MEMBERS
    ]
    now_ms = int(timezone.now().timestamp() * 1000)
    events = [
        {
            "timestamp": str(now_ms - 2 * DAY_MS - i * 60_000),
            "model": ("claude-4-sonnet", "gpt-5")[i % 2],
            "kind": "Included in Business",
            "maxMode": False,
            "requestsCosts": 1,
            "isTokenBasedCall": True,
            "tokenUsage": {
                "inputTokens": 100,
                "outputTokens": 20,
                "cacheWriteTokens": 0,
                "cacheReadTokens": 5,
                "totalCents": 0.25,
            },
            "isFreeBugbot": False,
            "userEmail": MEMBERS[i % 2],
        }
        for i in range(1500)
    ]
    stream_ingest(team=team, kind=CURSOR_DAILY_USAGE, rows=IndexedRows(rows))
    stream_ingest(team=team, kind=CURSOR_USAGE_EVENTS, rows=IndexedRows(events))
    return rows, events


def post_ok(api, path, body) -> dict:
    response = api.post(path, body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


# -- Faros ----------------------------------------------------------------------------------

# resources/schemas/dailyUsage.json and usageEvents.json: field -> JSON Schema type.
FAROS_DAILY = {"date": int, "day": str, "isActive": bool, "mostUsedModel": str,
               "applyMostUsedExtension": str, "tabMostUsedExtension": str,
               "clientVersion": str, "email": str}  # fmt: skip
FAROS_DAILY_INTS = (
    "totalLinesAdded", "totalLinesDeleted", "acceptedLinesAdded", "acceptedLinesDeleted",
    "totalApplies", "totalAccepts", "totalRejects", "totalTabsShown", "totalTabsAccepted",
    "composerRequests", "chatRequests", "agentRequests", "cmdkUsages",
    "subscriptionIncludedReqs", "apiKeyReqs", "usageBasedReqs", "bugbotUsages",
)  # fmt: skip
FAROS_EVENT = {"timestamp": str, "model": str, "maxMode": bool, "requestsCosts": (int, float),
               "isTokenBasedCall": bool, "isFreeBugbot": bool, "userEmail": str}  # fmt: skip


def faros_daily_usage(api, start_ms: int, end_ms: int) -> list[dict]:
    """Cursor.getDailyUsage: both ends rounded down to 00:00 UTC, 30-day windows."""
    start, end = start_ms - start_ms % DAY_MS, end_ms - end_ms % DAY_MS
    out = []
    while start < end:
        window_end = min(start + 30 * DAY_MS, end)
        out += post_ok(api, "/teams/daily-usage-data", {"startDate": start, "endDate": window_end})[
            "data"
        ]
        start = window_end
    return out


def faros_usage_events(api, start_ms: int, end_ms: int) -> tuple[list[dict], int]:
    """Cursor.getUsageEvents: endDate rounded down to 00:00 UTC, pages of 1000."""
    end, page, out, requests = end_ms - end_ms % DAY_MS, 1, [], 0
    while True:
        body = {"startDate": start_ms, "endDate": end, "page": page, "pageSize": 1000}
        answer = post_ok(api, "/teams/filtered-usage-events", body)
        requests += 1
        out += answer["usageEvents"]
        if not answer["pagination"]["hasNextPage"]:
            return out, requests
        page += 1


def test_faros_full_read_gets_every_stream(api, history):
    rows, events = history
    members = api.get("/teams/members").json()["teamMembers"]  # check() and the members stream
    assert {m["email"] for m in members} == set(MEMBERS)
    now_ms = int(timezone.now().timestamp() * 1000)
    start_ms = now_ms - 90 * DAY_MS  # cutoff_days: 90
    daily = faros_daily_usage(api, start_ms, now_ms)
    # Each (day, email) once (Faros' primary key), every stored row.
    assert sorted((r["day"], r["email"]) for r in daily) == sorted(
        (r["day"], r["email"]) for r in rows
    )
    for record in daily:
        for name, kind in FAROS_DAILY.items():
            assert name not in record or isinstance(record[name], kind), (name, record)
        assert all(type(record[name]) is int for name in FAROS_DAILY_INTS)
        # getUpdatedState: new Date(day).getTime(); the converter: day, email, isActive.
        assert datetime.fromisoformat(record["day"]).date().isoformat() == record["day"]
        assert record["date"] % DAY_MS == 0
    got, requests = faros_usage_events(api, start_ms, now_ms)
    assert (len(got), requests) == (1500, 2)
    for event in got:
        for name, kind in FAROS_EVENT.items():
            assert isinstance(event[name], kind), (name, event)
        assert int(event["timestamp"]) > start_ms  # Number(timestamp) in the state
        assert set(event["tokenUsage"]) == {
            "inputTokens", "outputTokens", "cacheWriteTokens", "cacheReadTokens", "totalCents",
        }  # fmt: skip


# -- Apache DevLake --------------------------------------------------------------------------

# Go structs of tasks/*_extractor.go: field -> Go type ("string", "int", "float64", "bool").
DEVLAKE_DAILY = {
    "day": "string", "userId": "string", "email": "string", "isActive": "bool",
    "agentRequests": "int", "chatRequests": "int", "composerRequests": "int",
    "totalTabsAccepted": "int", "totalTabsShown": "int", "usageBasedReqs": "int",
    "subscriptionIncludedReqs": "int", "mostUsedModel": "string", "clientVersion": "string",
    "totalLinesAdded": "int", "totalLinesDeleted": "int", "acceptedLinesAdded": "int",
    "acceptedLinesDeleted": "int", "totalApplies": "int", "totalAccepts": "int",
    "totalRejects": "int",
}  # fmt: skip
DEVLAKE_EVENT = {
    "timestamp": "string", "model": "string", "kind": "string", "maxMode": "bool",
    "requestsCosts": "float64", "isTokenBasedCall": "bool", "userEmail": "string",
    "isChargeable": "bool", "serviceAccountId": "string", "isHeadless": "bool",
    "chargedCents": "float64", "cursorTokenFee": "float64", "hostingType": "string",
    "conversationId": "string",
}  # fmt: skip
DEVLAKE_TOKENS = {"inputTokens": "int", "outputTokens": "int", "cacheWriteTokens": "int",
                  "cacheReadTokens": "int", "totalCents": "float64"}  # fmt: skip


def go_unmarshals(value, go_type: str) -> bool:
    """Whether encoding/json decodes this JSON value into a field of `go_type` (null always
    does: it leaves the zero value)."""
    if value is None:
        return True
    if go_type == "string":
        return isinstance(value, str)
    if go_type == "bool":
        return isinstance(value, bool)
    if go_type == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, int | float) and not isinstance(value, bool)


def devlake_chunks(now_ms: int) -> list[tuple[int, int]]:
    """splitDailyUsageTimeRangeMs(now - 90 days, now, 30)."""
    start, out = now_ms - 90 * DAY_MS, []
    while start < now_ms:
        end = min(start + 30 * DAY_MS, now_ms)
        out.append((start, end))
        if end >= now_ms:
            break
        start = end + 1
    return out


def devlake_collect(api, path: str, key: str, now_ms: int) -> tuple[list[dict], int]:
    """The stateful collector: per chunk, pages while pagination.hasNextPage (a missing
    pagination decodes to its zero value: no next page)."""
    out, requests = [], 0
    for start, end in devlake_chunks(now_ms):
        page = 1
        while True:
            body = {"startDate": start, "endDate": end, "page": page, "pageSize": 100}
            answer = post_ok(api, path, body)
            requests += 1
            out += answer[key]
            if not (answer.get("pagination") or {}).get("hasNextPage", False):
                break
            page += 1
    return out, requests


def test_devlake_collects_and_extracts_daily_usage_and_events(api, history):
    rows, events = history
    now_ms = int(timezone.now().timestamp() * 1000)
    daily, daily_requests = devlake_collect(api, "/teams/daily-usage-data", "data", now_ms)
    assert daily_requests == 3  # three chunks, no pagination on daily usage
    assert len(daily) == len(rows) and len({(r["day"], r["email"]) for r in daily}) == len(rows)
    for record in daily:
        bad = [n for n, t in DEVLAKE_DAILY.items() if not go_unmarshals(record.get(n), t)]
        assert not bad, (bad, record)
        datetime.strptime(record["day"], "%Y-%m-%d")  # time.Parse("2006-01-02", day)
        assert record["userId"].startswith("user_")  # its user key, before the email
    got, event_requests = devlake_collect(
        api, "/teams/filtered-usage-events", "usageEvents", now_ms
    )
    assert len(got) == 1500 and event_requests == 15 + 2  # 100 a page; two empty chunks
    for event in got:
        bad = [n for n, t in DEVLAKE_EVENT.items() if not go_unmarshals(event.get(n), t)]
        bad += [
            n for n, t in DEVLAKE_TOKENS.items() if not go_unmarshals(event["tokenUsage"][n], t)
        ]
        assert not bad, (bad, event)
        int(event["timestamp"])  # parseEventTimestampMs: strconv.ParseInt(timestamp, 10, 64)


def test_devlake_member_id_is_cursors_number_which_its_extractor_reads_as_a_string(api, history):
    """Our `id` follows Cursor's current documentation (a number). DevLake's memberRecord
    declares `Id string`, so its members extractor would fail on it, as it would against
    Cursor itself: a known incompatibility of DevLake, documented in docs/cursor-api.md."""
    members = api.get("/teams/members").json()["teamMembers"]
    assert all(type(m["id"]) is int and m["isRemoved"] is False for m in members)
    assert not go_unmarshals(members[0]["id"], "string")
    fields = {"name": "string", "email": "string", "role": "string", "isRemoved": "bool"}
    assert all(go_unmarshals(m[n], t) for m in members for n, t in fields.items())
