"""Shared helpers of the ingestion tests: the two doors, and stored rows as plain dicts."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from tracking.models import AI_PAIRS, Change, Commit, CommitFile, Message

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
ZERO_PAIRS = {f"{p}_lines_{s}": 0 for p in AI_PAIRS for s in ("added", "deleted")}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def post(client, kind: str, records, *, ndjson: bool = False):
    if ndjson:
        body = "\n".join(json.dumps(r) for r in records)
        return client.post(f"/ingest/v1/{kind}", body, content_type="application/x-ndjson")
    return client.post(f"/ingest/v1/{kind}", records, format="json")


def run_ingest(*args: str, team: str = "acme") -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ingest", *[str(a) for a in args], team=team, stdout=out, stderr=err)
    except CommandError as exc:
        raise CommandError(f"{exc}\n{err.getvalue()}") from None
    return out.getvalue(), err.getvalue()


def commit_rows(team) -> dict[str, dict]:
    rows = Commit.objects.filter(team=team).values()
    out = {}
    for row in rows:
        commit_id = row.pop("id")
        for key in ("team_id", "occurred_at"):
            row.pop(key)
        member = row.pop("member_id")
        row["member"] = _member(member)
        row["files"] = sorted(
            CommitFile.objects.filter(commit_id=commit_id).values_list(
                "file_path",
                "file_extension",
                "lines_added",
                "lines_deleted",
                "ai_lines_added",
                "ai_lines_deleted",
            )
        )
        out[row["commit_hash"]] = row
    return out


def change_rows(team) -> dict[str, dict]:
    return _rows(Change, team, "change_id")


def message_rows(team) -> dict[str, dict]:
    return _rows(Message, team, "message_id")


def _rows(model, team, key: str) -> dict[str, dict]:
    out = {}
    for row in model.objects.filter(team=team).values():
        for name in ("id", "team_id"):
            row.pop(name)
        row["member"] = _member(row.pop("member_id"))
        out[row[key]] = row
    return out


def _member(pk: int) -> tuple[str, str]:
    from teams.models import Member

    member = Member.objects.get(pk=pk)
    return (member.email, member.display_name)


def stored_counts(team) -> tuple[int, int, int, int]:
    return (
        Commit.objects.filter(team=team).count(),
        Change.objects.filter(team=team).count(),
        Message.objects.filter(team=team).count(),
        team.members.count(),
    )
