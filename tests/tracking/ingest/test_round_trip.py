"""API.md section 6: export as CSV, ingest into an empty team, export again: same rows."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import basic
from tests.factories import ChangeFactory, CommitFactory, MemberFactory, TeamFactory, make_key
from tests.tracking.ingest.helpers import run_ingest
from tracking.models import Commit, Source

SINCE = "startDate=2020-01-01T00:00:00Z&endDate=now"
CURSOR = {
    "commits.csv": f"/analytics/ai-code/commits.csv?{SINCE}",
    "changes.csv": f"/analytics/ai-code/changes.csv?{SINCE}",
}
QODER = {
    "ai-code-commits.csv": "/v1/organizations/{org}/ai-code-tracking/commits/export?{since}",
    "ai-code-changes.csv": "/v1/organizations/{org}/ai-code-tracking/changes/export?{since}",
}
USER_ID_COLUMNS = {"user_id", "userId"}


@pytest.fixture
def history(team, owner, teammate):
    """A team's varied records: every pair, null repo/branch/flag, privacy mode, all sources."""
    now = timezone.now() - timedelta(days=1)
    CommitFactory(member=owner, created_at=now, commit_ts=now - timedelta(hours=1))
    CommitFactory(
        member=teammate,
        repo_name=None,
        branch_name=None,
        is_primary_branch=None,
        message=None,
        commit_ts=None,
        created_at=now - timedelta(minutes=3),
        plugin_next_lines_added=7,
        cli_agent_lines_deleted=2,
        ide_quest_lines_added=4,
        jb_inline_chat_lines_added=1,
    )
    CommitFactory(member=owner, message='quote " comma, newline\nend', created_at=now)
    for i, source in enumerate(Source.values):
        ChangeFactory(
            member=owner if i % 2 else teammate,
            source=source,
            created_at=now - timedelta(seconds=i),
            model=None if i == 1 else "auto",
        )
    ChangeFactory(
        member=owner,
        metadata=[{"fileExtension": ".go", "linesAdded": 3, "linesDeleted": 0}],
        created_at=now - timedelta(minutes=9),
    )


def download(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def without_user_ids(rows: list[dict]) -> list[dict]:
    return sorted(
        ({k: v for k, v in row.items() if k not in USER_ID_COLUMNS} for row in rows),
        key=lambda row: sorted(row.items()),
    )


def write_csv(path, rows: list[dict]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def empty_team(db):
    team = TeamFactory(name="Fresh", slug="fresh")
    MemberFactory(team=team, email="someone-else@fresh.example")
    return team


def client_for(client_class, team, *, bearer: bool):
    key = make_key(team)[1]
    client = client_class()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}" if bearer else basic(key))
    return client


@pytest.mark.parametrize("name", list(CURSOR))
def test_a_cursor_csv_export_round_trips(history, team, empty_team, client, tmp_path, name):
    source = client_for(type(client), team, bearer=False)
    first = download(source, CURSOR[name])
    assert len(first) >= 3
    write_csv(tmp_path / name, first)
    run_ingest(tmp_path / name, team="fresh")
    again = download(client_for(type(client), empty_team, bearer=False), CURSOR[name])
    assert without_user_ids(again) == without_user_ids(first)
    # The new team's members are new members, with their own ids.
    assert {r["user_id"] for r in again}.isdisjoint({r["user_id"] for r in first})


@pytest.mark.parametrize("name", list(QODER))
def test_a_qoder_csv_export_round_trips(history, team, empty_team, client, tmp_path, name):
    since = "startDate=2020-01-01T00:00:00Z"
    source = client_for(type(client), team, bearer=True)
    first = download(source, QODER[name].format(org=team.uuid, since=since))
    assert len(first) >= 3
    write_csv(tmp_path / name, first)
    run_ingest(tmp_path / name, team="fresh")
    target = client_for(type(client), empty_team, bearer=True)
    again = download(target, QODER[name].format(org=empty_team.uuid, since=since))
    assert without_user_ids(again) == without_user_ids(first)


def test_a_million_character_message_round_trips_through_the_csv(team, owner, client, tmp_path):
    """The API accepts and exports a 1,000,000-character message: the file door reads it back."""
    message = "x" * 999_999 + "\u00e9"
    CommitFactory(member=owner, message=message, created_at=timezone.now() - timedelta(days=1))
    rows = download(client_for(type(client), team, bearer=False), CURSOR["commits.csv"])
    write_csv(tmp_path / "commits.csv", rows)
    fresh = TeamFactory(slug="fresh-long")
    run_ingest(tmp_path / "commits.csv", team="fresh-long")
    assert Commit.objects.get(team=fresh).message == message
