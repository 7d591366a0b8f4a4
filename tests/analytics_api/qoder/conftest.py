"""Qoder dialect test helpers: a Bearer client, URLs under the team's organization, and one
small world of records with edge cases (commit time vs. createdAt, another team, out of range).

Expected figures in the tests are computed in Python from these factory objects, independently
of the SQL the selectors run.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from tests.factories import (
    ChangeFactory,
    CommitFactory,
    CommitFileFactory,
    MemberFactory,
    MessageFactory,
)
from tracking.models import AI_PAIRS, Source

START = datetime(2025, 6, 1, tzinfo=UTC)
END = datetime(2025, 6, 3, 23, 59, 59, tzinfo=UTC)
RANGE = {"start_date": "2025-06-01T00:00:00Z", "end_date": "2025-06-03T23:59:59Z"}
TRACKING_RANGE = {"startDate": "2025-06-01T00:00:00Z", "endDate": "2025-06-03T23:59:59Z"}


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    """A June 2025 instant (UTC)."""
    return datetime(2025, 6, day, hour, minute, second, tzinfo=UTC)


@pytest.fixture
def qoder(read_key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {read_key}")
    return client


def qoder_url(team_or_id, path: str, **query) -> str:
    organization = getattr(team_or_id, "uuid", team_or_id)
    suffix = f"?{urlencode(query)}" if query else ""
    return f"/v1/organizations/{organization}/{path}{suffix}"


def assert_qoder_error(response, status: int, code: str, *words: str) -> dict:
    """The Qoder envelope with the given status and code, and a message naming `words`."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    for word in words:
        assert word in body["error"]["message"], body["error"]["message"]
    return body


# --- independent arithmetic over factory objects -------------------------------------------


def ai_added(commit) -> int:
    return sum(getattr(commit, f"{p}_lines_added") for p in AI_PAIRS)


def ai_deleted(commit) -> int:
    return sum(getattr(commit, f"{p}_lines_deleted") for p in AI_PAIRS)


def non_ai_added(commit) -> int:
    return max(0, commit.total_lines_added - ai_added(commit))


def commit_time(commit) -> datetime:
    return commit.commit_ts or commit.created_at


def in_range(moment: datetime, start: datetime = START, end: datetime = END) -> bool:
    return start <= moment <= end


def pct(numerator: int, denominator: int) -> float:
    return round(100 * numerator / denominator, 2) if denominator else 0


# --- the world ------------------------------------------------------------------------------


@pytest.fixture
def world(team, owner, teammate, outsider):
    """Commits, files, changes and messages around the 2025-06-01..03 window."""
    third = MemberFactory(team=team, email="zed@acme.example", display_name="Zed")
    commits = [
        # In range on 06-01, primary branch, files in .go and .ts.
        CommitFactory(
            member=owner,
            repo_name="acme/api",
            commit_ts=at(1, 10),
            created_at=at(1, 11),
            total_lines_added=200,
            total_lines_deleted=40,
            ide_next_lines_added=30,
            ide_next_lines_deleted=5,
            plugin_agent_lines_added=20,
            cli_agent_lines_added=15,
            ide_quest_lines_added=10,
            ide_quest_lines_deleted=2,
            jb_inline_chat_lines_added=5,
            jb_inline_chat_lines_deleted=1,
            ide_agent_lines_added=40,
            ide_agent_lines_deleted=10,
        ),
        # No commitTs: its createdAt (06-02 late evening) is its commit time. Feature branch.
        CommitFactory(
            member=teammate,
            repo_name="acme/Web",
            branch_name="feature/x",
            is_primary_branch=False,
            commit_ts=None,
            created_at=at(2, 23, 30),
            total_lines_added=80,
            total_lines_deleted=20,
            ide_next_lines_added=10,
            ide_agent_lines_added=60,
            plugin_next_lines_added=4,
            ide_inline_chat_lines_added=3,
        ),
        # AI lines above the total (clients disagree): nonAi is 0, never negative. Midnight.
        CommitFactory(
            member=owner,
            repo_name="acme/api",
            commit_ts=at(3, 0),
            created_at=at(3, 0, 5),
            total_lines_added=30,
            total_lines_deleted=0,
            ide_next_lines_added=25,
            ide_agent_lines_added=20,
            ide_agent_lines_deleted=0,
            ide_next_lines_deleted=0,
        ),
        # Committed in range, ingested long after: in (commit time counts).
        CommitFactory(
            member=third,
            repo_name="tools",
            commit_ts=at(3, 23, 59, 59),
            created_at=datetime(2025, 7, 20, tzinfo=UTC),
            total_lines_added=50,
            total_lines_deleted=5,
            ide_next_lines_added=0,
            ide_agent_lines_added=10,
        ),
        # Ingested in range but committed before it: out.
        CommitFactory(
            member=owner,
            repo_name="acme/api",
            commit_ts=datetime(2025, 5, 31, 23, 59, 59, tzinfo=UTC),
            created_at=at(1, 9),
            total_lines_added=999,
        ),
        # After the range: out.
        CommitFactory(
            member=teammate, repo_name="acme/Web", commit_ts=at(4, 0), created_at=at(4, 1)
        ),
        # No repo name at all.
        CommitFactory(
            member=third,
            repo_name=None,
            commit_ts=at(2, 8),
            created_at=at(2, 8),
            total_lines_added=7,
            ide_next_lines_added=0,
            ide_agent_lines_added=7,
        ),
    ]
    foreign = CommitFactory(
        member=outsider,
        repo_name="acme/api",
        commit_ts=at(2),
        created_at=at(2),
        total_lines_added=5000,
        ide_agent_lines_added=4000,
    )
    files = [
        CommitFileFactory(
            commit=commits[0], file_extension=".go", lines_added=120, ai_lines_added=70
        ),
        CommitFileFactory(
            commit=commits[0], file_extension=".ts", lines_added=80, ai_lines_added=50
        ),
        CommitFileFactory(
            commit=commits[1], file_extension=".ts", lines_added=80, ai_lines_added=77
        ),
        CommitFileFactory(
            commit=commits[2], file_extension=".py", lines_added=30, ai_lines_added=30
        ),
        CommitFileFactory(
            commit=commits[4], file_extension=".go", lines_added=999, ai_lines_added=1
        ),
        CommitFileFactory(
            commit=foreign, file_extension=".go", lines_added=5000, ai_lines_added=4000
        ),
    ]

    def meta(*pairs):
        return [
            {"fileName": f"f{i}{ext}", "fileExtension": ext, "linesAdded": added, "linesDeleted": 1}
            for i, (ext, added) in enumerate(pairs)
        ]

    changes = [
        ChangeFactory(
            member=owner,
            source=Source.AGENT,
            created_at=at(1, 9),
            total_lines_added=18,
            total_lines_deleted=4,
            metadata=meta((".ts", 12), (".tsx", 6)),
        ),
        ChangeFactory(
            member=owner,
            source=Source.NEXT,
            created_at=at(1, 10),
            total_lines_added=2,
            total_lines_deleted=0,
            metadata=meta((".go", 2)),
        ),
        ChangeFactory(
            member=owner,
            source=Source.NEXT,
            accepted=False,
            created_at=at(1, 10, 1),
            total_lines_added=3,
            total_lines_deleted=0,
            metadata=meta((".go", 3)),
        ),
        ChangeFactory(
            member=teammate,
            source=Source.NEXT,
            accepted=False,
            created_at=at(2, 9),
            total_lines_added=1,
            total_lines_deleted=1,
            metadata=meta((".ts", 1)),
        ),
        ChangeFactory(
            member=teammate,
            source=Source.QUEST,
            created_at=at(2, 10),
            model="auto",
            total_lines_added=40,
            total_lines_deleted=10,
            metadata=meta((".go", 20), (".go", 15), (".ts", 5)),
        ),
        ChangeFactory(
            member=teammate,
            source=Source.INLINECHAT,
            created_at=at(3, 23, 59, 59),
            total_lines_added=6,
            total_lines_deleted=2,
            metadata=[],
        ),
        ChangeFactory(
            member=third,
            source=Source.NEXT,
            created_at=at(3, 1),
            model=None,
            total_lines_added=1,
            total_lines_deleted=0,
            metadata=[{"fileExtension": ".py", "linesAdded": 1, "linesDeleted": 0}],
        ),
        # Out of range, and another team's.
        ChangeFactory(
            member=owner, source=Source.AGENT, created_at=at(4, 0), metadata=meta((".go", 9))
        ),
        ChangeFactory(
            member=outsider, source=Source.AGENT, created_at=at(2), metadata=meta((".go", 9))
        ),
    ]
    messages = [
        MessageFactory(member=owner, created_at=at(1)),
        MessageFactory(member=owner, created_at=at(2)),
        MessageFactory(member=teammate, created_at=at(3, 23, 59, 59)),
        MessageFactory(member=third, created_at=at(3)),
        MessageFactory(member=owner, created_at=at(4, 0, 0, 1)),
        MessageFactory(member=outsider, created_at=at(2)),
    ]
    ours = [c for c in commits]
    return {
        "team": team,
        "members": {"owner": owner, "teammate": teammate, "third": third},
        "commits": ours,
        "files": [f for f in files if f.commit.team_id == team.pk],
        "changes": [c for c in changes if c.team_id == team.pk],
        "messages": [m for m in messages if m.team_id == team.pk],
    }
