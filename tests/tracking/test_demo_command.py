from __future__ import annotations

import re
from unittest import mock

import pytest

from teams.auth import key_lookup
from teams.models import ApiKey, Team
from tests.commands import run
from tracking import rollups
from tracking.demo import DemoSize
from tracking.models import Change, Commit, TeamCommitDay

TINY = DemoSize(members=3, repos=2, days=10, commits=30, changes=100, messages=10)


@pytest.fixture(autouse=True)
def tiny_demo():
    with mock.patch("tracking.management.commands.demo.DemoSize", return_value=TINY):
        yield


def printed_key(output: str) -> str:
    return re.search(r"(ak_\w+)", output).group(1)


def test_it_creates_and_seeds_the_demo_team_and_prints_a_working_key(db):
    output = run("demo", "--host", "127.0.0.1", "--port", "8000")

    team = Team.objects.get(slug="acme-demo")
    assert team.name == "Acme Demo"
    assert Change.objects.filter(team=team).count() == TINY.changes
    key = key_lookup(printed_key(output))
    assert key.team == team and key.can_read and key.can_ingest
    assert str(team.uuid) in output


def test_it_prints_ready_to_paste_curl_lines(db):
    output = run("demo", "--port", "9000")
    key, team = printed_key(output), Team.objects.get(slug="acme-demo")

    base = "http://127.0.0.1:9000"
    assert f'curl -u {key}: "{base}/analytics/ai-code/commits?startDate=7d&endDate=now' in output
    for path in ("/changes?", "/commits.csv", "/changes.csv"):
        assert f"{base}/analytics/ai-code{path}" in output
    qoder = f'-H "Authorization: Bearer {key}" "{base}/v1/organizations/{team.uuid}'
    assert f"{qoder}/ai-code/stats/overview?start_date=20" in output
    assert f"{qoder}/ai-code-tracking/commits?" in output
    assert f'-X POST -H "Content-Type: application/json" "{base}/ingest/v1/changes"' in output
    assert f"{base}/admin/" in output and "make superuser" in output
    assert f"{base}/dashboard/acme-demo/manage/" in output
    assert f"{base}/api/docs/" in output


def test_the_demo_leaves_current_summary_tables_without_a_rebuild(db):
    with mock.patch.object(rollups, "rebuild", side_effect=AssertionError("rebuilt")):
        run("demo")

    assert TeamCommitDay.objects.filter(team__slug="acme-demo").exists()
    assert "acme-demo: 0 difference(s)" in run("rollups", "verify", "--team", "acme-demo")


def test_a_second_run_does_not_reseed_and_revokes_the_previous_key(db):
    first = printed_key(run("demo"))
    team = Team.objects.get(slug="acme-demo")
    commits = list(Commit.objects.filter(team=team).values_list("commit_hash", flat=True))

    output = run("demo")

    assert "not seeding again" in output
    assert list(Commit.objects.filter(team=team).values_list("commit_hash", flat=True)) == commits
    assert ApiKey.objects.get(prefix=first[:11]).revoked
    assert key_lookup(printed_key(output)).team == team
    assert ApiKey.objects.filter(team=team, name="make run", revoked=False).count() == 1


def test_other_keys_of_the_demo_team_survive_a_run(db):
    run("demo")
    team = Team.objects.get(slug="acme-demo")
    own, _ = ApiKey.objects.create_key(team=team, name="mine")

    run("demo")

    own.refresh_from_db()
    assert not own.revoked


def test_a_wildcard_bind_address_prints_a_reachable_one(db):
    assert "http://127.0.0.1:8000/admin/" in run("demo", "--host", "0.0.0.0")
