"""Agent Trace records into commit attribution: ranges on a parent revision land on the
commit after it; unresolved traces stay visible; bad input is refused whole."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import basic
from tests.factories import make_key
from tests.tools.gitrepo import Repo, note
from tracking.attribution import figures
from tracking.models import AttributionRecord, CommitAttribution
from tracking.reads import Filters

pytestmark = pytest.mark.django_db


def trace(revision: str, ranges, *, path="a.py", version="0.1.0", trace_id="t-1", kind="ai"):
    return {
        "version": version,
        "id": trace_id,
        "timestamp": "2026-02-26T10:00:00Z",
        "vcs": {"type": "git", "revision": revision},
        "tool": {"name": "claude-code", "version": "2.0.1"},
        "files": [
            {
                "path": path,
                "conversations": [
                    {
                        "url": "https://example.invalid/c/1",
                        "contributor": {"type": kind, "model_id": "anthropic/claude-opus-4"},
                        "ranges": [{"start_line": a, "end_line": b} for a, b in ranges],
                    }
                ],
            }
        ],
    }


def totals(team) -> dict:
    got = figures.tool_totals(team=team, filters=Filters())
    assert got == figures.raw_tool_totals(team=team, filters=Filters())
    return {key: row["added"] for key, row in got.items()}


def ingest_file(tmp_path, team, records, *extra) -> str:
    path = tmp_path / "traces.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    out = StringIO()
    call_command(
        "ingest", "--team", team.slug, "--kind", "agent-traces", str(path), *extra, stdout=out
    )
    return out.getvalue()


def make_repo(tmp_path) -> tuple[Repo, str, str]:
    (tmp_path / "clone").mkdir()
    repo = Repo(tmp_path / "clone")
    repo.write("a.py", 10)
    base = repo.commit("base")
    repo.write("a.py", 10, start=11)  # lines 11-20, 11-15 by the agent
    landing = repo.commit("landing")
    return repo, base, landing


def test_a_trace_on_the_parent_revision_is_attributed_to_the_landing_commit(tmp_path, team):
    repo, base, landing = make_repo(tmp_path)
    out = ingest_file(
        tmp_path,
        team,
        [trace(base, [(11, 15)])],
        "--repo",
        str(repo.path),
        "--repo-name",
        "acme/api",
    )
    assert "1 attributed to their landing commit, 0 unresolved" in out
    record = AttributionRecord.objects.get(team=team, source="agent_trace")
    assert (record.commit_sha, record.schema_version, record.status) == (
        landing,
        "0.1.0",
        "resolved",
    )
    assert record.payload["tool"] == {"name": "claude-code", "version": "2.0.1"}  # kept as sent
    commit = CommitAttribution.objects.get(team=team, commit_hash=landing)
    assert commit.source == "agent_trace" and commit.lines_added == 10
    assert totals(team) == {
        ("claude-code", "anthropic/claude-opus-4", "ai"): 5,
        ("", "", "unknown"): 5,
    }
    # sent again: nothing changes
    out = ingest_file(
        tmp_path,
        team,
        [trace(base, [(11, 15)])],
        "--repo",
        str(repo.path),
        "--repo-name",
        "acme/api",
    )
    assert "0 created, 0 updated, 1 unchanged" in out


def test_an_unresolved_trace_is_listed_then_attributed_when_its_commit_is_imported(
    tmp_path, team, client
):
    repo, base, landing = make_repo(tmp_path)
    key, plain = make_key(team, can_ingest=True)
    body = json.dumps(trace(landing, [(1, 3)], path="b.py", trace_id="t-2")) + "\n"
    response = client.post(
        "/ingest/v1/agent-traces?repo=acme/api",
        body,
        content_type="application/x-ndjson",
        HTTP_AUTHORIZATION=basic(plain),
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["resolved"] == 0 and data["unresolved"][0]["id"] == "t-2"
    assert "not known yet" in data["unresolved"][0]["reason"]
    assert totals(team) == {}
    repo.write("b.py", 4)
    after = repo.commit("after")
    out = StringIO()
    call_command("import", "gitai", str(repo.path), "--team", team.slug, "--repo", "acme/api",
                 stdout=out)  # fmt: skip
    assert "1 Agent Trace record(s) attributed" in out.getvalue()
    record = AttributionRecord.objects.get(team=team, record_id="t-2")
    assert (record.status, record.commit_sha) == ("resolved", after)
    got = totals(team)
    assert got[("claude-code", "anthropic/claude-opus-4", "ai")] == 3
    # base and landing have no trace: their lines (10 + 10) and b.py's 4th line are unknown
    assert got[("", "", "unknown")] == 10 + 10 + 1


def test_a_git_ai_note_wins_over_a_trace_of_the_same_commit(tmp_path, team):
    repo, base, landing = make_repo(tmp_path)
    ingest_file(
        tmp_path,
        team,
        [trace(base, [(11, 15)])],
        "--repo",
        str(repo.path),
        "--repo-name",
        "acme/api",
    )
    repo.note(
        landing,
        note(
            {"a.py": [("s_00000000000001::t_1", "11-20")]},
            sessions={"s_00000000000001": {"agent_id": {"tool": "codex", "model": "gpt-5"}}},
        ),
    )
    call_command("import", "gitai", str(repo.path), "--team", team.slug, "--repo", "acme/api",
                 stdout=StringIO())  # fmt: skip
    assert CommitAttribution.objects.get(team=team, commit_hash=landing).source == "gitai"
    got = totals(team)
    assert got[("codex", "gpt-5", "ai")] == 10
    assert ("claude-code", "anthropic/claude-opus-4", "ai") not in got


def test_ranges_past_the_files_end_are_listed_not_counted(tmp_path, team):
    repo, base, _landing = make_repo(tmp_path)
    out = ingest_file(
        tmp_path,
        team,
        [trace(base, [(11, 400)])],
        "--repo",
        str(repo.path),
        "--repo-name",
        "acme/api",
    )
    assert "unresolved t-1: ranges past the file's end: a.py has 20 lines" in out
    assert AttributionRecord.objects.get(team=team).status == "unresolved"
    assert ("claude-code", "anthropic/claude-opus-4", "ai") not in totals(team)


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"version": "9.9"}, "unknown Agent Trace version '9.9'"),
        ({"files": []}, "files: a non-empty list is required"),
        ({"id": ""}, "id: a non-empty string"),
        ({"files": [{"path": "a.py", "conversations": [{"contributor": {"type": "robot"},
          "ranges": [{"start_line": 1, "end_line": 2}]}]}]}, "contributor.type must be"),
        ({"files": [{"path": "a.py", "conversations": [{"contributor": {"type": "ai"},
          "ranges": [{"start_line": 5, "end_line": 2}]}]}]}, "is not 1 <= start <= end"),
    ],
)  # fmt: skip
def test_a_bad_record_refuses_the_whole_request(client, team, bad, message):
    _key, plain = make_key(team, can_ingest=True)
    good = trace("a" * 40, [(1, 2)], trace_id="fine")
    records = [good, {**trace("a" * 40, [(1, 2)], trace_id="bad"), **bad}]
    response = client.post(
        "/ingest/v1/agent-traces?repo=acme/api",
        json.dumps(records),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic(plain),
    )
    assert response.status_code == 400, response.content
    assert message in response.json()["message"] and "record 1" in response.json()["message"]
    assert not AttributionRecord.objects.filter(team=team).exists()  # not even the good one


def test_the_command_refuses_a_bad_file_whole(tmp_path, team):
    with pytest.raises(CommandError, match="nothing stored, 1 bad record"):
        ingest_file(tmp_path, team, [trace("a" * 40, [(1, 2)]), {"version": "1.0"}],
                    "--repo-name", "acme/api")  # fmt: skip
    assert not AttributionRecord.objects.filter(team=team).exists()
    with pytest.raises(CommandError, match="--repo-name"):
        ingest_file(tmp_path, team, [trace("a" * 40, [(1, 2)])])
