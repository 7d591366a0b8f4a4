"""GET ai-code/stats/daily-trend: items, extItems and nextItems per UTC day, without holes."""

from __future__ import annotations

from datetime import date

from tracking.models import Source

from .conftest import (
    RANGE,
    ai_added,
    assert_qoder_error,
    commit_time,
    in_range,
    non_ai_added,
    pct,
    qoder_url,
)

PATH = "ai-code/stats/daily-trend"
DAYS = [date(2025, 6, 1), date(2025, 6, 2), date(2025, 6, 3)]


def label(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def expected_items(commits) -> list[dict]:
    items = []
    for day in DAYS:
        todays = [c for c in commits if in_range(commit_time(c)) and commit_time(c).date() == day]
        ai = sum(ai_added(c) for c in todays)
        other = sum(non_ai_added(c) for c in todays)
        items.append(
            {
                "date": label(day),
                "aiLinesAdded": ai,
                "otherLinesAdded": other,
                "aiShareRate": pct(ai, ai + other),
                "commitCount": len(todays),
            }
        )
    return items


def expected_ext_items(files) -> list[dict]:
    files = [f for f in files if in_range(commit_time(f.commit))]
    extensions = sorted({f.file_extension for f in files})
    items = []
    for day in DAYS:
        for extension in extensions:
            rows = [
                f
                for f in files
                if f.file_extension == extension and commit_time(f.commit).date() == day
            ]
            items.append(
                {
                    "date": label(day),
                    "fileExtension": extension,
                    "totalLinesAdded": sum(f.lines_added for f in rows),
                    "aiLinesAdded": sum(f.ai_lines_added for f in rows),
                }
            )
    return items


def expected_next_items(changes) -> list[dict]:
    items = []
    for day in DAYS:
        nexts = [
            c
            for c in changes
            if c.source == Source.NEXT and in_range(c.created_at) and c.created_at.date() == day
        ]
        accepted = sum(c.accepted for c in nexts)
        items.append(
            {
                "date": label(day),
                "nextSuggestedCount": len(nexts),
                "nextAcceptedCount": accepted,
                "nextAcceptRate": pct(accepted, len(nexts)),
            }
        )
    return items


def test_items_are_commit_lines_per_utc_day_of_commit_time(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, **RANGE)).json()

    assert body["items"] == expected_items(world["commits"])
    assert sum(item["commitCount"] for item in body["items"]) == 5


def test_other_lines_never_go_negative_when_ai_lines_exceed_the_total(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, **RANGE)).json()

    june_3 = body["items"][2]
    assert june_3["otherLinesAdded"] >= 0
    assert june_3["otherLinesAdded"] == expected_items(world["commits"])[2]["otherLinesAdded"]


def test_ext_items_are_commit_file_lines_per_day_and_extension(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, **RANGE)).json()

    assert body["extItems"] == expected_ext_items(world["files"])


def test_next_items_count_suggested_and_accepted_tab_completions(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, **RANGE)).json()

    assert body["nextItems"] == expected_next_items(world["changes"])
    assert body["nextItems"][0]["nextAcceptRate"] == 50.0


def test_every_day_is_listed_with_zeros_where_nothing_happened(qoder, team):
    url = qoder_url(team, PATH, start_date="2025-02-27", end_date="2025-03-02")
    body = qoder.get(url).json()

    dates = ["2025-02-27", "2025-02-28", "2025-03-01", "2025-03-02"]
    assert [i["date"] for i in body["items"]] == [f"{d}T00:00:00Z" for d in dates]
    assert [i["date"] for i in body["nextItems"]] == [f"{d}T00:00:00Z" for d in dates]
    assert all(i["commitCount"] == 0 and i["aiShareRate"] == 0 for i in body["items"])
    assert body["extItems"] == []


def test_ext_items_fill_days_without_that_extension(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, **RANGE)).json()

    py_days = [i for i in body["extItems"] if i["fileExtension"] == ".py"]
    assert [i["date"] for i in py_days] == [label(d) for d in DAYS]
    assert [i["totalLinesAdded"] for i in py_days] == [0, 0, 30]


def test_file_extensions_filter_commit_file_rows(qoder, world):
    url = qoder_url(world["team"], PATH, file_extensions="GO, ts", **RANGE)
    body = qoder.get(url).json()

    files = [f for f in world["files"] if f.file_extension in (".go", ".ts")]
    assert body["extItems"] == expected_ext_items(files)
    assert {i["fileExtension"] for i in body["extItems"]} == {".go", ".ts"}


def test_repo_name_and_primary_branch_filter_commit_series(qoder, world):
    url = qoder_url(world["team"], PATH, repo_name="acme/Web", **RANGE)
    body = qoder.get(url).json()

    web = [c for c in world["commits"] if c.repo_name == "acme/Web"]
    assert body["items"] == expected_items(web)
    assert body["extItems"] == expected_ext_items([f for f in world["files"] if f.commit in web])
    assert body["nextItems"] == expected_next_items(world["changes"])


def test_user_id_filters_every_series(qoder, world):
    owner = world["members"]["owner"]
    url = qoder_url(world["team"], PATH, user_id=str(owner.uuid), **RANGE)
    body = qoder.get(url).json()

    assert body["items"] == expected_items([c for c in world["commits"] if c.member == owner])
    assert body["nextItems"] == expected_next_items(
        [c for c in world["changes"] if c.member == owner]
    )


def test_it_rejects_missing_dates(qoder, team):
    assert_qoder_error(qoder.get(qoder_url(team, PATH)), 400, "BadRequest", "start_date")


def test_it_rejects_a_range_over_90_days(qoder, team):
    url = qoder_url(team, PATH, start_date="2025-01-01", end_date="2025-06-01")

    assert_qoder_error(qoder.get(url), 400, "BadRequest", "90 days")


def test_it_answers_in_a_bounded_number_of_queries(
    qoder, world, settings, django_assert_num_queries
):
    settings.RATELIMIT_ENABLE = False
    whole_days = qoder_url(world["team"], PATH, start_date="2025-06-01", end_date="2025-06-03")
    qoder.get(whole_days)

    # key lookup + one GROUP BY of a summary table each for items, extItems and nextItems
    with django_assert_num_queries(4):
        assert qoder.get(whole_days).status_code == 200
    # RANGE ends at 23:59:59, not at the end of its last day: that day is partial, and each
    # figure adds one GROUP BY of the records over it.
    with django_assert_num_queries(7):
        assert qoder.get(qoder_url(world["team"], PATH, **RANGE)).status_code == 200
