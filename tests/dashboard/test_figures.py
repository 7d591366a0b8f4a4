"""The dashboard tells one story from the figure catalog (tracking/catalog.py): every tile and
chart changes under each filter or says it is not filtered by it; identical days give a flat
trend for every preset; tables add up to the tiles; shares stay within 0-100 % with a
data-quality note; "no earlier data" for every tile alike; weeks for long windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from tests.dashboard.conftest import person
from tracking import catalog
from tracking.ingest.records import CHANGES, COMMITS, MESSAGES
from tracking.ingest.services import IndexedRows, stream_ingest

pytestmark = pytest.mark.django_db


def ingest(team, kind, records):
    stream_ingest(team=team, kind=kind, rows=IndexedRows(records))


def at(days_ago: int, hour: int = 10) -> str:
    day = timezone.now().date() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC).isoformat()


@pytest.fixture
def viewer(team):
    client = Client()
    client.force_login(person("viewer@acme.example", team=team))
    return client


@pytest.fixture
def varied(team):
    """Records where each filter selects a different part of every figure it applies to."""
    ingest(team, COMMITS, [
        {"commitHash": "c1", "userEmail": "ann@acme.example", "repoName": "acme/api",
         "branchName": "main", "isPrimaryBranch": True, "totalLinesAdded": 100,
         "totalLinesDeleted": 10, "ideAgentLinesAdded": 40, "createdAt": at(1),
         "files": [{"fileExtension": ".py", "linesAdded": 60, "aiLinesAdded": 30},
                   {"fileExtension": ".ts", "linesAdded": 40, "aiLinesAdded": 10}]},
        {"commitHash": "c2", "userEmail": "bob@acme.example", "repoName": "acme/web",
         "branchName": "feature", "isPrimaryBranch": False, "totalLinesAdded": 50,
         "ideAgentLinesAdded": 10, "createdAt": at(2),
         "files": [{"fileExtension": ".ts", "linesAdded": 50, "aiLinesAdded": 10}]},
        {"commitHash": "c3", "userEmail": "ann@acme.example", "totalLinesAdded": 30,
         "ideNextLinesAdded": 30, "createdAt": at(3),
         "files": [{"fileExtension": ".go", "linesAdded": 30, "aiLinesAdded": 30}]},
        # The previous window, so every tile has something to compare with.
        {"commitHash": "p1", "userEmail": "ann@acme.example", "repoName": "acme/api",
         "isPrimaryBranch": True, "totalLinesAdded": 10, "ideAgentLinesAdded": 1,
         "createdAt": at(9), "files": [{"fileExtension": ".py", "linesAdded": 10}]},
    ])  # fmt: skip
    ingest(team, CHANGES, [
        {"changeId": "a1", "userEmail": "ann@acme.example", "source": "AGENT", "model": "gpt-5",
         "totalLinesAdded": 10, "createdAt": at(1), "metadata": [{"fileExtension": ".py"}]},
        {"changeId": "a2", "userEmail": "ann@acme.example", "source": "NEXT", "model": "gpt-5",
         "totalLinesAdded": 5, "createdAt": at(2), "metadata": [{"fileExtension": ".ts"}]},
        {"changeId": "a3", "userEmail": "ann@acme.example", "source": "NEXT", "model": "gpt-5",
         "accepted": False, "totalLinesAdded": 7, "createdAt": at(2)},
        {"changeId": "b1", "userEmail": "bob@acme.example", "source": "AGENT",
         "model": "claude-opus-4", "totalLinesAdded": 20, "createdAt": at(3),
         "metadata": [{"fileExtension": ".py"}]},
        {"changeId": "b2", "userEmail": "bob@acme.example", "source": "NEXT",
         "model": "claude-opus-4", "totalLinesAdded": 3, "createdAt": at(4)},
        {"changeId": "b3", "userEmail": "bob@acme.example", "source": "NEXT",
         "model": "claude-opus-4", "accepted": False, "createdAt": at(4)},
        {"changeId": "p1", "userEmail": "ann@acme.example", "source": "AGENT", "model": "gpt-5",
         "totalLinesAdded": 1, "createdAt": at(9)},
    ])  # fmt: skip
    ingest(team, MESSAGES, [
        {"messageId": "m1", "userEmail": "ann@acme.example", "source": "AGENT", "createdAt": at(1)},
        {"messageId": "m2", "userEmail": "ann@acme.example", "source": "AGENT", "createdAt": at(2)},
        {"messageId": "m3", "userEmail": "bob@acme.example", "source": "AGENT", "createdAt": at(3)},
        {"messageId": "p1", "userEmail": "bob@acme.example", "source": "AGENT", "createdAt": at(9)},
    ])  # fmt: skip
    return team


VIEWS = {
    "share": "share",
    "ext": "ext_trend",
    "model": "model_trend",
    "next": "next",
    "members": "ranking",
    "repos": "repos",
}
EXTENSION_COLUMNS = {  # the extension table's two views, column by column
    "extension_lines": ("lines_added", "ai_share"),
    "extension_changes": ("changes",),
}


def strip_commits(table: dict) -> list:
    return [{k: v for k, v in row.items() if k != "commits"} for row in table["rows"]]


def commits_column(table: dict) -> list:
    return sorted(row["commits"] for row in table["rows"])


def test_every_tile_and_chart_changes_under_each_filter_or_says_it_does_not(varied, viewer):
    bob = varied.members.get(email="bob@acme.example")
    base = viewer.get("/dashboard/acme/", {"range": 7})
    assert base.status_code == 200
    before = {t.key: t.value for t in base.context["tiles"]}
    filters = {
        "repository": {"repo": "acme/api"},
        "primary_branch": {"primary": "1"},
        "extension": {"ext": ".py"},
        "model": {"model": "gpt-5"},
        "member": {"member": str(bob.uuid)},
    }
    for dimension, query in filters.items():
        page = viewer.get("/dashboard/acme/", {"range": 7, **query})
        body = page.content.decode()
        for tile in page.context["tiles"]:
            where = f"{tile.key} under {dimension}"
            if tile.not_filtered:
                assert tile.value == before[tile.key], where
                assert catalog.BY_KEY[dimension].label.lower() in tile.not_filtered[0], where
                assert tile.not_filtered[0][1:] in body, where
            else:
                assert tile.value != before[tile.key], where
        for view, name in VIEWS.items():
            where = f"chart {view} under {dimension}"
            notes = page.context["notes"][view]
            column_notes = [n for n in notes if n.startswith("Commits column:")]
            if len(notes) > len(column_notes):
                assert page.context[name] == base.context[name], where
            elif not column_notes:
                assert page.context[name] != base.context[name], where
            else:  # the lines changed, the commits column did not
                assert strip_commits(page.context[name]) != strip_commits(base.context[name])
                assert commits_column(page.context[name]) == commits_column(base.context[name])
        for view, columns in EXTENSION_COLUMNS.items():
            where = f"extension table {view} under {dimension}"

            def column(p, columns=columns):
                rows = p.context["extensions"]["rows"]
                return {(r["extension"], c): r[c] for r in rows for c in columns if r[c]}

            if page.context["notes"][view]:
                assert column(page) == column(base), where
            else:
                assert column(page) != column(base), where


def test_each_tile_says_what_it_means(varied, viewer):
    body = viewer.get("/dashboard/acme/", {"range": 7}).content.decode()
    for measure in catalog.TILES:
        assert escape(measure.definition) in body, measure.key
    for family in catalog.FAMILIES:
        assert escape(family.definition) in body
    assert "never added together" in body


@pytest.mark.parametrize("preset", ["7", "30", "90", "today"])
def test_identical_days_give_a_flat_trend_for_every_preset(team, viewer, preset):
    """The same records every day (at the same times of day) for 200 days: every tile's
    comparison with the previous window is 0, whole-day presets and today-so-far alike."""
    now = timezone.now()
    commits, changes, messages = [], [], []
    for d in range(200):
        for k, hours in enumerate((1, 7, 15)):  # each calendar day gets one record per k
            moment = (now - timedelta(days=d, hours=hours)).isoformat()
            who = f"m{k}@acme.example"
            commits.append({"commitHash": f"h{d}-{k}", "userEmail": who, "repoName": "acme/api",
                            "totalLinesAdded": 10 + k, "ideAgentLinesAdded": k,
                            "createdAt": moment})  # fmt: skip
            changes.append({"changeId": f"c{d}-{k}", "userEmail": who, "model": "gpt-5",
                            "source": ["AGENT", "NEXT", "NEXT"][k], "accepted": k != 2,
                            "totalLinesAdded": 3, "createdAt": moment})  # fmt: skip
            messages.append({"messageId": f"m{d}-{k}", "userEmail": who, "source": "AGENT",
                             "createdAt": moment})  # fmt: skip
    ingest(team, COMMITS, commits)
    ingest(team, CHANGES, changes)
    ingest(team, MESSAGES, messages)
    page = viewer.get("/dashboard/acme/", {"range": preset})
    tiles = page.context["tiles"]
    assert len(tiles) == len(catalog.TILES)
    for tile in tiles:
        assert tile.previous is not None, tile.key
        assert tile.change == 0, (tile.key, tile.value, tile.previous)
    body = page.content.decode()
    assert "−" not in body.split('class="tiles"')[1].split("</section>")[0]


def assert_adds_up(page):
    lines = page.context["sums"]["lines_added"]
    ranking, repos, ext = page.context["ranking"], page.context["repos"], page.context["extensions"]
    members = sum(r["lines_added"] for r in ranking["rows"])
    members += ranking["rest"]["lines_added"] if ranking["rest"] else 0
    assert members == lines
    in_repos = sum(r["lines_added"] for r in repos["rows"])
    in_repos += repos["rest"]["lines_added"] if repos["rest"] else 0
    assert in_repos == lines
    chart = sum(d["ai"] + d["other"] for d in page.context["share"])
    assert chart == lines
    in_ext = sum(r["lines_added"] for r in ext["rows"]) + ext["without_files"]
    assert in_ext == lines
    commits = sum(r["commits"] for r in repos["rows"])
    commits += repos["rest"]["commits"] if repos["rest"] else 0
    assert commits == page.context["sums"]["commits"]


@pytest.mark.parametrize(
    "query", [{}, {"ext": ".py,.ts"}, {"repo": "acme/web"}, {"primary": "1"}, {"range": 7}]
)
def test_the_ranking_repositories_chart_and_extensions_add_up_to_the_tile(
    seeded, teammate_user, query
):
    client = Client()
    client.force_login(teammate_user)
    page = client.get("/dashboard/acme/", query)
    assert page.status_code == 200
    assert page.context["sums"]["lines_added"] > 0
    assert_adds_up(page)


def test_commits_without_a_repository_are_a_row_of_their_own(varied, viewer):
    page = viewer.get("/dashboard/acme/", {"range": 7})
    rows = {r["repo"]: r for r in page.context["repos"]["rows"]}
    assert rows[None] == {"repo": None, "commits": 1, "lines_added": 30,
                          "ai_lines_added": 30, "ai_share": 100.0}  # fmt: skip
    assert rows["acme/api"]["ai_share"] == 40.0
    assert "(no repository)" in page.content.decode()
    assert_adds_up(page)


def test_more_ai_lines_than_lines_is_stored_clamped_and_noted(team, viewer, read_key):
    ingest(team, COMMITS, [
        {"commitHash": "x1", "userEmail": "ann@acme.example", "totalLinesAdded": 10,
         "ideAgentLinesAdded": 90, "createdAt": at(1)},
        {"commitHash": "x2", "userEmail": "ann@acme.example", "totalLinesAdded": 10,
         "createdAt": at(1)},
    ])  # fmt: skip
    page = viewer.get("/dashboard/acme/", {"range": 7})
    tiles = {t.key: t for t in page.context["tiles"]}
    assert tiles["ai_lines_added"].value == 90  # as sent
    assert tiles["ai_share"].value == 100.0
    body = page.content.decode()
    assert "Data quality: 1 commit in this window reports more AI lines than lines" in body
    assert "900" not in body
    assert max(d["share"] or 0 for d in page.context["share"]) == 100.0
    # The Qoder API clamps too (the record is kept as sent).
    api = Client(HTTP_AUTHORIZATION=f"Bearer {read_key}")
    start = (timezone.now() - timedelta(days=7)).strftime("%Y-%m-%dT00:00:00Z")
    end = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    overview = api.get(
        f"/v1/organizations/{team.uuid}/ai-code/stats/overview",
        {"start_date": start, "end_date": end},
    ).json()
    assert overview["aiShareRate"] == 100.0
    assert overview["committedAiLinesEdit"] == 90
    out = StringIO()
    call_command("rollups", "verify", "--team", team.slug, stdout=out)
    assert "data quality: 1 commit(s) report more AI lines than lines" in out.getvalue()


def test_no_earlier_data_is_said_by_every_tile_alike(varied, viewer):
    # Nothing before 90 days ago: every tile says so, percentages included.
    page = viewer.get("/dashboard/acme/", {"range": 90})
    assert {t.comparison for t in page.context["tiles"]} == {"no earlier data"}
    # An empty window with an empty window before it.
    page = viewer.get("/dashboard/acme/", {"start": "2020-01-01", "end": "2020-01-07"})
    tiles = {t.key: t for t in page.context["tiles"]}
    assert {t.comparison for t in tiles.values()} == {"no earlier data"}
    assert "+0.00 points" not in page.content.decode()


def test_long_windows_are_drawn_in_weeks_that_add_up_to_the_days(seeded, teammate_user):
    client = Client()
    client.force_login(teammate_user)
    weeks = client.get("/dashboard/acme/", {"range": 90}).context["share"]
    assert len(weeks) == 13  # 12 weeks of 7 days and a first one of 6
    assert " – " in weeks[-1]["date"]
    total = sum(w["ai"] + w["other"] for w in weeks)
    end = timezone.now().date() - timedelta(days=1)
    days = client.get(
        "/dashboard/acme/",
        {"start": (end - timedelta(days=59)).isoformat(), "end": end.isoformat()},
    ).context["share"]
    assert len(days) == 60 and " – " not in days[0]["date"]
    assert total >= sum(d["ai"] + d["other"] for d in days)


def test_the_acceptance_rate_has_a_gap_on_days_without_suggestions(varied, viewer):
    rows = viewer.get("/dashboard/acme/", {"range": 7}).context["next"]
    by_day = {r["date"]: r for r in rows}
    quiet = (timezone.now().date() - timedelta(days=6)).isoformat()
    assert by_day[quiet]["suggested"] == 0 and by_day[quiet]["rate"] is None
    assert any(r["rate"] is not None for r in rows)


def test_a_new_team_sees_how_to_send_data_not_empty_axes(team, viewer):
    body = viewer.get("/dashboard/acme/").content.decode()
    assert "No data yet" in body
    assert "manage.py ingest --team acme" in body and "manage.py sync cursor" in body
    assert "chart-share" not in body


def test_tables_use_thousands_separators(team, viewer):
    ingest(team, COMMITS, [
        {"commitHash": "big", "userEmail": "ann@acme.example", "repoName": "acme/api",
         "totalLinesAdded": 12345, "ideAgentLinesAdded": 2345, "createdAt": at(1)},
    ])  # fmt: skip
    body = viewer.get("/dashboard/acme/", {"range": 7}).content.decode()
    ranking = body.split('id="ranking"')[1].split("</table>")[0]
    assert "12,345" in ranking and "2,345" in ranking
    assert "12,345" in body.split('id="repos"')[1].split("</table>")[0]


def test_a_team_time_zone_moves_every_day_boundary(team, viewer):
    """Tokyo is UTC+9: a commit at 20:00 UTC belongs to the next Tokyo day, in the tiles'
    window and in the chart."""
    team.time_zone = "Asia/Tokyo"
    team.save()
    today_utc = timezone.now().date()
    late = datetime(today_utc.year, today_utc.month, today_utc.day, 20, tzinfo=UTC) - timedelta(
        days=5
    )
    ingest(team, COMMITS, [
        {"commitHash": "late", "userEmail": "ann@acme.example", "totalLinesAdded": 10,
         "ideAgentLinesAdded": 4, "createdAt": late.isoformat()},
        {"commitHash": "early", "userEmail": "ann@acme.example", "totalLinesAdded": 1,
         "createdAt": (late - timedelta(hours=12)).isoformat()},
    ])  # fmt: skip
    tokyo_day = (late + timedelta(hours=9)).date()
    page = viewer.get("/dashboard/acme/", {"start": tokyo_day, "end": tokyo_day})
    tiles = {t.key: t.value for t in page.context["tiles"]}
    assert tiles["lines_added"] == 10  # not the UTC day's 11
    assert page.context["share"] == [
        {"date": tokyo_day.isoformat(), "ai": 4, "other": 6, "share": 40.0, "commits": 1}
    ]
    assert "Asia/Tokyo" in page.content.decode()
    team.time_zone = "UTC"
    team.save()
    page = viewer.get("/dashboard/acme/", {"start": late.date(), "end": late.date()})
    assert {t.key: t.value for t in page.context["tiles"]}["lines_added"] == 11


def test_the_time_zone_must_be_an_iana_name(team):
    from django.core.exceptions import ValidationError

    team.time_zone = "Mars/Olympus"
    with pytest.raises(ValidationError, match="IANA"):
        team.full_clean()


@pytest.mark.parametrize("query", [{}, {"ext": ".py"}, {"range": "today"}])
def test_members_past_the_ranking_limit_are_one_row_that_adds_up(team, viewer, monkeypatch, query):
    from dashboard import data

    monkeypatch.setattr(data, "RANKING_LIMIT", 2)
    when = at(0, hour=0) if query.get("range") == "today" else at(1)
    ingest(team, COMMITS, [
        {"commitHash": f"h{i}", "userEmail": f"m{i}@acme.example", "totalLinesAdded": 10 + i,
         "ideAgentLinesAdded": i, "createdAt": when,
         "files": [{"fileExtension": ".py", "linesAdded": 5 + i, "aiLinesAdded": i}]}
        for i in range(5)
    ])  # fmt: skip
    page = viewer.get("/dashboard/acme/", {"range": 7, **query})
    ranking = page.context["ranking"]
    assert len(ranking["rows"]) == 2
    assert ranking["rest"]["members"] == 3
    assert "3 more members" in page.content.decode()
    assert_adds_up(page)
