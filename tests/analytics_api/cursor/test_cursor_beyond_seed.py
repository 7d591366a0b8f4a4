"""What real connectors of Cursor's API use beyond the seed (API.md section 8): Retry-After a
client can sleep on, strings as sent, commitSource, GET /teams/members and the commit detail."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from teams.public_ids import encode_member_id
from tests.analytics_api.cursor.utils import CHANGES, COMMITS, COMMITS_CSV, csv_rows
from tests.conftest import basic
from tests.factories import CommitFactory, MemberFactory, make_key
from tracking.models import Commit

WINDOW = {"startDate": "2025-07-01", "endDate": "2025-08-31"}
ANNOTATIONS = [
    {
        "filePath": "src/app.ts",
        "groups": [
            {"productType": "IDE", "type": "AGENT", "ranges": [{"start": 1, "end": 12}]},
        ],
    }
]


@pytest.fixture
def ingest(team):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(make_key(team, can_ingest=True)[1]))
    return client


def commit(**fields) -> dict:
    return {
        "commitHash": "a1b2c3d4", "userEmail": "dev@acme.example", "repoName": "company/repo",
        "branchName": "main", "isPrimaryBranch": True, "totalLinesAdded": 10,
        "totalLinesDeleted": 2, "commitTs": "2025-07-30T14:12:03.000Z",
        "createdAt": "2025-07-30T14:12:30.000Z", **fields,
    }  # fmt: skip


# -- 1. Retry-After ------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_client_that_sleeps_exactly_retry_after_succeeds_on_its_first_retry(api, settings):
    """A real clock on a 2-second window: whatever second of the window the 429 lands in."""
    settings.AI_CODE_RATE_LIMIT = "1/2s"
    for _ in range(3):
        while api.get(COMMITS).status_code != 429:
            pass
        refused = api.get(COMMITS)
        assert refused.status_code == 429
        time.sleep(int(refused["Retry-After"]))
        assert api.get(COMMITS).status_code == 200


# -- 2. strings as sent --------------------------------------------------------------------------


def test_an_empty_string_is_served_as_sent_and_null_as_null(api, ingest):
    response = ingest.post(
        "/ingest/v1/commits",
        [commit(message="", branchName=None), commit(commitHash="e5f6", message=None)],
        format="json",
    )
    assert response.status_code == 200, response.json()
    items = {i["commitHash"]: i for i in api.get(COMMITS, WINDOW).json()["items"]}
    assert (items["a1b2c3d4"]["message"], items["a1b2c3d4"]["branchName"]) == ("", None)
    assert items["e5f6"]["message"] is None

    change = {
        "changeId": "c1", "userEmail": "dev@acme.example", "source": "TAB", "model": "",
        "totalLinesAdded": 1, "totalLinesDeleted": 0, "createdAt": "2025-07-30T10:00:00Z",
    }  # fmt: skip
    assert ingest.post("/ingest/v1/changes", [change], format="json").status_code == 200
    assert api.get(CHANGES, WINDOW).json()["items"][0]["model"] == ""


def test_in_csv_an_empty_string_and_null_are_both_an_empty_cell(api, ingest):
    ingest.post("/ingest/v1/commits", [commit(message="")], format="json")
    rows = csv_rows(api.get(COMMITS_CSV, WINDOW))
    assert rows[0]["message"] == ""


# -- 4. commitSource ------------------------------------------------------------------------------


def test_commit_source_is_stored_and_served_after_created_at(api, ingest):
    response = ingest.post("/ingest/v1/commits", [commit(commitSource="CLI")], format="json")
    assert response.status_code == 200, response.json()
    item = api.get(COMMITS, WINDOW).json()["items"][0]
    assert item["commitSource"] == "cli"
    assert list(item)[-2:] == ["createdAt", "commitSource"]


def test_an_unknown_commit_source_is_a_400_naming_it(ingest):
    response = ingest.post("/ingest/v1/commits", [commit(commitSource="vim")], format="json")
    assert response.status_code == 400
    assert response.json()["problems"][0]["field"] == "commitSource"
    assert not Commit.objects.exists()


def test_commits_csv_keeps_the_seed_columns(api, ingest):
    ingest.post("/ingest/v1/commits", [commit(commitSource="ide")], format="json")
    rows = csv_rows(api.get(COMMITS_CSV, WINDOW))
    assert "commit_source" not in rows[0]


def test_a_commits_csv_with_a_commit_source_column_is_read(team, tmp_path, api, ingest):
    ingest.post("/ingest/v1/commits", [commit()], format="json")
    exported = api.get(COMMITS_CSV, WINDOW)
    body = b"".join(exported.streaming_content).decode()
    header, row = body.splitlines()[:2]
    path = tmp_path / "commits.csv"
    path.write_text(f"{header},commit_source\n{row.replace('a1b2c3d4', 'ffff0001')},cloud\n")
    call_command("ingest", "--team", team.slug, str(path))
    assert Commit.objects.get(commit_hash="ffff0001").commit_source == "cloud"


# -- 3. GET /teams/members -------------------------------------------------------------------------


def test_team_members_lists_the_teams_members_only(api, team, owner, teammate, outsider):
    zed = MemberFactory(team=team, email="zed@acme.example", display_name="")
    response = api.get("/teams/members")
    assert response.status_code == 200
    # Cursor's current shape: `id` a number, `isRemoved` a boolean (no member of ours is).
    assert response.json() == {
        "teamMembers": [
            {"name": "Olivia Owner", "email": "owner@acme.example", "role": "member",
             "id": owner.pk, "isRemoved": False},
            {"name": "Tom Teammate", "email": "teammate@acme.example", "role": "member",
             "id": teammate.pk, "isRemoved": False},
            {"name": "", "email": "zed@acme.example", "role": "member", "id": zed.pk,
             "isRemoved": False},
        ]
    }  # fmt: skip


def test_team_members_takes_bearer_and_refuses_without_a_key(client, read_key):
    assert client.get("/teams/members").status_code == 401
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {read_key}")
    assert other.get("/teams/members").status_code == 200


def test_team_members_has_its_own_budget(api, settings, owner):
    settings.AI_CODE_RATE_LIMIT = "2/m"
    settings.CURSOR_ADMIN_RATE_LIMIT = "3/m"  # an Admin API endpoint: Cursor's own rate
    assert [api.get(COMMITS).status_code for _ in range(3)] == [200, 200, 429]
    assert [api.get("/teams/members").status_code for _ in range(4)] == [200, 200, 200, 429]


# -- 5. GET /analytics/ai-code/commits/{hash} ----------------------------------------------------


@pytest.fixture
def annotated(owner):
    return CommitFactory(
        member=owner, commit_hash="abc123def", branch_name="main", range_annotations=ANNOTATIONS
    )


def test_commit_detail_serves_the_range_annotations(api, annotated, owner):
    response = api.get("/analytics/ai-code/commits/ABC123DEF")
    assert response.status_code == 200
    assert response.json() == {
        "commits": [
            {
                "commitHash": "abc123def", "repoName": "company/repo", "branchName": "main",
                "userEmail": owner.email, "rangeAnnotations": ANNOTATIONS,
            }
        ]
    }  # fmt: skip
    assert response["ETag"]
    again = api.get("/analytics/ai-code/commits/ABC123DEF", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_commit_detail_takes_a_comma_list_and_a_branch(api, annotated, owner):
    CommitFactory(member=owner, commit_hash="beef", branch_name="dev")
    both = api.get("/analytics/ai-code/commits/beef,abc123def").json()["commits"]
    assert [c["commitHash"] for c in both] == ["beef", "abc123def"]
    on_main = api.get("/analytics/ai-code/commits/beef,abc123def", {"branch": "main"}).json()
    assert [c["commitHash"] for c in on_main["commits"]] == ["abc123def"]


def test_an_unknown_hash_is_a_404_in_cursors_shape(api, annotated):
    response = api.get("/analytics/ai-code/commits/0000dead")
    assert response.status_code == 404
    assert response.json()["error"] == "Not Found"
    assert "0000dead" in response.json()["message"]


def test_another_teams_commit_is_a_404(client, outsider_key, annotated):
    client.credentials(HTTP_AUTHORIZATION=basic(outsider_key))
    assert client.get("/analytics/ai-code/commits/abc123def").status_code == 404


def test_more_than_50_hashes_is_a_400(api):
    response = api.get("/analytics/ai-code/commits/" + ",".join(f"h{i}" for i in range(51)))
    assert response.status_code == 400
    assert "at most 50" in response.json()["message"]


def test_commit_detail_has_its_own_budget(api, settings, annotated):
    settings.AI_CODE_RATE_LIMIT = "1/m"
    assert api.get(COMMITS).status_code == 200
    assert api.get("/analytics/ai-code/commits/abc123def").status_code == 200
    assert api.get("/analytics/ai-code/commits/abc123def").status_code == 429


def test_user_ids_of_the_detail_team_are_not_leaked(api, annotated, owner):
    body = api.get("/analytics/ai-code/commits/abc123def").content.decode()
    assert encode_member_id(owner.pk) not in body  # the detail names the email only
