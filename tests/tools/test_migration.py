"""Migration 0009 gives the Cursor and Qoder commits already stored their attribution."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("tracking", "0008_figure_catalog"), ("teams", "0003_team_time_zone")]
AFTER = [("tracking", "0009_commit_attribution")]


@pytest.mark.django_db(transaction=True)
def test_existing_commits_get_their_tool_on_migrate():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    team = apps.get_model("teams", "Team").objects.create(name="Old", slug="old")
    member = apps.get_model("teams", "Member").objects.create(team=team, email="a@old.example")
    Commit = apps.get_model("tracking", "Commit")
    when = datetime(2026, 1, 5, tzinfo=UTC)
    Commit.objects.create(
        team=team,
        member=member,
        commit_hash="c1",
        repo_name="r",
        total_lines_added=10,
        ide_agent_lines_added=4,
        created_at=when,
    )
    Commit.objects.create(
        team=team, member=member, commit_hash="q1", repo_name="r", total_lines_added=8,
        ide_quest_lines_added=5, created_at=when,
    )  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor.loader.build_graph()
    from tracking import rollups
    from tracking.models import AttributionPart

    parts = sorted(
        AttributionPart.objects.filter(attribution__team_id=team.pk).values_list(
            "attribution__commit_hash", "tool", "kind", "lines_added"
        )
    )
    assert parts == [("c1", "", "unknown", 6), ("c1", "cursor", "ai", 4),
                     ("q1", "", "unknown", 3), ("q1", "qoder", "ai", 5)]  # fmt: skip
    # (the other tables are empty: historical models send no signals; 0008 is not under test)
    assert [d for d in rollups.differences(team.pk) if d.startswith("TeamToolDay")] == []
    from tracking.models import TeamToolDay

    assert TeamToolDay.objects.filter(team_id=team.pk, tool="qoder").get().lines_added == 5
