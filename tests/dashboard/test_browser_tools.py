"""Commit attribution by tool in a real browser: Cursor and Qoder records, git-ai notes
(claude, cursor, codex) and an Agent Trace record (claude-code) side by side. Screenshots:
var/screenshots/tools-*.png."""

from __future__ import annotations

import json
import re
from io import StringIO

from django.core.management import call_command

from tests.dashboard.test_browser import (  # noqa: F401 - the skip and the Chromium path
    browser_type_launch_args,
    pytestmark,
    shot,
    sign_in,
)
from tests.factories import MemberFactory
from tests.tools.gitrepo import make_history
from tracking.ingest.agent_trace import store_traces
from tracking.ingest.records import COMMITS
from tracking.ingest.services import IndexedRows, stream_ingest

WINDOW = "start=2026-02-20&end=2026-03-10"


def seed_tools(tmp_path, team) -> None:
    MemberFactory(team=team, email="ann@acme.example")
    MemberFactory(team=team, email="bob@acme.example")
    repo, _shas = make_history(tmp_path)
    base = repo.git("rev-parse", "HEAD")
    repo.write("d.ts", 12)
    repo.commit("d.ts by an agent")
    trace = {
        "version": "0.1.0", "id": "trace-1", "timestamp": "2026-03-02T09:00:00Z",
        "vcs": {"type": "git", "revision": base}, "tool": {"name": "claude-code"},
        "files": [{"path": "d.ts", "conversations": [{
            "contributor": {"type": "ai", "model_id": "anthropic/claude-sonnet-4"},
            "ranges": [{"start_line": 1, "end_line": 9}]}]}],
    }  # fmt: skip
    call_command("import", "gitai", str(tmp_path), "--team", team.slug, "--repo", "acme/api",
                 stdout=StringIO())  # fmt: skip
    store_traces(team=team, repo_name="acme/api", records=[trace], repo_path=tmp_path)
    records = []
    for day in range(20, 28):
        records.append({
            "commitHash": f"{day:02d}" + "e" * 38, "userEmail": "ann@acme.example",
            "repoName": "acme/web", "totalLinesAdded": 40 + day, "composerLinesAdded": 20,
            "tabLinesAdded": day % 5, "commitTs": f"2026-02-{day}T12:00:00Z",
        })  # fmt: skip
        records.append({
            "commitHash": f"{day:02d}" + "9" * 38, "userEmail": "bob@acme.example",
            "repoName": "acme/mobile", "totalLinesAdded": 30, "pluginAgentLinesAdded": 12,
            "ideQuestLinesAdded": day % 7, "commitTs": f"2026-02-{day}T15:00:00Z",
        })  # fmt: skip
    stream_ingest(team=team, kind=COMMITS, rows=IndexedRows(records))


def test_three_and_more_tools_side_by_side(
    transactional_db, live_server, team, teammate_user, page, tmp_path
):
    seed_tools(tmp_path, team)
    base = live_server.url
    sign_in(page, base, teammate_user.username)
    page.wait_for_url(re.compile(r"/dashboard/acme/$"))
    page.goto(f"{base}/dashboard/acme/?{WINDOW}")
    page.wait_for_selector("#chart-tools[data-drawn=true]")
    series = page.evaluate(
        "() => Chart.getChart('chart-tools').data.datasets.map((set) => set.label)"
    )
    assert series[:5] == ["cursor", "qoder", "claude", "claude-code", "codex"], series
    assert series[-2:] == ["human", "unknown (untracked)"]
    page.locator("#tools").screenshot(path=str(_shots() / "tools-overview.png"))
    shot(page, "tools-overview-page")

    # The tool filter: only claude-code's lines, the denominator every committed line.
    page.select_option("select[name=tool]", "claude-code")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"tool=claude-code"))
    page.wait_for_selector("#chart-tools[data-drawn=true]")
    rows = page.locator("#tools-table tbody tr td:first-child").all_inner_texts()
    assert rows[0] == "claude-code" and "cursor" not in rows
    assert page.locator(".unfiltered", has_text="not filtered by ai tool").count() >= 1
    page.locator("#tools").screenshot(path=str(_shots() / "tools-filtered.png"))

    # A commit's lines by tool, human and unknown.
    page.goto(f"{base}/dashboard/acme/?{WINDOW}")
    page.locator("#tool-commits tbody a").first.click()
    page.wait_for_url(re.compile(r"/attribution/"))
    assert page.locator("#commit-tools").is_visible()
    shot(page, "tools-commit")
    text = json.dumps(page.locator("#commit-tools").inner_text())
    assert "unknown" in text or "human" in text or "claude" in text


def _shots():
    from tests.dashboard.test_browser import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
