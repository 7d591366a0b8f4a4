"""The demo's editor activity: Cursor daily usage rows and usage events, through the ingest
service, deterministic, with members who use no tool, and added to an older demo team."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

import pytest

from teams.models import Team
from tests.commands import run
from tracking.demo import DemoActivity, DemoSize, demo_seed
from tracking.models import ActivityDay, UsageEvent

NOW = datetime(2026, 3, 18, 15, 42, tzinfo=UTC)
SMALL = DemoSize(members=8, repos=3, days=20, commits=50, changes=100, messages=20,
                 usage_events=400, seed=3)  # fmt: skip


def test_the_demo_seeds_cursor_activity_through_the_ingest_service(team, api):
    result = demo_seed(team=team, size=SMALL, now=NOW)
    totals = ActivityDay.objects.filter(team=team, tool="cursor", feature="", model="")
    assert result.daily_usage == totals.count() > 0
    assert result.usage_events == UsageEvent.objects.filter(team=team).count() == 400
    # One member of seven never uses Cursor: the adoption view's "uses no tool".
    users = set(totals.values_list("member__email", flat=True))
    assert len(users) == 7 and team.members.count() == 8
    # By-model rows of the events, and the rows serve as Cursor's daily-usage-data.
    assert ActivityDay.objects.filter(team=team).exclude(model="").exists()
    start = int(datetime(2026, 3, 1, tzinfo=UTC).timestamp() * 1000)
    body = {"startDate": start, "endDate": start + 17 * 86_400_000}
    data = api.post("/teams/daily-usage-data", body, format="json").json()["data"]
    assert data and all(r["acceptedLinesAdded"] <= r["totalLinesAdded"] for r in data)


def test_the_same_seed_gives_the_same_activity():
    def records(activity):
        return list(activity.daily_usage()), list(activity.usage_events())

    one = records(DemoActivity(size=SMALL, now=NOW))
    assert one == records(DemoActivity(size=SMALL, now=NOW))
    assert one != records(DemoActivity(size=DemoSize(**{**SMALL.__dict__, "seed": 4}), now=NOW))


@pytest.mark.django_db
def test_the_demo_command_adds_activity_to_an_older_demo_team():
    tiny = DemoSize(members=3, repos=2, days=5, commits=10, changes=20, messages=5,
                    usage_events=30)  # fmt: skip
    with mock.patch("tracking.management.commands.demo.DemoSize", return_value=tiny):
        run("demo")
        team = Team.objects.get(slug="acme-demo")
        ActivityDay.objects.filter(team=team).delete()
        UsageEvent.objects.filter(team=team).delete()
        output = run("demo")
    assert "Added Cursor editor activity" in output
    assert UsageEvent.objects.filter(team=team).count() == 30
    assert not UsageEvent.objects.exclude(team=team).exists()


def test_demo_daily_rows_are_valid_for_any_team_size():
    """Every generated row passes the ingest validation (a large team once drew a negative
    subscriptionIncludedReqs: more usage-based requests than requests)."""
    from tracking.ingest.activity import CURSOR_DAILY_USAGE, parse_record

    activity = DemoActivity(size=DemoSize(members=200, days=90, usage_events=0), now=NOW)
    for line, row in activity.daily_usage():
        parse_record(CURSOR_DAILY_USAGE, row, locator=line)  # raises on an invalid row
        assert (
            row["usageBasedReqs"]
            <= row["composerRequests"] + row["chatRequests"] + row["agentRequests"]
        )
