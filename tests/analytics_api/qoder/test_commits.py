"""GET ai-code-tracking/commits: the seed's item shape, filters, order and pagination."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import CommitFactory
from tracking.models import AI_PAIRS

from .conftest import TRACKING_RANGE, assert_qoder_error, at, commit_time, in_range, qoder_url

PATH = "ai-code-tracking/commits"


def camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


def hashes(body) -> list[str]:
    return [item["commitHash"] for item in body["data"]["items"]]


def newest_first(commits) -> list[str]:
    return [
        c.commit_hash for c in sorted(commits, key=lambda c: (commit_time(c), c.pk), reverse=True)
    ]


def test_an_item_has_the_seeds_fields_in_order(qoder, team, owner):
    commit = CommitFactory(
        member=owner,
        repo_name="my-project",
        commit_ts=at(15, 10, 30),
        created_at=at(15, 10, 35),
        total_lines_added=120,
        total_lines_deleted=30,
        ide_next_lines_added=40,
        ide_next_lines_deleted=10,
        ide_agent_lines_added=50,
        ide_agent_lines_deleted=15,
        ide_quest_lines_added=10,
        ide_inline_chat_lines_added=5,
        ide_inline_chat_lines_deleted=2,
        message="feat: add user login",
    )
    url = qoder_url(team, PATH, startDate="2025-06-01T00:00:00Z", endDate="2025-06-30T23:59:59Z")

    item = qoder.get(url).json()["data"]["items"][0]

    pairs = {
        camel(f"{p}_lines_{k}"): getattr(commit, f"{p}_lines_{k}")
        for p in AI_PAIRS
        for k in ("added", "deleted")
    }
    expected = {
        "commitHash": commit.commit_hash,
        "userId": str(owner.uuid),
        "userEmail": "owner@acme.example",
        "repoName": "my-project",
        "branchName": "main",
        "isPrimaryBranch": True,
        "totalLinesAdded": 120,
        "totalLinesDeleted": 30,
        **pairs,
        "nonAiLinesAdded": 120 - 40 - 50 - 10 - 5,
        "nonAiLinesDeleted": 30 - 10 - 15 - 2,
        "message": "feat: add user login",
        "commitTs": "2025-06-15T10:30:00Z",
        "createdAt": "2025-06-15T10:35:00Z",
    }
    assert item == expected
    assert list(item) == list(expected)  # the seed's field order


def test_it_lists_commits_by_commit_time_newest_first(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, **TRACKING_RANGE)).json()

    expected = newest_first(c for c in world["commits"] if in_range(commit_time(c)))
    assert body["success"] is True
    assert hashes(body) == expected
    assert body["data"]["pagination"] == {
        "currentPage": 1,
        "pageSize": 100,
        "totalItems": len(expected),
        "totalPages": 1,
    }


def test_a_missing_commit_ts_falls_back_to_created_at(qoder, world):
    items = qoder.get(qoder_url(world["team"], PATH, **TRACKING_RANGE)).json()["data"]["items"]
    fallback = next(i for i in items if i["repoName"] == "acme/Web")

    assert fallback["commitTs"] is None
    assert fallback["createdAt"] == "2025-06-02T23:30:00Z"


def test_equal_commit_times_are_ordered_by_id_and_pages_never_overlap(qoder, team, owner):
    made = [CommitFactory(member=owner, commit_ts=at(2)) for _ in range(5)]
    seen = []
    for page in (1, 2, 3):
        url = qoder_url(team, PATH, page=page, pageSize=2, **TRACKING_RANGE)
        seen += hashes(qoder.get(url).json())

    assert seen == [c.commit_hash for c in reversed(made)]


def test_without_start_date_it_looks_back_90_days(qoder, team, owner):
    now = timezone.now()
    recent = CommitFactory(member=owner, commit_ts=now - timedelta(days=89))
    CommitFactory(member=owner, commit_ts=now - timedelta(days=91))

    assert hashes(qoder.get(qoder_url(team, PATH)).json()) == [recent.commit_hash]


@pytest.mark.parametrize("size, used", [("50", 50), ("200", 200), ("1000", 200)])
def test_page_size_is_clamped_to_200(qoder, team, size, used):
    body = qoder.get(qoder_url(team, PATH, pageSize=size)).json()

    assert body["data"]["pagination"]["pageSize"] == used


def test_a_page_past_the_end_is_empty_with_the_true_total(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, page=7, pageSize=2, **TRACKING_RANGE)).json()

    assert body["data"]["items"] == []
    assert body["data"]["pagination"]["totalItems"] == 5
    assert body["data"]["pagination"]["totalPages"] == 3


def test_repo_name_filters_commits(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, repoName="acme/api", **TRACKING_RANGE)).json()

    expected = [
        c for c in world["commits"] if c.repo_name == "acme/api" and in_range(commit_time(c))
    ]
    assert hashes(body) == newest_first(expected)


def test_user_email_filters_case_insensitively(qoder, world):
    url = qoder_url(world["team"], PATH, userEmail="TeamMate@ACME.example", **TRACKING_RANGE)

    expected = [
        c
        for c in world["commits"]
        if c.member.email == "teammate@acme.example" and in_range(commit_time(c))
    ]
    assert hashes(qoder.get(url).json()) == newest_first(expected)


def test_user_id_wins_over_user_email(qoder, world):
    owner = world["members"]["owner"]
    url = qoder_url(
        world["team"],
        PATH,
        userId=str(owner.uuid),
        userEmail="teammate@acme.example",
        **TRACKING_RANGE,
    )

    expected = [c for c in world["commits"] if c.member == owner and in_range(commit_time(c))]
    assert hashes(qoder.get(url).json()) == newest_first(expected)


def test_an_unknown_user_is_an_empty_list(qoder, world):
    url = qoder_url(world["team"], PATH, userEmail="nobody@acme.example", **TRACKING_RANGE)

    assert qoder.get(url).json()["data"]["items"] == []


def test_another_teams_member_is_never_listed(qoder, world, outsider):
    url = qoder_url(world["team"], PATH, userId=str(outsider.uuid), **TRACKING_RANGE)

    assert qoder.get(url).json()["data"]["pagination"]["totalItems"] == 0


def test_it_rejects_a_malformed_user_id(qoder, team):
    assert_qoder_error(qoder.get(qoder_url(team, PATH, userId="nope")), 400, "BadRequest", "userId")


@pytest.mark.parametrize("param", ["page", "pageSize"])
def test_it_rejects_paging_below_1(qoder, team, param):
    assert_qoder_error(qoder.get(qoder_url(team, PATH, **{param: "0"})), 400, "BadRequest", param)


def test_a_future_start_date_without_end_date_names_the_default_end_now(qoder, team):
    future = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")

    body = assert_qoder_error(
        qoder.get(qoder_url(team, PATH, startDate=future)), 400, "BadRequest", "startDate", "now"
    )

    assert "endDate" not in body["error"]["message"]


def test_a_start_date_after_the_sent_end_date_names_end_date(qoder, team):
    response = qoder.get(qoder_url(team, PATH, startDate="2025-06-03", endDate="2025-06-01"))

    assert_qoder_error(response, 400, "BadRequest", "startDate", "endDate")


def test_it_rejects_an_unreadable_start_date(qoder, team):
    response = qoder.get(qoder_url(team, PATH, startDate="last tuesday"))

    assert_qoder_error(response, 400, "BadRequest", "startDate")


def test_it_answers_in_a_bounded_number_of_queries(
    qoder, world, settings, django_assert_num_queries
):
    settings.RATELIMIT_ENABLE = False
    url = qoder_url(world["team"], PATH, startDate="2025-06-01", endDate="2025-06-03")
    qoder.get(url)

    # key lookup + count (the daily summary: whole days) + one page of rows
    with django_assert_num_queries(3):
        assert qoder.get(url).status_code == 200
