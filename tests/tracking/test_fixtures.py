"""Every seed fixture, through both doors, lands with every field as the seed means it."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from tests.tracking.ingest.helpers import (
    FIXTURES,
    ZERO_PAIRS,
    change_rows,
    commit_rows,
    message_rows,
    post,
    run_ingest,
    utc,
)

DEVELOPER = ("developer@company.com", "developer")
ZHANGSAN = ("zhangsan@example.com", "zhangsan")


def cursor_commit(message: str) -> dict:
    return {
        "commit_hash": "a1b2c3d4",
        "member": DEVELOPER,
        "repo_name": "company/repo",
        "branch_name": "main",
        "is_primary_branch": True,
        "total_lines_added": 120,
        "total_lines_deleted": 30,
        **ZERO_PAIRS,
        "ide_next_lines_added": 50,
        "ide_next_lines_deleted": 10,
        "ide_agent_lines_added": 40,
        "ide_agent_lines_deleted": 5,
        "message": message,
        "commit_ts": utc("2025-07-30T14:12:03"),
        "created_at": utc("2025-07-30T14:12:30"),
        "range_annotations": None,
        "commit_source": None,
        "files": [],
    }


CURSOR_FEATURE_COMMIT = {
    "commit_hash": "e5f6g7h8",
    "member": DEVELOPER,
    "repo_name": "company/repo",
    "branch_name": "feature-branch",
    "is_primary_branch": False,
    "total_lines_added": 85,
    "total_lines_deleted": 15,
    **ZERO_PAIRS,
    "ide_next_lines_added": 30,
    "ide_next_lines_deleted": 5,
    "ide_agent_lines_added": 25,
    "ide_agent_lines_deleted": 3,
    "message": "新增錯誤處理",
    "commit_ts": utc("2025-07-30T13:45:21"),
    "created_at": utc("2025-07-30T13:45:45"),
    "range_annotations": None,
    "commit_source": None,
    "files": [],
}


def qoder_commit(member: tuple[str, str]) -> dict:
    return {
        "commit_hash": "a1b2c3d4e5f6",
        "member": member,
        "repo_name": "my-project",
        "branch_name": "main",
        "is_primary_branch": True,
        "total_lines_added": 120,
        "total_lines_deleted": 30,
        **ZERO_PAIRS,
        "ide_next_lines_added": 40,
        "ide_next_lines_deleted": 10,
        "ide_agent_lines_added": 50,
        "ide_agent_lines_deleted": 15,
        "ide_quest_lines_added": 10,
        "ide_inline_chat_lines_added": 5,
        "ide_inline_chat_lines_deleted": 2,
        "message": "feat: add user login",
        "commit_ts": utc("2025-06-15T10:30:00"),
        "created_at": utc("2025-06-15T10:35:00"),
        "range_annotations": None,
        "commit_source": None,
        "files": [],
    }


REPORT_TS = {
    "fileName": "src/analytics/report.ts",
    "fileExtension": ".ts",
    "linesAdded": 12,
    "linesDeleted": 3,
}
UI_TSX = {
    "fileName": "src/analytics/ui.tsx",
    "fileExtension": ".tsx",
    "linesAdded": 6,
    "linesDeleted": 1,
}


def cursor_change(model: str | None) -> dict:
    return {
        "change_id": "749356201",
        "member": DEVELOPER,
        "source": "AGENT",
        "model": model,
        "accepted": True,
        "total_lines_added": 18,
        "total_lines_deleted": 4,
        "metadata": [REPORT_TS, UI_TSX],
        "created_at": utc("2025-07-30T15:10:12"),
    }


CURSOR_TAB_CHANGE = {
    "change_id": "749356202",
    "member": DEVELOPER,
    "source": "NEXT",
    "model": None,
    "accepted": True,
    "total_lines_added": 8,
    "total_lines_deleted": 2,
    "metadata": [
        {
            "fileName": "src/utils/helpers.ts",
            "fileExtension": ".ts",
            "linesAdded": 8,
            "linesDeleted": 2,
        }
    ],
    "created_at": utc("2025-07-30T15:08:45"),
}


def qoder_change(metadata: list) -> dict:
    return {
        "change_id": "chg_abc123",
        "member": ZHANGSAN,
        "source": "AGENT",
        "model": "efficient",
        "accepted": True,
        "total_lines_added": 45,
        "total_lines_deleted": 12,
        "metadata": metadata,
        "created_at": utc("2025-06-15T10:28:00"),
    }


QODER_METADATA = [
    {"fileName": "main.go", "fileExtension": ".go", "linesAdded": 30, "linesDeleted": 8},
    {"fileName": "utils.go", "fileExtension": ".go", "linesAdded": 15, "linesDeleted": 4},
]
MESSAGES = {
    "msg-001": {
        "message_id": "msg-001",
        "member": ZHANGSAN,
        "source": "AGENT",
        "model": "efficient",
        "conversation_id": "session-001",
        "created_at": utc("2025-06-15T10:20:00"),
    },
    "msg-002": {
        "message_id": "msg-002",
        "member": ZHANGSAN,
        "source": "QUEST",
        "model": None,
        "conversation_id": None,
        "created_at": utc("2025-06-15T10:30:00"),  # 1749983400000 ms
    },
}

COMMIT_CASES = {
    "cursor/commits.json": {"a1b2c3d4": cursor_commit("重構:抽離 analytics 客戶端")},
    "qoder/commits.json": {"a1b2c3d4e5f6": qoder_commit(ZHANGSAN)},
}
CHANGE_CASES = {
    "cursor/changes.json": {"749356201": cursor_change(None)},
    "qoder/changes.json": {"chg_abc123": qoder_change(QODER_METADATA)},
}
CSV_CASES = {
    "cursor/commits.csv": (
        commit_rows,
        {
            "a1b2c3d4": cursor_commit("重構:擷取 analytics 客戶端"),
            "e5f6g7h8": CURSOR_FEATURE_COMMIT,
        },
    ),
    "qoder/ai-code-commits.csv": (
        commit_rows,
        {"a1b2c3d4e5f6": qoder_commit(("zhangsan@example.com", "张三"))},
    ),
    "cursor/changes.csv": (
        change_rows,
        {"749356201": cursor_change("gpt-4o"), "749356202": CURSOR_TAB_CHANGE},
    ),
    "qoder/ai-code-changes.csv": (change_rows, {"chg_abc123": qoder_change([])}),
}


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


@pytest.mark.parametrize("name", COMMIT_CASES)
def test_commit_fixtures_store_every_field_over_http(ingest_api, team, name):
    response = post(ingest_api, "commits", load(name))
    assert response.status_code == 200, response.json()
    assert response.json() == {"received": 1, "created": 1, "updated": 0}
    assert commit_rows(team) == COMMIT_CASES[name]


@pytest.mark.parametrize("name", COMMIT_CASES)
def test_commit_fixtures_store_every_field_from_a_file(team, name):
    run_ingest(FIXTURES / name)
    assert commit_rows(team) == COMMIT_CASES[name]


@pytest.mark.parametrize("name", CHANGE_CASES)
def test_change_fixtures_store_every_field_over_http(ingest_api, team, name):
    response = post(ingest_api, "changes", load(name))
    assert response.json() == {"received": 1, "created": 1, "updated": 0}
    assert change_rows(team) == CHANGE_CASES[name]


@pytest.mark.parametrize("name", CHANGE_CASES)
def test_change_fixtures_store_every_field_from_a_file(team, name):
    run_ingest(FIXTURES / name)
    assert change_rows(team) == CHANGE_CASES[name]


@pytest.mark.parametrize("name", CSV_CASES)
def test_csv_fixtures_store_every_field(team, name):
    out, _ = run_ingest(FIXTURES / name)
    rows, expected = CSV_CASES[name]
    assert rows(team) == expected
    assert f"received {len(expected)}, created {len(expected)}, updated 0, skipped 0" in out


def detail_expected(stamp_from, stamp_to, rows) -> None:
    first, second = rows["abc123def456"], rows["789ghi012jkl"]
    assert first["range_annotations"] == load("qoder/commits-detail.json")[0]["rangeAnnotations"]
    assert first["files"] == [("src/main.go", ".go", 8, 0, 8, 0)]
    assert second["range_annotations"] == []
    for row in (first, second):
        assert row["member"] == ZHANGSAN
        assert (row["repo_name"], row["branch_name"], row["is_primary_branch"]) == (
            "my-project",
            "main",
            None,
        )
        assert row["total_lines_added"] == row["total_lines_deleted"] == 0
        assert {k: row[k] for k in ZERO_PAIRS} == ZERO_PAIRS
        assert row["message"] is None and row["commit_ts"] is None
        # No createdAt in the record: the server's stamp.
        assert stamp_from <= row["created_at"] <= stamp_to


def test_range_annotation_fixture_over_http(ingest_api, team):
    before = timezone.now()
    response = post(ingest_api, "commits", load("qoder/commits-detail.json"))
    assert response.json() == {"received": 2, "created": 2, "updated": 0}
    detail_expected(before, timezone.now(), commit_rows(team))


def test_range_annotation_fixture_from_a_file(team):
    before = timezone.now()
    run_ingest(FIXTURES / "qoder/commits-detail.json")
    detail_expected(before, timezone.now(), commit_rows(team))


def test_message_fixture_over_http_as_ndjson(ingest_api, team):
    lines = (FIXTURES / "qoder/messages.ndjson").read_text().splitlines()
    response = post(ingest_api, "messages", [json.loads(line) for line in lines], ndjson=True)
    assert response.json() == {"received": 2, "created": 2, "updated": 0}
    assert message_rows(team) == MESSAGES


def test_message_fixture_from_a_file(team):
    run_ingest(FIXTURES / "qoder/messages.ndjson")
    assert message_rows(team) == MESSAGES


def test_every_fixture_loads_twice_without_a_change(team):
    files = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".json", ".csv", ".ndjson"))
    for path in files:
        run_ingest(path)
    out, _ = run_ingest(*files)
    for path in files:
        # The same file again: nothing created (several fixtures share identities, so the
        # first pass updates some rows; the second pass must not flip-flop within one file).
        assert f"{path}: " in out
    assert out.count("created 0") == len(files)
