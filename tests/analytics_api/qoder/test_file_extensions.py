"""GET ai-code/file-extensions: changeCount from change metadata, lines from commit files."""

from __future__ import annotations

from .conftest import RANGE, assert_qoder_error, commit_time, in_range, pct, qoder_url

PATH = "ai-code/file-extensions"


def expected_extensions(world, *, extensions=None, member=None) -> list[dict]:
    def wanted(extension):
        return extensions is None or extension in extensions

    def mine(record):
        return member is None or record.member_id == member.pk

    files = [
        f
        for f in world["files"]
        if in_range(commit_time(f.commit)) and wanted(f.file_extension) and mine(f.commit)
    ]
    changes = [c for c in world["changes"] if c.accepted and in_range(c.created_at) and mine(c)]
    touched = {c.change_id: {m["fileExtension"] for m in c.metadata} for c in changes}
    all_extensions = {f.file_extension for f in files}
    all_extensions |= {e for exts in touched.values() for e in exts if wanted(e)}
    items = []
    for extension in all_extensions:
        total = sum(f.lines_added for f in files if f.file_extension == extension)
        ai = sum(f.ai_lines_added for f in files if f.file_extension == extension)
        items.append(
            {
                "extension": extension,
                "changeCount": sum(extension in exts for exts in touched.values()),
                "totalLinesAdded": total,
                "aiShareRate": pct(ai, total),
            }
        )
    return sorted(items, key=lambda i: (-i["totalLinesAdded"], i["extension"]))


def test_it_combines_change_counts_and_commit_file_lines_per_extension(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, **RANGE)).json()

    assert body == {"fileExtensions": expected_extensions(world)}


def test_a_change_touching_an_extension_twice_counts_once(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, **RANGE)).json()
    go = next(i for i in body["fileExtensions"] if i["extension"] == ".go")

    # the accepted NEXT on 06-01 and the QUEST (two .go files) on 06-02; not the rejected NEXT
    assert go["changeCount"] == 2


def test_an_extension_seen_only_in_changes_has_zero_lines(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, **RANGE)).json()
    tsx = next(i for i in body["fileExtensions"] if i["extension"] == ".tsx")

    assert tsx == {"extension": ".tsx", "changeCount": 1, "totalLinesAdded": 0, "aiShareRate": 0}


def test_it_is_ordered_by_total_lines_added(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, **RANGE)).json()
    totals = [i["totalLinesAdded"] for i in body["fileExtensions"]]

    assert totals == sorted(totals, reverse=True)
    assert [i["extension"] for i in body["fileExtensions"]][:2] == [".ts", ".go"]


def test_without_dates_it_covers_all_time(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH)).json()
    go = next(i for i in body["fileExtensions"] if i["extension"] == ".go")

    # the .go file of the commit before the range now counts, and the later AGENT change
    assert go["totalLinesAdded"] == 120 + 999
    assert go["changeCount"] == 3


def test_file_extensions_filter_both_file_rows_and_change_metadata(qoder, world):
    url = qoder_url(world["team"], PATH, file_extensions=".TS,tsx", **RANGE)
    body = qoder.get(url).json()

    assert body["fileExtensions"] == expected_extensions(world, extensions={".ts", ".tsx"})
    assert {i["extension"] for i in body["fileExtensions"]} == {".ts", ".tsx"}


def test_user_id_filters_both_sides(qoder, world):
    teammate = world["members"]["teammate"]
    url = qoder_url(world["team"], PATH, user_id=str(teammate.uuid), **RANGE)

    expected = expected_extensions(world, member=teammate)
    assert qoder.get(url).json()["fileExtensions"] == expected


def test_it_rejects_a_malformed_user_id(qoder, team):
    response = qoder.get(qoder_url(team, PATH, user_id="42"))

    assert_qoder_error(response, 400, "BadRequest", "user_id")


def test_it_answers_in_a_bounded_number_of_queries(
    qoder, world, settings, django_assert_num_queries
):
    settings.RATELIMIT_ENABLE = False
    url = qoder_url(world["team"], PATH, start_date="2025-06-01", end_date="2025-06-03")
    qoder.get(url)

    # key lookup + GROUP BY of the summary tables of commit files and of change extensions
    # (whole days: a partial edge day adds a GROUP BY of the records each)
    with django_assert_num_queries(3):
        assert qoder.get(url).status_code == 200
