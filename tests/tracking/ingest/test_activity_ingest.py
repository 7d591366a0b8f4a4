"""Editor activity through the one ingest service: Cursor's daily usage rows and usage events
become ActivityDay and UsageEvent rows, all or nothing, idempotent, each team its own."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest

from tests.cursor_admin_examples import DOC_DAILY_ROWS, DOC_EVENTS
from tests.factories import MemberFactory, TeamFactory
from tracking.ingest.activity import (
    CURSOR_DAILY_USAGE,
    CURSOR_USAGE_EVENTS,
    DAILY_SCHEMA,
    EVENTS_SCHEMA,
)
from tracking.ingest.services import IndexedRows, IngestInvalid, stream_ingest
from tracking.models import ActivityDay, Commit, UsageEvent

pytestmark = pytest.mark.django_db


def ingest(team, kind, records):
    return stream_ingest(team=team, kind=kind, rows=IndexedRows(records))


def day_rows(team, **filters) -> dict[tuple, ActivityDay]:
    rows = ActivityDay.objects.filter(team=team, **filters)
    return {(r.member.email, r.day, r.feature, r.model): r for r in rows}


def test_a_daily_row_becomes_the_day_total_and_its_features(team):
    result = ingest(team, CURSOR_DAILY_USAGE, DOC_DAILY_ROWS[:1])
    assert result.as_dict() == {"received": 1, "created": 1, "updated": 0}
    rows = day_rows(team)
    email, day = "developer@company.com", date(2024, 3, 18)
    total = rows[(email, day, "", "")]
    assert (total.tool, total.active, total.source_schema) == ("cursor", True, DAILY_SCHEMA)
    assert (total.lines_written_added, total.lines_written_deleted) == (1543, 892)
    assert (total.lines_accepted_added, total.lines_accepted_deleted) == (1102, 645)
    assert (total.suggestions_shown, total.suggestions_accepted) == (342 + 87, 289 + 73)
    assert total.suggestions_rejected == 14
    assert total.requests == 45 + 128 + 12 + 67 + 3
    assert total.raw == DOC_DAILY_ROWS[0]  # as received, kept whole
    features = {k[2]: r for k, r in rows.items() if k[2]}
    assert set(features) == {"tab", "apply", "composer", "chat", "agent", "cmdk", "bugbot"}
    assert (features["tab"].suggestions_shown, features["tab"].suggestions_accepted) == (342, 289)
    assert features["apply"].suggestions_rejected == 14
    assert features["chat"].requests == 128
    # The by-feature grouping set never exceeds the total it breaks down.
    assert sum(r.requests for r in features.values()) == total.requests
    assert not Commit.objects.exists()  # never summed into commit attribution


def test_resending_the_same_rows_writes_and_counts_nothing(team):
    ingest(team, CURSOR_DAILY_USAGE, DOC_DAILY_ROWS)
    stamps = {r.pk: r.updated_at for r in ActivityDay.objects.all()}
    again = ingest(team, CURSOR_DAILY_USAGE, DOC_DAILY_ROWS)
    assert again.as_dict() == {"received": 2, "created": 0, "updated": 0}
    assert {r.pk: r.updated_at for r in ActivityDay.objects.all()} == stamps


def test_a_changed_row_updates_and_drops_features_that_went_to_zero(team):
    ingest(team, CURSOR_DAILY_USAGE, DOC_DAILY_ROWS[:1])
    changed = {**DOC_DAILY_ROWS[0], "bugbotUsages": 0, "chatRequests": 130}
    result = ingest(team, CURSOR_DAILY_USAGE, [changed])
    assert result.as_dict() == {"received": 1, "created": 0, "updated": 1}
    rows = day_rows(team)
    assert ("developer@company.com", date(2024, 3, 18), "bugbot", "") not in rows
    assert rows[("developer@company.com", date(2024, 3, 18), "chat", "")].requests == 130
    assert rows[("developer@company.com", date(2024, 3, 18), "", "")].raw == changed


def test_day_and_date_are_the_same_day_and_must_agree(team):
    by_day = {**DOC_DAILY_ROWS[0], "day": "2024-03-18"}
    del by_day["date"]
    assert ingest(team, CURSOR_DAILY_USAGE, [by_day]).created == 1
    with pytest.raises(IngestInvalid) as caught:
        ingest(team, CURSOR_DAILY_USAGE, [{**DOC_DAILY_ROWS[0], "day": "2024-03-19"}])
    assert [(p.index, p.field) for p in caught.value.problems] == [(0, "date")]
    assert "they must agree" in caught.value.problems[0].message


def test_a_bad_record_names_its_index_and_fields_and_nothing_is_stored(team):
    good = DOC_DAILY_ROWS[0]
    bad = {
        **DOC_DAILY_ROWS[1],
        "totalTabsShown": -3,
        "isActive": "yes",
        "totalLinesAded": 5,
        "email": "not-an-email",
    }
    with pytest.raises(IngestInvalid) as caught:
        ingest(team, CURSOR_DAILY_USAGE, [good, bad])
    found = {(p.index, p.field) for p in caught.value.problems}
    assert found == {(1, "totalTabsShown"), (1, "isActive"), (1, "totalLinesAded"), (1, "email")}
    assert not ActivityDay.objects.exists()
    assert not team.members.exists()  # not even the good record's member


def test_a_daily_row_needs_an_email_and_a_day(team):
    with pytest.raises(IngestInvalid) as caught:
        ingest(team, CURSOR_DAILY_USAGE, [{"isActive": True}])
    assert {p.field for p in caught.value.problems} == {"email", "day"}


def test_the_same_email_in_two_teams_is_two_members(team):
    other = TeamFactory()
    ingest(team, CURSOR_DAILY_USAGE, DOC_DAILY_ROWS)
    ingest(other, CURSOR_DAILY_USAGE, DOC_DAILY_ROWS[:1])
    assert ActivityDay.objects.filter(team=team, feature="").count() == 2
    assert ActivityDay.objects.filter(team=other, feature="").count() == 1
    mine = ActivityDay.objects.filter(team=team).values_list("member__team", flat=True)
    assert set(mine) == {team.pk}


def test_events_are_stored_as_sent_and_summed_per_model_and_day(team):
    result = ingest(team, CURSOR_USAGE_EVENTS, DOC_EVENTS)
    assert result.as_dict() == {"received": 3, "created": 3, "updated": 0}
    event = UsageEvent.objects.get(team=team, model="claude-4-sonnet-thinking")
    assert event.raw == DOC_EVENTS[2]
    assert (event.kind, event.requests_costs, event.total_cents) == (
        "Included in Business",
        Decimal("1.4"),
        None,
    )
    assert event.occurred_at.isoformat() == "2025-06-26T22:52:19.901000+00:00"
    rows = day_rows(team, source_schema=EVENTS_SCHEMA)
    opus = rows[("developer@company.com", date(2025, 6, 26), "", "claude-4-opus")]
    assert opus.requests == 2
    assert (opus.input_tokens, opus.output_tokens) == (126 + 5805, 450 + 311)
    assert (opus.cache_write_tokens, opus.cache_read_tokens) == (6112 + 11964, 11964)
    assert opus.cost_cents == Decimal("20.182320") + Decimal("40.167000")
    sonnet = rows[("admin@company.com", date(2025, 6, 26), "", "claude-4-sonnet-thinking")]
    assert (sonnet.requests, sonnet.cost_cents) == (1, None)  # no token usage, no cost


def test_resent_events_are_the_same_events(team):
    ingest(team, CURSOR_USAGE_EVENTS, DOC_EVENTS)
    again = ingest(team, CURSOR_USAGE_EVENTS, DOC_EVENTS)
    assert again.as_dict() == {"received": 3, "created": 0, "updated": 0}
    assert UsageEvent.objects.count() == 3


def test_a_changed_event_moves_its_day_sums(team):
    ingest(team, CURSOR_USAGE_EVENTS, DOC_EVENTS[:1])
    changed = copy.deepcopy(DOC_EVENTS[0])
    changed["tokenUsage"]["inputTokens"] = 1000
    assert ingest(team, CURSOR_USAGE_EVENTS, [changed]).updated == 1
    row = ActivityDay.objects.get(team=team, source_schema=EVENTS_SCHEMA)
    assert (row.requests, row.input_tokens) == (1, 1000)


def test_event_problems_are_named_by_field(team):
    bad = {
        "timestamp": "soon",
        "userEmail": "dev@acme.example",
        "requestsCosts": -1,
        "tokenUsage": {"inputTokens": 1.5, "bogus": 1},
        "maxMode": "true",
    }
    with pytest.raises(IngestInvalid) as caught:
        ingest(team, CURSOR_USAGE_EVENTS, [DOC_EVENTS[0], bad])
    assert {(p.index, p.field) for p in caught.value.problems} == {
        (1, "timestamp"),
        (1, "requestsCosts"),
        (1, "tokenUsage.inputTokens"),
        (1, "tokenUsage.bogus"),
        (1, "maxMode"),
    }
    assert not UsageEvent.objects.exists()


def test_an_event_without_a_person_is_refused(team):
    event = {k: v for k, v in DOC_EVENTS[0].items() if k != "userEmail"}
    with pytest.raises(IngestInvalid) as caught:
        ingest(team, CURSOR_USAGE_EVENTS, [event])
    assert [p.field for p in caught.value.problems] == ["userEmail"]


def test_known_members_keep_their_names(team):
    MemberFactory(team=team, email="developer@company.com", display_name="Alex")
    ingest(team, CURSOR_DAILY_USAGE, DOC_DAILY_ROWS)
    assert list(team.members.values_list("display_name", flat=True)) == ["Alex"]
