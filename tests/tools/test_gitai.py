"""git-ai notes into commit attribution: `manage.py import gitai` of a real repository made
here, git-ai's notes backend HTTP contract, re-imports, the precedence over a Cursor record,
and bad input."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import MemberFactory, TeamFactory, make_key
from tests.tools.gitrepo import EXPECTED, make_history, note
from tracking import rollups
from tracking.attribution import figures
from tracking.ingest.records import COMMITS
from tracking.ingest.services import IndexedRows, stream_ingest
from tracking.models import AttributionRecord, CommitAttribution, TeamToolDay
from tracking.reads import Filters

pytestmark = pytest.mark.django_db


def by_key(team) -> dict:
    totals = figures.tool_totals(team=team, filters=Filters())
    assert totals == figures.raw_tool_totals(team=team, filters=Filters())
    return {key: row["added"] for key, row in totals.items()}


def table(team) -> list:
    return sorted(
        TeamToolDay.objects.filter(team=team).values_list(
            "day", "repo_name", "tool", "model", "kind", "commits", "lines_added", "lines_deleted"
        )
    )


def run_import(team, path, *extra) -> str:
    out = StringIO()
    call_command(
        "import", "gitai", str(path), "--team", team.slug, "--repo", "acme/api", *extra, stdout=out
    )
    return out.getvalue()


def notes_key(team, **kw):
    key, plain = make_key(team, name="git-ai", **kw)
    key.repository = "acme/api"
    key.save()
    return plain


def test_import_attributes_lines_by_tool_model_human_and_unknown(tmp_path, team):
    MemberFactory(team=team, email="ann@acme.example")
    _repo, shas = make_history(tmp_path)
    out = run_import(team, tmp_path)
    assert "2 note(s) read: 2 stored" in out
    assert by_key(team) == EXPECTED
    assert rollups.differences(team.pk) == []
    c3 = CommitAttribution.objects.get(team=team, commit_hash=shas["c3"])
    assert (c3.source, c3.author, c3.member_id) == ("gitai", "bob@acme.example", None)
    c2 = CommitAttribution.objects.get(team=team, commit_hash=shas["c2"])
    assert c2.member.email == "ann@acme.example" and c2.lines_added == 25
    # bob is not a member: listed as an unmatched identity, his commit still counted
    assert [i.value for i in figures.unmatched_identities(team)] == ["bob@acme.example"]
    record = AttributionRecord.objects.get(team=team, record_id=shas["c3"])
    assert record.schema_version == "authorship/3.0.0" and record.parsed["legacy"] is True


def test_reimport_changes_nothing_and_a_new_note_is_picked_up(tmp_path, team):
    repo, shas = make_history(tmp_path)
    run_import(team, tmp_path)
    before = table(team)
    out = run_import(team, tmp_path)
    assert "0 stored, 2 unchanged" in out and "0 commit(s) read" in out
    assert table(team) == before
    repo.note(
        shas["c4"],
        note(
            {"a.py": [("s_a76964380084ef::t_1", "16-18")]},
            sessions={
                "s_a76964380084ef": {"agent_id": {"tool": "claude", "model": "claude-opus-4"}}
            },
        ),
    )
    out = run_import(team, tmp_path)
    assert "1 stored, 2 unchanged" in out
    got = by_key(team)
    assert got[("claude", "claude-opus-4", "ai")] == 14
    assert got[("", "", "unknown")] == EXPECTED[("", "", "unknown")] - 3


def test_the_http_contract_gives_the_same_figures_as_the_import(tmp_path, client):
    repo, shas = make_history(tmp_path)
    imported, uploaded = TeamFactory(slug="by-import"), TeamFactory(slug="by-http")
    run_import(imported, tmp_path)
    contents = {
        sha: repo.git("notes", "--ref=ai", "show", sha) + "\n" for sha in (shas["c2"], shas["c3"])
    }
    plain = notes_key(uploaded, can_ingest=True)
    body = {"entries": [{"commit_sha": sha, "content": c} for sha, c in contents.items()]}
    response = client.post(
        "/worker/notes/upload",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_API_KEY=plain,
    )
    assert response.status_code == 200, response.content
    assert response.json()["success_count"] == 2 and response.json()["failure_count"] == 0
    assert sorted(response.json()["waiting_for_commit"]) == sorted(contents)
    # git-ai reads them back, Bearer this time; an unknown SHA is left out
    response = client.get(
        f"/worker/notes/?commits={shas['c2']},{shas['c1']}", HTTP_AUTHORIZATION=f"Bearer {plain}"
    )
    assert response.status_code == 200
    assert response.json() == {"notes": {shas["c2"]: contents[shas["c2"]]}}
    # Notes for commits git has not told us about wait: nothing counted yet
    assert by_key(uploaded) == {}
    assert AttributionRecord.objects.filter(team=uploaded).count() == 2
    # the commits' facts from the clone: the same figures as the import
    call_command(
        "import",
        "gitai",
        str(tmp_path),
        "--team",
        "by-http",
        "--repo",
        "acme/api",
        stdout=StringIO(),
    )
    assert by_key(uploaded) == by_key(imported) == EXPECTED
    assert table(uploaded) == table(imported)


def test_a_note_wins_over_the_cursor_record_of_the_same_commit(tmp_path, team):
    _repo, shas = make_history(tmp_path)
    stream_ingest(
        team=team,
        kind=COMMITS,
        rows=IndexedRows(
            [
                {
                    "commitHash": shas["c2"],
                    "userEmail": "ann@acme.example",
                    "repoName": "acme/api",
                    "totalLinesAdded": 25,
                    "composerLinesAdded": 20,
                    "createdAt": "2026-02-26T10:00:00Z",
                }
            ]
        ),
    )
    assert by_key(team) == {("cursor", "", "ai"): 20, ("", "", "unknown"): 5}
    run_import(team, tmp_path)
    c2 = CommitAttribution.objects.get(team=team, commit_hash=shas["c2"])
    assert c2.source == "gitai"
    got = by_key(team)
    assert ("cursor", "", "ai") not in got  # the Cursor record's 20 lines are not counted twice
    assert got == EXPECTED
    assert sum(got.values()) == 10 + 25 + 8 + 3
    assert rollups.differences(team.pk) == []


def test_bad_notes_are_listed_never_a_500_never_a_partial_write(client, team):
    plain = notes_key(team, can_ingest=True)
    sha = "a" * 40
    good = note({"x.py": [("s_a76964380084ef::t_1", "1-3")]})
    future = note({"x.py": [("s_1::t_1", "1")]}, version="authorship/9.0.0")
    huge = "x.py\n  h_1 1\n---\n" + json.dumps(
        {"schema_version": "authorship/3.0.0", "pad": "y" * 10_000_000}
    )
    body = {
        "entries": [
            {"commit_sha": sha, "content": good},
            {"commit_sha": "b" * 40, "content": future},
            {"commit_sha": "not-a-sha", "content": good},
            {"commit_sha": "c" * 40, "content": huge},
            {"commit_sha": "d" * 40, "content": "no separator"},
        ]
    }
    response = client.post(
        "/worker/notes/upload",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_API_KEY=plain,
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["failure_count"] == 2
    assert {r["commit_sha"] for r in data["rejected"]} == {"not-a-sha", "c" * 40}
    assert "larger than" in next(
        r["reason"] for r in data["rejected"] if r["commit_sha"] == "c" * 40
    )
    unparsed = {r["commit_sha"]: r["reason"] for r in data["unparsed"]}
    assert "unknown schema_version 'authorship/9.0.0'" in unparsed["b" * 40]
    assert "'---'" in unparsed["d" * 40]
    # stored as sent (git-ai reads them back) but never counted
    assert AttributionRecord.objects.filter(team=team).count() == 3
    assert by_key(team) == {}
    for bad, status in ((b"{", 400), (b'{"entries": {}}', 400), (b"[]", 400)):
        response = client.post(
            "/worker/notes/upload", bad, content_type="application/json", HTTP_X_API_KEY=plain
        )
        assert response.status_code == status, response.content
    response = client.get(
        "/worker/notes/?commits=" + ",".join(["a" * 40] * 101), HTTP_X_API_KEY=plain
    )
    assert response.status_code == 400 and "at most 100" in response.json()["message"]
    response = client.get("/worker/notes/?commits=zz", HTTP_X_API_KEY=plain)
    assert response.status_code == 400


def test_the_notes_backend_needs_a_key_naming_its_repository(client, team):
    _key, plain = make_key(team, can_ingest=True)
    response = client.get("/worker/notes/?commits=" + "a" * 40, HTTP_X_API_KEY=plain)
    assert response.status_code == 403 and "repository" in response.json()["message"]
    response = client.get("/worker/notes/?commits=" + "a" * 40)
    assert response.status_code in (401, 403)
    response = client.get("/worker/notes/?commits=" + "a" * 40, HTTP_X_API_KEY="ak_wrong")
    assert response.status_code == 401
    read_only = notes_key(team)
    response = client.post(
        "/worker/notes/upload",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {read_only}",
    )
    assert response.status_code == 403


def test_import_refuses_what_is_not_a_repository(tmp_path, team):
    with pytest.raises(CommandError, match="not a git repository"):
        run_import(team, tmp_path)
    with pytest.raises(CommandError, match="no such directory"):
        run_import(team, tmp_path / "missing")


def test_a_note_on_an_object_that_is_not_a_commit_is_listed_and_skipped(tmp_path, team):
    repo, _shas = make_history(tmp_path)
    blob = repo.git("hash-object", "-w", "a.py")
    repo.note(blob, note({"a.py": [("h_1", "1")]}))
    out = run_import(team, tmp_path)
    assert f"skipped {blob}: the note is on a blob object" in out
    assert by_key(team) == EXPECTED
