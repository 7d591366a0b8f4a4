"""GET /analytics/ai-code/commits: fields, derivations, filters, paging, errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from teams.public_ids import encode_member_id
from tests.analytics_api.cursor.utils import COMMITS, all_items, at
from tests.conftest import basic
from tests.factories import CommitFactory, MemberFactory, make_key

WINDOW = {"startDate": "2025-07-01", "endDate": "2025-07-31"}


@pytest.fixture
def seeded_commit(owner):
    return CommitFactory(
        member=owner,
        commit_hash="a1b2c3d4",
        repo_name="company/repo",
        branch_name="main",
        is_primary_branch=True,
        total_lines_added=120,
        total_lines_deleted=30,
        ide_next_lines_added=30,
        ide_next_lines_deleted=6,
        plugin_next_lines_added=20,
        plugin_next_lines_deleted=4,
        ide_agent_lines_added=10,
        ide_agent_lines_deleted=1,
        plugin_agent_lines_added=5,
        cli_agent_lines_added=5,
        cli_agent_lines_deleted=1,
        ide_quest_lines_added=8,
        ide_quest_lines_deleted=1,
        ide_inline_chat_lines_added=7,
        ide_inline_chat_lines_deleted=1,
        jb_inline_chat_lines_added=5,
        jb_inline_chat_lines_deleted=1,
        message="重構:抽離 analytics 客戶端",
        commit_ts=at("2025-07-30T14:12:03.123456"),
        created_at=at("2025-07-30T14:12:30"),
        commit_source="cli",
    )


def test_every_field_in_the_seed_order_then_commit_source(api, owner, seeded_commit):
    body = api.get(COMMITS, WINDOW).json()
    assert body == {
        "items": [
            {
                "commitHash": "a1b2c3d4",
                "userId": encode_member_id(owner.pk),
                "userEmail": "owner@acme.example",
                "repoName": "company/repo",
                "branchName": "main",
                "isPrimaryBranch": True,
                "totalLinesAdded": 120,
                "totalLinesDeleted": 30,
                "tabLinesAdded": 50,
                "tabLinesDeleted": 10,
                "composerLinesAdded": 40,
                "composerLinesDeleted": 5,
                "nonAiLinesAdded": 30,
                "nonAiLinesDeleted": 15,
                "message": "重構:抽離 analytics 客戶端",
                "commitTs": "2025-07-30T14:12:03.123Z",
                "createdAt": "2025-07-30T14:12:30.000Z",
                "commitSource": "cli",
            }
        ],
        "totalCount": 1,
        "page": 1,
        "pageSize": 100,
    }
    assert list(body["items"][0]) == [
        "commitHash", "userId", "userEmail", "repoName", "branchName", "isPrimaryBranch",
        "totalLinesAdded", "totalLinesDeleted", "tabLinesAdded", "tabLinesDeleted",
        "composerLinesAdded", "composerLinesDeleted", "nonAiLinesAdded", "nonAiLinesDeleted",
        "message", "commitTs", "createdAt", "commitSource",
    ]  # fmt: skip
    assert body["items"][0]["userId"].startswith("user_")


def test_nulls_are_null(api, owner):
    CommitFactory(
        member=owner, repo_name=None, branch_name=None, is_primary_branch=None, message=None,
        commit_ts=None, created_at=at("2025-07-10T00:00:00"),
    )  # fmt: skip
    item = api.get(COMMITS, WINDOW).json()["items"][0]
    assert [
        item[k] for k in ("repoName", "branchName", "isPrimaryBranch", "message", "commitTs")
    ] == [None] * 5
    assert item["isPrimaryBranch"] is None


def test_non_ai_lines_never_go_below_zero(api, owner):
    CommitFactory(
        member=owner, total_lines_added=10, total_lines_deleted=0, ide_next_lines_added=8,
        ide_next_lines_deleted=3, ide_agent_lines_added=8, ide_agent_lines_deleted=0,
        created_at=at("2025-07-10T00:00:00"),
    )  # fmt: skip
    item = api.get(COMMITS, WINDOW).json()["items"][0]
    assert (item["nonAiLinesAdded"], item["nonAiLinesDeleted"]) == (0, 0)
    assert (item["tabLinesAdded"], item["composerLinesAdded"]) == (8, 8)


def test_newest_first_with_id_tie_break_and_pages_never_overlap_or_skip(api, owner):
    same = at("2025-07-15T12:00:00")
    commits = [CommitFactory(member=owner, created_at=same) for _ in range(7)]
    commits += [CommitFactory(member=owner, created_at=same + timedelta(seconds=1))]
    expected = sorted(commits, key=lambda c: (c.created_at, c.pk), reverse=True)
    items = all_items(api, COMMITS, **WINDOW, pageSize=3)
    assert [i["commitHash"] for i in items] == [c.commit_hash for c in expected]


def test_it_filters_on_created_at_inclusive_not_commit_ts(api, owner):
    inside = CommitFactory(member=owner, created_at=at("2025-07-01T00:00:00"),
                           commit_ts=at("2020-01-01T00:00:00"))  # fmt: skip
    CommitFactory(member=owner, created_at=at("2025-06-30T23:59:59.999"),
                  commit_ts=at("2025-07-15T00:00:00"))  # fmt: skip
    last = CommitFactory(member=owner, created_at=at("2025-07-31T23:59:59.999"))
    CommitFactory(member=owner, created_at=at("2025-08-01T00:00:00"))
    hashes = [i["commitHash"] for i in api.get(COMMITS, WINDOW).json()["items"]]
    assert hashes == [last.commit_hash, inside.commit_hash]


def test_defaults_are_the_last_seven_days(api, owner):
    now = timezone.now()
    recent = CommitFactory(member=owner, created_at=now - timedelta(days=6, hours=23))
    CommitFactory(member=owner, created_at=now - timedelta(days=7, minutes=1))
    CommitFactory(member=owner, created_at=now + timedelta(minutes=5))
    assert [i["commitHash"] for i in api.get(COMMITS).json()["items"]] == [recent.commit_hash]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-07-10", "2025-07-10"),
        ("2025-07-10T00:00:00Z", "2025-07-10T23:59:59Z"),
        ("2025-07-10T02:00:00+02:00", "2025-07-11T01:00:00+02:00"),
        ("1752105600", "1752191999"),
        ("1752105600000", "1752191999999"),
    ],
)
def test_every_absolute_date_form_selects_the_same_day(api, owner, start, end):
    day = CommitFactory(member=owner, created_at=at("2025-07-10T12:00:00"))
    CommitFactory(member=owner, created_at=at("2025-07-09T12:00:00"))
    CommitFactory(member=owner, created_at=at("2025-07-11T12:00:00"))
    body = api.get(COMMITS, {"startDate": start, "endDate": end}).json()
    assert [i["commitHash"] for i in body["items"]] == [day.commit_hash]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2d", "now", ["new"]),
        ("30h", "0d", ["new"]),
        ("100000s", "now", ["new"]),
        ("yesterday", "today", ["new"]),
        ("14d", "3d", ["old"]),
    ],
)
def test_relative_date_forms(api, owner, start, end, expected):
    now = timezone.now()
    by_name = {
        "new": CommitFactory(member=owner, created_at=now - timedelta(hours=1)),
        "old": CommitFactory(member=owner, created_at=now - timedelta(days=5)),
    }
    body = api.get(COMMITS, {"startDate": start, "endDate": end}).json()
    assert [i["commitHash"] for i in body["items"]] == [by_name[n].commit_hash for n in expected]


def test_page_size_is_clamped_and_echoed(api, owner):
    CommitFactory(member=owner, created_at=at("2025-07-10T00:00:00"))
    body = api.get(COMMITS, {**WINDOW, "pageSize": 5000}).json()
    assert (body["pageSize"], body["page"], body["totalCount"]) == (1000, 1, 1)


def test_a_page_past_the_end_is_empty_with_the_true_total(api, owner):
    for _ in range(3):
        CommitFactory(member=owner, created_at=at("2025-07-10T00:00:00"))
    for page in ("3", "999999999999999999999"):
        body = api.get(COMMITS, {**WINDOW, "pageSize": 2, "page": page}).json()
        assert body["items"] == [] and body["totalCount"] == 3
    body = api.get(COMMITS, {**WINDOW, "pageSize": 2, "page": 2}).json()
    assert len(body["items"]) == 1 and body["page"] == 2


@pytest.fixture
def two_authors(owner, teammate):
    mine = CommitFactory(member=owner, created_at=at("2025-07-10T00:00:00"))
    CommitFactory(member=teammate, created_at=at("2025-07-11T00:00:00"))
    return mine


@pytest.mark.parametrize("form", ["email", "EMAIL", "public_id", "numeric_id", "padded_email"])
def test_user_filter_forms(api, owner, two_authors, form):
    value = {
        "email": owner.email,
        "EMAIL": owner.email.upper(),
        "padded_email": f"  {owner.email} ",
        "public_id": encode_member_id(owner.pk),
        "numeric_id": str(owner.pk),
    }[form]
    items = api.get(COMMITS, {**WINDOW, "user": value}).json()["items"]
    assert [i["commitHash"] for i in items] == [two_authors.commit_hash]


@pytest.mark.parametrize(
    "value", ["nobody@acme.example", "user_zzzzzzzzzzzzz", "user_!!", "99999999", "0",
              "123456789012345678901234567890", "user_"],
)  # fmt: skip
def test_an_unknown_or_impossible_user_is_an_empty_result(api, two_authors, value):
    body = api.get(COMMITS, {**WINDOW, "user": value}).json()
    assert (body["items"], body["totalCount"]) == ([], 0)


def test_another_teams_member_is_unknown_here(api, two_authors, outsider):
    for value in (outsider.email, encode_member_id(outsider.pk), str(outsider.pk)):
        assert api.get(COMMITS, {**WINDOW, "user": value}).json()["totalCount"] == 0


@pytest.mark.parametrize("value", ["bob", "-5", "12a", "user name", "\x00"])
def test_a_user_that_is_no_form_at_all_is_a_400_naming_user(api, value):
    response = api.get(COMMITS, {"user": value})
    assert response.status_code == 400
    assert response.json()["message"].startswith("Invalid user:")


def test_an_outsiders_key_never_sees_the_team(client, owner, outsider, outsider_key):
    CommitFactory(member=owner, created_at=at("2025-07-10T00:00:00"))
    theirs = CommitFactory(member=outsider, created_at=at("2025-07-10T00:00:00"))
    client.credentials(HTTP_AUTHORIZATION=basic(outsider_key))
    items = client.get(COMMITS, WINDOW).json()["items"]
    assert [i["commitHash"] for i in items] == [theirs.commit_hash]
    assert client.get(COMMITS, {**WINDOW, "user": owner.email}).json()["totalCount"] == 0


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "-1"}, "page"),
        ({"pageSize": "0"}, "pageSize"),
        ({"pageSize": "1.5"}, "pageSize"),
        ({"startDate": "last tuesday"}, "startDate"),
        ({"endDate": "2025-02-30"}, "endDate"),
        ({"startDate": "2025-07-02", "endDate": "2025-07-01"}, "startDate"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(api, params, names):
    response = api.get(COMMITS, params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Bad Request"
    assert names in body["message"]


def test_start_after_end_names_both(api):
    message = api.get(COMMITS, {"startDate": "now", "endDate": "1d"}).json()["message"]
    assert "startDate" in message and "endDate" in message


def test_unknown_parameters_are_ignored(api, owner):
    CommitFactory(member=owner, created_at=at("2025-07-10T00:00:00"))
    body = api.get(COMMITS, {**WINDOW, "foo": "bar", "sort": "asc", "limit": "x"}).json()
    assert body["totalCount"] == 1


def test_blank_parameters_count_as_absent(api, owner):
    CommitFactory(member=owner, created_at=timezone.now() - timedelta(hours=1))
    body = api.get(COMMITS, {"startDate": "", "endDate": "", "user": "", "page": ""}).json()
    assert (body["totalCount"], body["page"], body["pageSize"]) == (1, 1, 100)


def test_bearer_works_like_basic(client, read_key, owner):
    CommitFactory(member=owner, created_at=at("2025-07-10T00:00:00"))
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {read_key}")
    assert client.get(COMMITS, WINDOW).json()["totalCount"] == 1


@pytest.mark.parametrize(
    "header",
    [None, "Token abc", "Basic !!!", "Basic " + "Og==", "Bearer ", "Bearer ak_wrongwrongwrong"],
)
def test_missing_or_wrong_credentials_are_a_401_with_basic_challenge(db, client, header):
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(COMMITS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert response.json()["error"] == "Unauthorized" and response.json()["message"]


def test_a_revoked_key_is_a_401(client, team):
    key, plain = make_key(team)
    key.revoked = True
    key.save()
    client.credentials(HTTP_AUTHORIZATION=basic(plain))
    response = client.get(COMMITS)
    assert response.status_code == 401 and "revoked" in response.json()["message"]


def test_an_ingest_only_key_may_not_read(client, team):
    _, plain = make_key(team, can_read=False, can_ingest=True)
    client.credentials(HTTP_AUTHORIZATION=basic(plain))
    response = client.get(COMMITS)
    assert response.status_code == 403 and response.json()["error"] == "Forbidden"


@pytest.mark.parametrize("page_size", [1, 1000])
def test_a_fixed_number_of_queries_whatever_the_page_size(
    api, team, django_assert_num_queries, page_size
):
    members = MemberFactory.create_batch(5, team=team)
    for i in range(30):
        CommitFactory(member=members[i % 5], created_at=at("2025-07-10T00:00:00"))
    api.get(COMMITS, WINDOW)  # the key's last-used stamp and the rate-limit window start
    # key lookup, rate-limit add + incr, count, page
    with django_assert_num_queries(5):
        body = api.get(COMMITS, {**WINDOW, "pageSize": page_size}).json()
    assert len(body["items"]) == min(page_size, 30)
