"""POST /ingest/v1/cursor/{daily-usage,usage-events}: Cursor's Admin API records through the
ingest door, with its limits, all or nothing, and 400s naming the record and field."""

from __future__ import annotations

import json

import pytest

from tests.conftest import basic
from tests.cursor_admin_examples import DOC_DAILY_PERIOD, DOC_DAILY_ROWS, DOC_EVENTS
from tests.factories import make_key
from tests.tracking.ingest.helpers import run_ingest
from tracking.models import ActivityDay, UsageEvent

DAILY = "/ingest/v1/cursor/daily-usage"
EVENTS = "/ingest/v1/cursor/usage-events"


def test_daily_usage_rows_go_in_and_come_back_out(ingest_api, team):
    response = ingest_api.post(DAILY, DOC_DAILY_ROWS, format="json")
    assert response.status_code == 200
    assert response.json() == {"received": 2, "created": 2, "updated": 0}
    served = ingest_api.post("/teams/daily-usage-data", DOC_DAILY_PERIOD, format="json").json()
    assert [row["totalLinesAdded"] for row in served["data"]] == [1543, 2104]


def test_usage_events_take_ndjson_too(ingest_api, team):
    body = "\n".join(json.dumps(event) for event in DOC_EVENTS)
    response = ingest_api.post(EVENTS, body, content_type="application/x-ndjson")
    assert response.json() == {"received": 3, "created": 3, "updated": 0}
    assert UsageEvent.objects.filter(team=team).count() == 3


def test_a_bad_record_is_a_400_naming_it_and_nothing_is_stored(ingest_api, team):
    bad = {**DOC_EVENTS[1], "requestsCosts": "ten"}
    response = ingest_api.post(EVENTS, [DOC_EVENTS[0], bad], format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["problems"] == [
        {
            "index": 1,
            "field": "requestsCosts",
            "message": "must be a non-negative number, got 'ten'",
        }
    ]
    assert not UsageEvent.objects.exists() and not team.members.exists()


def test_the_door_keeps_its_record_limit(ingest_api, settings):
    settings.INGEST_MAX_RECORDS = 1
    response = ingest_api.post(DAILY, DOC_DAILY_ROWS, format="json")
    assert response.status_code == 400
    assert response.json()["message"].startswith("Too many records: more than 1")
    assert not ActivityDay.objects.exists()


def test_a_read_only_key_may_not_ingest_activity(client, read_key):
    client.credentials(HTTP_AUTHORIZATION=basic(read_key))
    assert client.post(DAILY, DOC_DAILY_ROWS, format="json").status_code == 403


def test_each_key_writes_its_own_team(client, team, outsider_team):
    client.credentials(HTTP_AUTHORIZATION=basic(make_key(outsider_team, can_ingest=True)[1]))
    assert client.post(DAILY, DOC_DAILY_ROWS, format="json").status_code == 200
    assert not ActivityDay.objects.filter(team=team).exists()
    assert ActivityDay.objects.filter(team=outsider_team).exists()


# -- manage.py ingest -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_tells_the_two_kinds_apart(team, tmp_path):
    daily = tmp_path / "daily.ndjson"
    daily.write_text("\n".join(json.dumps(row) for row in DOC_DAILY_ROWS))
    events = tmp_path / "events.json"
    events.write_text(json.dumps(DOC_EVENTS))
    out, _ = run_ingest(daily, events)
    assert f"{daily}: cursor-daily-usage: received 2, created 2" in out
    assert f"{events}: cursor-usage-events: received 3, created 3" in out


@pytest.mark.django_db
def test_the_command_names_file_line_and_field(team, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "daily.ndjson"
    bad = {**DOC_DAILY_ROWS[1], "totalTabsShown": 1.5}
    path.write_text(json.dumps(DOC_DAILY_ROWS[0]) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(CommandError) as caught:
        run_ingest("--kind", "cursor-daily-usage", path)
    assert f"{path}:2: totalTabsShown: must be a non-negative integer, got 1.5" in str(caught.value)
    assert not ActivityDay.objects.exists()
