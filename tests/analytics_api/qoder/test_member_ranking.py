"""GET ai-code/stats/member-ranking: members by AI lines added, ties by total lines, email."""

from __future__ import annotations

import pytest

from tests.factories import CommitFactory, MemberFactory

from .conftest import RANGE, ai_added, assert_qoder_error, at, commit_time, in_range, pct, qoder_url

PATH = "ai-code/stats/member-ranking"


def expected_ranking(world) -> list[dict]:
    items = []
    for member in world["members"].values():
        commits = [c for c in world["commits"] if c.member == member and in_range(commit_time(c))]
        if not commits:
            continue
        total = sum(c.total_lines_added for c in commits)
        ai = sum(ai_added(c) for c in commits)
        items.append(
            {
                "userId": str(member.uuid),
                "email": member.email,
                "displayName": member.display_name,
                "totalLinesAdded": total,
                "aiLinesAdded": ai,
                "aiShareRate": pct(ai, total),
                "commitCount": len(commits),
            }
        )
    return sorted(items, key=lambda i: (-i["aiLinesAdded"], -i["totalLinesAdded"], i["email"]))


def test_it_ranks_members_by_ai_lines_added(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, **RANGE)).json()

    assert body == {"items": expected_ranking(world)}
    assert len(body["items"]) == 3


def test_ties_on_ai_lines_go_to_more_total_lines_then_email(qoder, team):
    same = {"ide_next_lines_added": 10, "ide_agent_lines_added": 0, "commit_ts": at(2)}
    for email, total in (("b@x.example", 50), ("c@x.example", 90), ("a@x.example", 50)):
        CommitFactory(member=MemberFactory(team=team, email=email), total_lines_added=total, **same)

    body = qoder.get(qoder_url(team, PATH, **RANGE)).json()

    assert [i["email"] for i in body["items"]] == ["c@x.example", "a@x.example", "b@x.example"]


def test_limit_keeps_the_top_members(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, limit=2, **RANGE)).json()

    assert body["items"] == expected_ranking(world)[:2]


def test_limit_defaults_to_10(qoder, team):
    for _n in range(12):
        CommitFactory(member=MemberFactory(team=team), commit_ts=at(2))

    body = qoder.get(qoder_url(team, PATH, **RANGE)).json()

    assert len(body["items"]) == 10


def test_repo_filter_applies_to_the_ranking(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, repo_name="tools", **RANGE)).json()

    assert [i["email"] for i in body["items"]] == ["zed@acme.example"]
    assert body["items"][0]["commitCount"] == 1


@pytest.mark.parametrize(
    "limit", ["0", "101", "-1", "ten", "+5", "１", "1_0", " 5.0", "99999999999999999999999"]
)
def test_it_rejects_a_limit_outside_1_to_100(qoder, team, limit):
    response = qoder.get(qoder_url(team, PATH, limit=limit, **RANGE))

    assert_qoder_error(response, 400, "BadRequest", "limit")


def test_it_accepts_a_limit_of_100(qoder, team):
    assert qoder.get(qoder_url(team, PATH, limit=100, **RANGE)).status_code == 200


def test_it_rejects_missing_dates(qoder, team):
    response = qoder.get(qoder_url(team, PATH, start_date="2025-06-01"))

    assert_qoder_error(response, 400, "BadRequest", "end_date")


def test_it_answers_in_a_bounded_number_of_queries(
    qoder, world, settings, django_assert_num_queries
):
    settings.RATELIMIT_ENABLE = False
    url = qoder_url(world["team"], PATH, start_date="2025-06-01", end_date="2025-06-03")
    qoder.get(url)

    # key lookup + GROUP BY of the per-member summary table (the members joined in)
    with django_assert_num_queries(2):
        assert qoder.get(url).status_code == 200
