"""Commit attribution from other tools (docs/tools.md):

- git-ai's notes backend HTTP contract: POST /worker/notes/upload, GET /worker/notes/?commits=
  (X-API-Key or Bearer; the key names the repository: ApiKey.repository);
- POST /ingest/v1/agent-traces: Agent Trace records (JSON array or JSONL);
- GET /tools/v1/figures and /tools/v1/commits: the cross-tool figures, versioned, paged, with
  the dashboard's filters (tool and model among them)."""

from __future__ import annotations

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response

from analytics_api.base import TeamScopedAPIView
from analytics_api.cursor.schema import CursorErrorSerializer
from analytics_api.errors import ApiError
from analytics_api.ingest.body import _read_bytes, read_records
from analytics_api.paging import parse_paging
from analytics_api.tools.auth import XApiKeyAuthentication
from teams.auth import ApiKeyAuthentication, CanIngest, CanRead
from tracking.attribution import figures as attribution
from tracking.attribution.parse import SHA_RE
from tracking.ingest.agent_trace import TracesInvalid, store_traces
from tracking.ingest.gitai import MAX_ENTRIES, MAX_READ, read_notes, store_notes

TAG = "Other AI tools"
NOTES_AUTH = [XApiKeyAuthentication, ApiKeyAuthentication]
ERRORS = {
    400: OpenApiResponse(CursorErrorSerializer, description="A bad parameter or body, named."),
    401: OpenApiResponse(CursorErrorSerializer, description="Missing, unknown or revoked key."),
    403: OpenApiResponse(CursorErrorSerializer, description="The key may not do this (or "
                         "names no repository, for the notes backend)."),
    413: OpenApiResponse(CursorErrorSerializer, description="The body is too large."),
}  # fmt: skip


def _responses(ok) -> dict:
    return {200: ok, **ERRORS}


def _repository(view) -> str:
    repo = view.request.user.api_key.repository.strip()
    if not repo:
        raise ApiError(
            "This API key names no repository: git-ai's notes are keyed by commit SHA only, so "
            "each repository needs its own key (set 'repository' on the key in the admin, or "
            "create it with `manage.py create_api_key --repository NAME`).",
            status_code=403,
        )
    return repo


class NotesUploadView(TeamScopedAPIView):
    authentication_classes = NOTES_AUTH
    permission_classes = [CanIngest]
    parser_classes: list = []

    @extend_schema(
        tags=[TAG],
        summary="git-ai notes backend: store notes",
        description='git-ai\'s `POST /worker/notes/upload`: `{"entries": [{"commit_sha", '
        '"content"}]}`. Each note is stored as sent under the key\'s repository; notes the '
        "figures cannot read are stored and listed in `unparsed`, entries that are not notes "
        "in `rejected` (not stored).",
        request=inline_serializer(
            "NotesUpload",
            {
                "entries": serializers.ListField(
                    child=inline_serializer(
                        "NoteEntry",
                        {"commit_sha": serializers.CharField(), "content": serializers.CharField()},
                    )
                )
            },
        ),
        responses=_responses(OpenApiTypes.OBJECT),
    )
    def post(self, request):
        repo = _repository(self)
        raw = _read_bytes(request)
        try:
            body = json.loads(raw)
        except ValueError as error:
            raise ApiError(f"The body is not JSON ({error}).") from None
        entries = body.get("entries") if isinstance(body, dict) else None
        if not isinstance(entries, list):
            raise ApiError('The body must be {"entries": [{"commit_sha": ..., "content": ...}]}.')
        if len(entries) > MAX_ENTRIES:
            raise ApiError(f"At most {MAX_ENTRIES} entries per request (got {len(entries)}).")
        pairs = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise ApiError(f"entries[{i}] must be an object with commit_sha and content.")
            pairs.append((entry.get("commit_sha"), entry.get("content")))
        result = store_notes(team=self.team, repo_name=repo, entries=pairs)
        return Response(result.as_dict())


class NotesReadView(TeamScopedAPIView):
    authentication_classes = NOTES_AUTH
    permission_classes = [CanRead]

    @extend_schema(
        tags=[TAG],
        summary="git-ai notes backend: read notes",
        description="git-ai's `GET /worker/notes/?commits=sha1,sha2` (at most 100): "
        '`{"notes": {sha: content}}` for the key\'s repository; SHAs without a note are left '
        "out.",
        parameters=[
            OpenApiParameter(
                "commits", str, required=True, description="Comma-separated full commit SHAs."
            )
        ],
        responses=_responses(OpenApiTypes.OBJECT),
    )
    def get(self, request):
        repo = _repository(self)
        raw = request.query_params.get("commits", "")
        shas = [s.strip().lower() for s in raw.split(",") if s.strip()]
        if not shas:
            raise ApiError("commits: give one or more commit SHAs, comma-separated.")
        if len(shas) > MAX_READ:
            raise ApiError(f"commits: at most {MAX_READ} SHAs per request (got {len(shas)}).")
        bad = [s for s in shas if not SHA_RE.fullmatch(s)]
        if bad:
            raise ApiError(f"commits: {bad[0][:80]!r} is not a full commit SHA.")
        return Response({"notes": read_notes(team=self.team, repo_name=repo, shas=shas)})


class AgentTracesIngestView(TeamScopedAPIView):
    permission_classes = [CanIngest]
    parser_classes: list = []

    @extend_schema(
        tags=["Ingestion"],
        summary="Agent Trace records",
        description="Agent Trace (v0.1 RFC) records as a JSON array or JSONL, for the "
        "repository `repo` (or the key's repository). A trace is attributed to the commit "
        "after its `vcs.revision` once that commit is known (`manage.py import gitai`); until "
        "then it is listed as unresolved. One bad record refuses the request, nothing stored.",
        parameters=[OpenApiParameter("repo", str, required=False)],
        request={"application/json": OpenApiTypes.OBJECT},
        responses=_responses(OpenApiTypes.OBJECT),
    )
    def post(self, request):
        repo = (request.query_params.get("repo") or request.user.api_key.repository).strip()
        if not repo or len(repo) > 255 or any(ord(c) < 32 for c in repo):
            raise ApiError(
                "repo: name the repository (?repo=NAME, 1 to 255 characters), or "
                "use a key that names one."
            )
        records = read_records(request)
        try:
            result = store_traces(team=self.team, repo_name=repo, records=records)
        except TracesInvalid as error:
            raise ApiError(
                f"Nothing stored: {len(error.problems)} bad record(s). {error}",
                extra={"problems": [{"record": i, "message": m} for i, m in error.problems[:100]]},
            ) from None
        return Response(result.as_dict())


# --- the cross-tool figures --------------------------------------------------------------

FILTER_PARAMS = [
    OpenApiParameter("startDate", OpenApiTypes.DATE, description="YYYY-MM-DD (UTC), inclusive"),
    OpenApiParameter("endDate", OpenApiTypes.DATE, description="YYYY-MM-DD (UTC), inclusive"),
    OpenApiParameter("repo", str),
    OpenApiParameter("tool", str),
    OpenApiParameter("model", str),
    OpenApiParameter("member", str, description="email"),
    OpenApiParameter("primaryBranchOnly", bool),
]


PAGING = [
    OpenApiParameter("page", int, description="From 1."),
    OpenApiParameter("pageSize", int, description="Rows per page (clamped to the maximum)."),
]


def _filters(request, team):
    from datetime import UTC, date, datetime, time

    from tracking.reads import Filters, Who

    query = request.query_params

    def day(name):
        if name not in query:
            return None
        raw = query.get(name).strip()
        if not raw:
            raise ApiError(f"{name}: empty; give a date (YYYY-MM-DD) or leave it out.")
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            raise ApiError(f"{name}: {raw[:40]!r} is not a date (YYYY-MM-DD).") from None
        if value.year < 1970 or value.year > 9998:
            raise ApiError(f"{name}: a date between 1970 and 9998.")
        return value

    def text(name):
        raw = (query.get(name) or "").strip()
        if len(raw) > 255 or any(ord(c) < 32 for c in raw):
            raise ApiError(f"{name}: at most 255 printable characters.")
        return raw or None

    start, end = day("startDate"), day("endDate")
    if start and end and start > end:
        raise ApiError("startDate is after endDate.")
    who = None
    if email := text("member"):
        member = attribution.member_by_email(team, email)
        if member is None:
            raise ApiError(f"member: no member with the email {email!r}.")
        who = Who(uuid=member.uuid)
    primary = (query.get("primaryBranchOnly") or "").strip().lower()
    if primary not in ("", "true", "false", "1", "0"):
        raise ApiError("primaryBranchOnly: true or false.")
    return Filters(
        start=datetime.combine(start, time.min, UTC) if start else None,
        end=datetime.combine(end, time.max, UTC) if end else None,
        who=who,
        repo_name=text("repo"),
        tool=(text("tool") or "").lower() or None,
        model=text("model"),
        primary_branch_only=primary in ("true", "1"),
    )


class ToolFiguresView(TeamScopedAPIView):
    permission_classes = [CanRead]

    @extend_schema(
        tags=[TAG],
        summary="Commit attribution by tool and model",
        parameters=FILTER_PARAMS,
        responses=_responses(OpenApiTypes.OBJECT),
    )
    def get(self, request):
        filters = _filters(request, self.team)
        sums = attribution.sums(team=self.team, filters=filters)
        totals = attribution.tool_totals(team=self.team, filters=filters)
        from tracking import catalog

        measures = {m.faces["api"]: m.value(sums) for m in catalog.MEASURES if "api" in m.faces}
        rows = [
            {
                "tool": t,
                "model": m,
                "kind": k,
                "commits": r["commits"],
                "linesAdded": r["added"],
                "linesDeleted": r["deleted"],
            }
            for (t, m, k), r in sorted(totals.items())
        ]
        page, size = parse_paging(request.query_params, default_size=100, max_size=1000)
        offset = (page - 1) * size
        return Response(
            {
                "version": 1,
                "figures": measures,
                "rows": rows[offset : offset + size],
                "totalCount": len(rows),
                "page": page,
                "pageSize": size,
            }
        )


class ToolCommitsView(TeamScopedAPIView):
    permission_classes = [CanRead]

    @extend_schema(
        tags=[TAG],
        summary="Commits with their lines by tool, human and unknown",
        parameters=[
            *FILTER_PARAMS,
            OpenApiParameter("page", int),
            OpenApiParameter("pageSize", int),
        ],
        responses=_responses(OpenApiTypes.OBJECT),
    )
    def get(self, request):
        filters = _filters(request, self.team)
        page, size = parse_paging(request.query_params, default_size=50, max_size=500)
        total, items = attribution.commit_page(
            team=self.team, filters=filters, offset=(page - 1) * size, limit=size
        )
        return Response(
            {"version": 1, "commits": items, "totalCount": total, "page": page, "pageSize": size}
        )
