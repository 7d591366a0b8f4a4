"""The import rule (tracking/ingest/fidelity.py): a poorer format never overwrites richer stored
values. Every ordered pair of the formats readers.py reads, per kind, and the README's own
round trip: download the CSVs its curl lines save, ingest them back, nothing changes."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.conftest import basic
from tests.factories import TeamFactory, make_key
from tests.tracking.ingest.helpers import change_rows, commit_rows, run_ingest
from tracking.demo import DemoSize, demo_seed
from tracking.ingest.readers import CSV_FORMATS
from tracking.models import Change, Source

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
SINCE = "startDate=2026-11-01T00:00:00Z&endDate=2026-12-02T00:00:00Z"
CSV_URLS = {
    "Cursor commits.csv": "/analytics/ai-code/commits.csv?" + SINCE,
    "Cursor changes.csv": "/analytics/ai-code/changes.csv?" + SINCE,
    "Qoder ai-code-commits.csv": "/v1/organizations/{org}/ai-code-tracking/commits/export?" + SINCE,
    "Qoder ai-code-changes.csv": "/v1/organizations/{org}/ai-code-tracking/changes/export?" + SINCE,
}
JSON_FORMATS = ("NDJSON", "JSON array")
FORMATS = {
    kind: [*JSON_FORMATS, *(f.name for f in CSV_FORMATS if f.kind == kind)]
    for kind in ("commits", "changes")
}


def _pairs(a: int, b: int, c: int) -> dict:
    return {
        "ideNextLinesAdded": a, "pluginNextLinesAdded": b, "ideAgentLinesAdded": c,
        "pluginAgentLinesAdded": 1, "cliAgentLinesAdded": 2, "ideQuestLinesAdded": 3,
        "ideInlineChatLinesAdded": 1, "jbInlineChatLinesAdded": 1,
        "ideNextLinesDeleted": 1, "pluginNextLinesDeleted": 2, "ideAgentLinesDeleted": 0,
        "pluginAgentLinesDeleted": 0, "cliAgentLinesDeleted": 0, "ideQuestLinesDeleted": 4,
        "ideInlineChatLinesDeleted": 0, "jbInlineChatLinesDeleted": 1,
    }  # fmt: skip


# The truth, as rich as the JSON formats say it: every source, rejected suggestions, both tab
# pairs, microseconds, commitSource, "" next to null, metadata, files and range annotations.
COMMITS = [
    {"commitHash": "a1" * 20, "userEmail": "ana@acme.example", "repoName": "acme/web",
     "branchName": "main", "isPrimaryBranch": True, "totalLinesAdded": 90,
     "totalLinesDeleted": 20, **_pairs(5, 7, 11), "message": "feat: rich",
     "commitTs": "2026-11-20T10:00:00.123456Z", "createdAt": "2026-11-20T10:05:00.654321Z",
     "commitSource": "cli",
     "files": [{"filePath": "src/a.py", "fileExtension": "py", "linesAdded": 9,
                "linesDeleted": 1, "aiLinesAdded": 4, "aiLinesDeleted": 0}],
     "rangeAnnotations": [{"filePath": "src/a.py", "groups": []}]},
    {"commitHash": "b2" * 20, "userEmail": "bo@acme.example", "repoName": "",
     "branchName": "", "isPrimaryBranch": None, "totalLinesAdded": 40,
     "totalLinesDeleted": 0, **_pairs(0, 9, 0), "message": "",
     "commitTs": None, "createdAt": "2026-11-21T08:00:00.000999Z", "commitSource": "cloud"},
]  # fmt: skip
CHANGES = [
    {"changeId": f"ch-{source}-{accepted}", "userEmail": "ana@acme.example", "source": source,
     "model": "" if source == "QUEST" else "gpt-5", "accepted": accepted,
     "totalLinesAdded": 6, "totalLinesDeleted": 2,
     "createdAt": f"2026-11-2{i}T09:00:00.{i}23456Z",
     "metadata": [{"fileName": "src/b.ts", "fileExtension": "ts", "linesAdded": 6,
                   "linesDeleted": 2}]}
    for i, source in enumerate(Source.values)
    for accepted in (True, False)
]  # fmt: skip


@pytest.fixture
def files(db, tmp_path):
    """The truth rendered in every format: JSON by the test, the CSVs by the API's exports of
    a team holding the truth."""
    truth = TeamFactory(slug="truth")
    out = {}
    for kind, records in (("commits", COMMITS), ("changes", CHANGES)):
        out[kind, "NDJSON"] = tmp_path / f"{kind}.ndjson"
        out[kind, "NDJSON"].write_text("\n".join(json.dumps(r) for r in records) + "\n")
        out[kind, "JSON array"] = tmp_path / f"{kind}.json"
        out[kind, "JSON array"].write_text(json.dumps(records))
        run_ingest(out[kind, "NDJSON"], team="truth")
    client = APIClient()
    key = make_key(truth)[1]
    for fmt in CSV_FORMATS:
        bearer = fmt.name.startswith("Qoder")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}" if bearer else basic(key))
        response = client.get(CSV_URLS[fmt.name].format(org=truth.uuid))
        assert response.status_code == 200, response.content
        path = tmp_path / fmt.name.split()[-1]
        path.write_bytes(b"".join(response.streaming_content))
        out[fmt.kind, fmt.name] = path
    return out


def snapshot(team, kind: str) -> dict:
    return commit_rows(team) if kind == "commits" else change_rows(team)


def ingest_in_order(files, kind: str, formats: tuple[str, ...], slug: str):
    """The snapshot after ingesting the formats in order, and each run's summary line."""
    team = TeamFactory(slug=slug)
    lines = [run_ingest(files[kind, fmt], team=slug)[0].splitlines()[0] for fmt in formats]
    return snapshot(team, kind), lines


@pytest.mark.parametrize(
    ("kind", "first", "second"),
    [(kind, a, b) for kind, names in FORMATS.items() for a in names for b in names],
)
def test_the_stored_record_holds_what_either_format_says_whatever_the_order(
    files, kind, first, second
):
    """Ingesting the same records in two formats, in either order, stores the same: the richer
    value of each field. After a JSON format (which says everything) nothing changes, and a
    format ingested twice writes nothing the second time."""
    one, lines = ingest_in_order(files, kind, (first, second), "one")
    other, _ = ingest_in_order(files, kind, (second, first), "other")
    assert one == other
    if first in JSON_FORMATS:
        assert one == ingest_in_order(files, kind, (first,), "full")[0]
    if first in JSON_FORMATS or first == second:
        assert "created 0, updated 0," in lines[1], lines


@pytest.mark.parametrize("fmt", [f.name for f in CSV_FORMATS])
def test_a_csv_export_ingested_back_into_its_team_changes_nothing(files, fmt):
    kind = "commits" if "commits" in fmt else "changes"
    team = TeamFactory(slug="again")
    run_ingest(files[kind, "NDJSON"], team="again")
    before = snapshot(team, kind)
    out, _ = run_ingest(files[kind, fmt], team="again")
    assert "created 0, updated 0," in out, out
    assert snapshot(team, kind) == before


def test_a_corrected_count_in_a_poorer_format_still_lands(files, tmp_path):
    """Merging, not skipping: what the file says exactly is stored; the rest is kept."""
    team = TeamFactory(slug="fix")
    run_ingest(files["changes", "NDJSON"], team="fix")
    text = files["changes", "Cursor changes.csv"].read_text()
    header, *rows = text.splitlines()
    quest = next(r for r in rows if r.startswith("ch-QUEST-True,"))
    fixed = tmp_path / "fixed.csv"
    fixed.write_text("\n".join([header, quest.replace(",6,2,", ",60,2,", 1)]) + "\n")
    out, _ = run_ingest(fixed, team="fix")
    assert "updated 1," in out, out
    stored = Change.objects.get(team=team, change_id="ch-QUEST-True")
    assert (stored.total_lines_added, stored.source) == (60, "QUEST")


def test_the_readme_round_trip_keeps_every_source(db, tmp_path):
    """README: its curl lines save commits.csv and changes.csv (and Qoder's exports); ingesting
    them back into the demo team changes no record."""
    team = TeamFactory(slug="acme-demo")
    demo_seed(team=team, size=DemoSize(commits=300, changes=1500, messages=10, days=30), now=NOW)
    before = {kind: snapshot(team, kind) for kind in ("commits", "changes")}
    sources = Counter(Change.objects.filter(team=team).values_list("source", flat=True))
    assert set(sources) == set(Source.values)
    key = make_key(team, can_ingest=True)[1]
    client = APIClient()
    for fmt in CSV_FORMATS:
        bearer = fmt.name.startswith("Qoder")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}" if bearer else basic(key))
        response = client.get(CSV_URLS[fmt.name].format(org=team.uuid))
        assert response.status_code == 200
        path = tmp_path / fmt.name.split()[-1]
        path.write_bytes(b"".join(response.streaming_content))
        out, _ = run_ingest(path, team="acme-demo")
        assert "created 0, updated 0," in out, (fmt.name, out)
    assert {kind: snapshot(team, kind) for kind in before} == before
    assert Counter(Change.objects.filter(team=team).values_list("source", flat=True)) == sources


def test_the_readme_ingest_example_loads_no_file_its_curl_lines_save(db):
    """README: its ingest example is the way to move data in (JSON files that exist), not the
    CSVs its curl lines just downloaded."""
    readme = (ROOT / "README.md").read_text()
    saved = set(re.findall(r" -o (\S+)", readme))
    assert {"commits.csv", "changes.csv"} <= saved
    [line] = [line for line in readme.splitlines() if "manage.py ingest --team acme-demo" in line]
    loaded = line.split("--team acme-demo", 1)[1].split()
    assert loaded and not saved & {Path(name).name for name in loaded}
    TeamFactory(slug="acme-demo")
    for name in loaded:
        out, _ = run_ingest(ROOT / name, team="acme-demo")
        assert "skipped 0" in out, out
