"""Running `manage.py sync` in-process against the fake upstream, and what "exact" means."""

from __future__ import annotations

import io

from django.core.management import call_command

from tests.tracking.sync.upstream import KEY, parse_ts
from tracking.models import Change, Commit


def sync(upstream, *args, team="acme", key=KEY, env_key="CURSOR_API_KEY", monkeypatch=None):
    """(stdout, stderr) of one run; CommandError propagates."""
    if monkeypatch is not None:
        monkeypatch.setenv(env_key, key)
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "sync", *args, "--team", team, "--base-url", upstream.url, "--progress",
        stdout=out, stderr=err,
    )  # fmt: skip
    return out.getvalue(), err.getvalue()


def stored_commits(team) -> set[tuple]:
    return set(
        Commit.objects.filter(team=team).values_list(
            "commit_hash", "repo_name", "member__email", "total_lines_added",
            "ide_next_lines_added", "ide_agent_lines_added", "message", "created_at",
        )
    )  # fmt: skip


def upstream_commits(upstream) -> set[tuple]:
    return {
        (c["commitHash"], c["repoName"], c["userEmail"].lower(), c["totalLinesAdded"],
         c["tabLinesAdded"], c["composerLinesAdded"], c["message"], parse_ts(c["createdAt"]))
        for c in upstream.commits
    }  # fmt: skip


def stored_changes(team) -> set[tuple]:
    return {
        (cid, email, source, model, added, created, tuple(m["fileName"] for m in metadata))
        for cid, email, source, model, added, created, metadata in Change.objects.filter(
            team=team
        ).values_list("change_id", "member__email", "source", "model", "total_lines_added",
                      "created_at", "metadata")
    }  # fmt: skip


def upstream_changes(upstream) -> set[tuple]:
    return {
        (c["changeId"], c["userEmail"].lower(), {"TAB": "NEXT", "COMPOSER": "AGENT"}[c["source"]],
         c["model"], c["totalLinesAdded"], parse_ts(c["createdAt"]),
         tuple(m["fileName"] for m in c["metadata"]))
        for c in upstream.changes
    }  # fmt: skip
