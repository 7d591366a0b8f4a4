"""GET ai-code/repos: repos with commits in the range, by commit count then name, paged."""

from __future__ import annotations

import pytest

from tests.factories import CommitFactory

from .conftest import RANGE, assert_qoder_error, at, commit_time, in_range, qoder_url

PATH = "ai-code/repos"


def expected_repos(commits) -> list[dict]:
    names = sorted({c.repo_name for c in commits if c.repo_name is not None})
    repos = [
        {
            "repoName": name,
            "commitCount": sum(c.repo_name == name for c in commits),
            "totalLinesAdded": sum(c.total_lines_added for c in commits if c.repo_name == name),
        }
        for name in names
    ]
    return sorted(repos, key=lambda r: (-r["commitCount"], r["repoName"]))


def test_without_dates_it_lists_every_repo_of_all_time(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH)).json()

    expected = expected_repos(world["commits"])
    assert body == {"repos": expected, "totalCount": len(expected), "page": 1, "perPage": 30}


def test_dates_select_commits_by_commit_time(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, **RANGE)).json()

    in_window = [c for c in world["commits"] if in_range(commit_time(c))]
    assert body["repos"] == expected_repos(in_window)
    assert body["totalCount"] == 3


def test_query_is_a_case_insensitive_substring_of_the_name(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, query="WEB")).json()

    assert [r["repoName"] for r in body["repos"]] == ["acme/Web"]
    assert body["totalCount"] == 1


def test_repos_with_equal_commit_counts_are_ordered_by_name(qoder, team, owner):
    for name in ("zeta", "alpha", "mid"):
        CommitFactory(member=owner, repo_name=name, commit_ts=at(2))

    body = qoder.get(qoder_url(team, PATH)).json()

    assert [r["repoName"] for r in body["repos"]] == ["alpha", "mid", "zeta"]


def test_pages_do_not_overlap_and_report_the_true_total(qoder, team, owner):
    for n in range(5):
        CommitFactory(member=owner, repo_name=f"repo-{n}", commit_ts=at(2))

    first = qoder.get(qoder_url(team, PATH, per_page=2)).json()
    third = qoder.get(qoder_url(team, PATH, per_page=2, page=3)).json()
    past = qoder.get(qoder_url(team, PATH, per_page=2, page=9)).json()

    assert [r["repoName"] for r in first["repos"]] == ["repo-0", "repo-1"]
    assert [r["repoName"] for r in third["repos"]] == ["repo-4"]
    assert past["repos"] == [] and past["totalCount"] == 5
    assert (third["page"], third["perPage"]) == (3, 2)


def test_per_page_above_100_is_clamped_and_echoed(qoder, team):
    body = qoder.get(qoder_url(team, PATH, per_page=500)).json()

    assert body["perPage"] == 100


@pytest.mark.parametrize("per_page", ["0", "-3", "lots"])
def test_it_rejects_a_per_page_below_1_or_not_a_number(qoder, team, per_page):
    response = qoder.get(qoder_url(team, PATH, per_page=per_page))

    assert_qoder_error(response, 400, "BadRequest", "per_page")


def test_it_rejects_a_page_below_1(qoder, team):
    assert_qoder_error(qoder.get(qoder_url(team, PATH, page=0)), 400, "BadRequest", "page")


def test_it_rejects_a_range_over_90_days(qoder, team):
    url = qoder_url(team, PATH, start_date="2025-01-01", end_date="2025-12-01")

    assert_qoder_error(qoder.get(url), 400, "BadRequest", "90 days")


def test_it_answers_in_a_bounded_number_of_queries(
    qoder, world, settings, django_assert_num_queries
):
    settings.RATELIMIT_ENABLE = False
    url = qoder_url(world["team"], PATH)
    qoder.get(url)

    # key lookup + one GROUP BY of the summary table (counted and paged in Python)
    with django_assert_num_queries(2):
        assert qoder.get(url).status_code == 200
