"""On PostgreSQL the CSV exports come from COPY: byte for byte what the Python path writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from analytics_api.cursor.exports import COPY, PYTHON, change_csv_stream, commit_csv_stream
from analytics_api.cursor.params import parse_filters
from tests.analytics_api.cursor.utils import at
from tests.factories import ChangeFactory, CommitFactory, MemberFactory
from tracking.models import Source

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is the PostgreSQL fast path"
)

TRICKY_TEXT = [
    'quote " and, comma',
    "line\nbreak and \r carriage",
    "",
    "unicode 重構 ✓ é",
    "control \x01\x1f and tab\t",
    "back\\slash",
    "  spaces  ",
    "=1+1",
]


@pytest.fixture
def tricky(team, owner, outsider):
    odd = MemberFactory(team=team, email="o'dd+tag@acme.example")
    base = at("2025-07-10T00:00:00")
    for i, text in enumerate(TRICKY_TEXT):
        member = owner if i % 2 else odd
        created = base + timedelta(microseconds=999_999 * (i % 3))
        CommitFactory(
            member=member, message=text or None if i % 4 else text, repo_name=text or None,
            branch_name=None if i % 3 == 0 else text, is_primary_branch=[True, False, None][i % 3],
            commit_ts=None if i == 2 else created - timedelta(days=1), created_at=created,
            total_lines_added=i, ide_next_lines_added=i * 2, cli_agent_lines_deleted=i,
            jb_inline_chat_lines_added=1,
        )  # fmt: skip
        ChangeFactory(
            member=member, source=[*Source][i % 4], model=None if i % 3 == 0 else text,
            created_at=created, accepted=i != 5, change_id=f"c{i},{text[:3]}",
            metadata=[
                {"fileName": text, "fileExtension": ".ts", "linesAdded": i, "linesDeleted": 1},
                {"fileExtension": "go", "linesAdded": 0, "linesDeleted": 0},
                {"fileName": None, "fileExtension": "", "linesAdded": 2, "linesDeleted": 3},
            ] if i % 4 else [],
        )  # fmt: skip
    CommitFactory(member=outsider, created_at=base)
    ChangeFactory(member=outsider, created_at=base)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "query",
    [
        {"startDate": "2025-07-01", "endDate": "2025-07-31"},
        {"startDate": "2025-07-01", "user": "o'dd+tag@acme.example"},
        {"startDate": "2025-07-01", "user": "user_zzzz"},
        {},
    ],
)
@pytest.mark.parametrize("stream", [commit_csv_stream, change_csv_stream])
def test_copy_writes_the_same_bytes_as_python(team, tricky, query, stream):
    filters = parse_filters(query, now=at("2025-07-20T00:00:00"))
    python = body(stream(team=team, filters=filters, method=PYTHON))
    copied = body(stream(team=team, filters=filters, method=COPY))
    assert copied == python
    if query.get("endDate"):
        assert python.count(b"\n") > len(TRICKY_TEXT)  # the data really is in there


def test_the_user_filter_by_id_matches_too(team, owner, tricky):
    filters = parse_filters(
        {"startDate": "2025-07-01", "user": str(owner.pk)}, now=at("2025-07-20T00:00:00")
    )
    for stream in (commit_csv_stream, change_csv_stream):
        python = body(stream(team=team, filters=filters, method=PYTHON))
        assert body(stream(team=team, filters=filters, method=COPY)) == python


@pytest.mark.parametrize("stream", [commit_csv_stream, change_csv_stream])
def test_copy_leaves_out_rows_whose_member_is_not_one_of_the_teams(team, owner, outsider, stream):
    """As the join on the team's member list did: a row whose member the export did not read
    (created by a concurrent ingest after the list was read, or inconsistent data) is not
    written with an empty user id."""
    CommitFactory(team=team, member=owner, created_at=at("2025-07-10T00:00:00"))
    ChangeFactory(team=team, member=owner, created_at=at("2025-07-10T00:00:00"))
    CommitFactory(team=team, member=outsider, created_at=at("2025-07-10T00:00:00"))
    ChangeFactory(team=team, member=outsider, created_at=at("2025-07-10T00:00:00"))
    filters = parse_filters({"startDate": "2025-07-01"}, now=at("2025-07-20T00:00:00"))
    copied = body(stream(team=team, filters=filters, method=COPY))
    assert copied.count(b"\n") == 2  # the header and the owner's row
    assert outsider.email.encode() not in copied
