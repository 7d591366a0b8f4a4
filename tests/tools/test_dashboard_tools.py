"""The dashboard's commit attribution by tool: three tools side by side (Cursor records, a
git-ai note, Agent Trace records), the tool filter, a commit's lines by tool / human /
unknown, a member's tools; and the cross-tool JSON endpoint."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from tests.conftest import basic
from tests.factories import MemberFactory, make_key
from tests.tools.gitrepo import make_history
from tracking.ingest.records import COMMITS
from tracking.ingest.services import IndexedRows, stream_ingest
from tracking.models import CommitAttribution

pytestmark = pytest.mark.django_db


def three_tools(tmp_path, team) -> dict:
    """git-ai notes (claude, cursor, codex) on acme/api and a Cursor record on acme/web."""
    MemberFactory(team=team, email="ann@acme.example")
    repo, shas = make_history(tmp_path / "clone")
    call_command("import", "gitai", str(repo.path), "--team", team.slug, "--repo", "acme/api",
                 stdout=StringIO())  # fmt: skip
    stream_ingest(team=team, kind=COMMITS, rows=IndexedRows([{
        "commitHash": "f" * 40, "userEmail": "ann@acme.example", "repoName": "acme/web",
        "totalLinesAdded": 30, "composerLinesAdded": 18, "tabLinesAdded": 4,
        "commitTs": "2026-02-27T12:00:00Z",
    }]))  # fmt: skip
    return shas


@pytest.fixture
def shas(tmp_path, team):
    (tmp_path / "clone").mkdir()
    return three_tools(tmp_path, team)


def cells(html: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'id="{table_id}">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    cell = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in cell.findall(r)] for r in rows]


def test_the_overview_shows_every_tool_side_by_side(admin, team, shas):
    html = admin.get(f"/dashboard/{team.slug}/?start=2026-02-20&end=2026-03-05").content.decode()
    rows = {r[0]: r[1:] for r in cells(html, "tools-table")[1:]}
    # 46 lines in git (acme/api) + 30 in the Cursor record (acme/web) = 76 committed lines
    assert rows["cursor"] == ["30", "39.47"]  # 8 (git-ai note) + 22 (Cursor record)
    assert rows["claude"] == ["11", "14.47"]
    assert rows["codex"] == ["6", "7.89"]
    assert rows["human"][0] == "2" and rows["unknown (untracked)"][0] == "27"
    models = {r[0]: r[1] for r in cells(html, "tool-models")[1:]}
    assert models == {"(no model named)": "22", "claude-opus-4": "11", "gpt-5": "8",
                      "gpt-5-codex": "6"}  # fmt: skip
    trend = json.loads(re.search(r'id="data-tools"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert trend["series"][:3] == ["cursor", "claude", "codex"]
    assert '<select name="tool">' in html and "bob@acme.example" in html  # unmatched, listed


def test_the_tool_filter_narrows_the_figures_and_says_what_it_does_not_filter(admin, team, shas):
    html = admin.get(
        f"/dashboard/{team.slug}/?start=2026-02-20&end=2026-03-05&tool=claude"
    ).content.decode()
    rows = {r[0]: r[1:] for r in cells(html, "tools-table")[1:]}
    assert "cursor" not in rows and rows["claude"] == ["11", "14.47"]
    assert "not filtered by ai tool" in html.lower()  # the vendor tiles say so


def test_a_commits_page_shows_its_lines_by_tool_human_and_unknown(admin, team, shas):
    pk = CommitAttribution.objects.get(team=team, commit_hash=shas["c2"]).pk
    html = admin.get(f"/dashboard/{team.slug}/attribution/{pk}/").content.decode()
    assert "gitai" in html and "authorship/3.0.0" in html
    assert "AI / human / unknown lines added</dt><dd>19 / 2 / 4" in html
    assert admin.get(f"/dashboard/{team.slug}/attribution/999999/").status_code == 404


def test_the_cross_tool_endpoint_is_paged_and_filtered(client, team, shas):
    _key, plain = make_key(team)
    client.credentials(HTTP_AUTHORIZATION=basic(plain))
    data = client.get("/tools/v1/figures?startDate=2026-02-20&endDate=2026-03-05").json()
    assert data["version"] == 1
    assert data["figures"]["aiLinesAdded"] == 30 + 11 + 6
    assert data["figures"]["linesAdded"] == 76
    data = client.get("/tools/v1/figures?tool=claude&startDate=2026-02-20&endDate=2026-03-05")
    assert data.json()["figures"]["aiLinesAdded"] == 11
    assert data.json()["figures"]["aiShare"] == 14.47
    page = client.get("/tools/v1/commits?pageSize=2&page=1").json()
    assert page["totalCount"] == 5 and len(page["commits"]) == 2
    only = client.get("/tools/v1/commits?tool=codex").json()
    assert [c["commitHash"] for c in only["commits"]] == [shas["c3"]]
    for bad in ("startDate=2026-13-01", "startDate=", "pageSize=0", "member=nobody@x.example",
                "startDate=2026-03-02&endDate=2026-03-01", "tool=%00"):  # fmt: skip
        response = client.get(f"/tools/v1/commits?{bad}")
        assert response.status_code == 400, (bad, response.content)
