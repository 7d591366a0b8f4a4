"""GET ai-code/stats/overview: every figure of QODER.md against independent Python sums."""

from __future__ import annotations

from tracking.models import Source

from .conftest import (
    RANGE,
    ai_added,
    ai_deleted,
    assert_qoder_error,
    commit_time,
    in_range,
    pct,
    qoder_url,
)

PATH = "ai-code/stats/overview"


def expected_overview(world, *, member=None, commit_filter=lambda c: True) -> dict:
    def mine(record):
        return member is None or record.member_id == member.pk

    commits = [
        c for c in world["commits"] if in_range(commit_time(c)) and mine(c) and commit_filter(c)
    ]
    changes = [c for c in world["changes"] if in_range(c.created_at) and mine(c)]
    accepted = [c for c in changes if c.accepted]
    total = sum(c.total_lines_added + c.total_lines_deleted for c in commits)
    ai = sum(ai_added(c) + ai_deleted(c) for c in commits)
    return {
        "committedTotalLinesEdit": total,
        "committedAiLinesEdit": ai,
        "acceptedLinesEdit": sum(c.total_lines_added + c.total_lines_deleted for c in accepted),
        "aiShareRate": pct(ai, total),
        "agentEditCount": sum(c.source != Source.NEXT for c in accepted),
        "tabCompletionCount": sum(c.source == Source.NEXT for c in accepted),
        "messageCount": sum(in_range(m.created_at) and mine(m) for m in world["messages"]),
    }


def test_it_computes_every_overview_figure_from_the_records(qoder, world):
    response = qoder.get(qoder_url(world["team"], PATH, **RANGE))

    assert response.status_code == 200
    assert response.json() == expected_overview(world)


def test_the_figures_are_not_trivial(qoder, world):
    """Guards the test above against a world where every figure is zero."""
    body = qoder.get(qoder_url(world["team"], PATH, **RANGE)).json()

    assert all(value > 0 for value in body.values())
    assert list(body) == [
        "committedTotalLinesEdit",
        "committedAiLinesEdit",
        "acceptedLinesEdit",
        "aiShareRate",
        "agentEditCount",
        "tabCompletionCount",
        "messageCount",
    ]


def test_user_id_filters_commits_changes_and_messages(qoder, world):
    teammate = world["members"]["teammate"]
    url = qoder_url(world["team"], PATH, user_id=str(teammate.uuid), **RANGE)

    assert qoder.get(url).json() == expected_overview(world, member=teammate)


def test_repo_name_and_primary_branch_apply_to_commit_figures_only(qoder, world):
    url = qoder_url(world["team"], PATH, repo_name="acme/api", primary_branch_only="true", **RANGE)
    body = qoder.get(url).json()

    expected = expected_overview(
        world, commit_filter=lambda c: c.repo_name == "acme/api" and c.is_primary_branch
    )
    assert body == expected
    assert body["acceptedLinesEdit"] == expected_overview(world)["acceptedLinesEdit"]


def test_unix_milliseconds_select_the_same_range(qoder, world):
    url = qoder_url(
        world["team"], PATH, start_date="1748736000000", end_date="1748995199000"
    )  # 2025-06-01T00:00:00Z .. 2025-06-03T23:59:59Z

    assert qoder.get(url).json() == expected_overview(world)


def test_an_empty_range_has_zero_rates_not_an_error(qoder, team):
    url = qoder_url(team, PATH, start_date="2020-01-01", end_date="2020-01-02")
    body = qoder.get(url).json()

    assert body["aiShareRate"] == 0
    assert body["committedTotalLinesEdit"] == 0


def test_it_rejects_a_missing_start_date(qoder, team):
    response = qoder.get(qoder_url(team, PATH, end_date="2025-06-03"))

    assert_qoder_error(response, 400, "BadRequest", "start_date")


def test_it_rejects_a_missing_end_date(qoder, team):
    response = qoder.get(qoder_url(team, PATH, start_date="2025-06-03"))

    assert_qoder_error(response, 400, "BadRequest", "end_date")


def test_it_rejects_a_range_over_90_days(qoder, team):
    response = qoder.get(qoder_url(team, PATH, start_date="2025-01-01", end_date="2025-04-02"))

    assert_qoder_error(response, 400, "BadRequest", "90 days")


def test_it_accepts_exactly_90_days(qoder, team):
    url = qoder_url(team, PATH, start_date="2025-01-01T00:00:00Z", end_date="2025-04-01T00:00:00Z")

    assert qoder.get(url).status_code == 200


def test_it_rejects_a_start_after_the_end(qoder, team):
    response = qoder.get(qoder_url(team, PATH, start_date="2025-06-03", end_date="2025-06-01"))

    assert_qoder_error(response, 400, "BadRequest", "start_date")


def test_it_rejects_a_date_it_cannot_read(qoder, team):
    response = qoder.get(qoder_url(team, PATH, start_date="June 1st", end_date="2025-06-01"))

    assert_qoder_error(response, 400, "BadRequest", "start_date")


def test_it_rejects_a_malformed_user_id(qoder, team):
    response = qoder.get(qoder_url(team, PATH, user_id="user_abc", **RANGE))

    assert_qoder_error(response, 400, "BadRequest", "user_id")


def test_it_rejects_a_primary_branch_only_that_is_not_a_boolean(qoder, team):
    response = qoder.get(qoder_url(team, PATH, primary_branch_only="maybe", **RANGE))

    assert_qoder_error(response, 400, "BadRequest", "primary_branch_only")


def test_it_answers_in_a_bounded_number_of_queries(
    qoder, world, settings, django_assert_num_queries
):
    settings.RATELIMIT_ENABLE = False  # count our queries, not the rate-limit counter's
    url = qoder_url(world["team"], PATH, start_date="2025-06-01", end_date="2025-06-03")
    qoder.get(url)  # the key's last-used stamp is written once, on first use

    # key lookup + one aggregate each of the commit, change and message summary tables
    # (whole days: a partial edge day adds the three aggregates over the records)
    with django_assert_num_queries(4):
        assert qoder.get(url).status_code == 200
