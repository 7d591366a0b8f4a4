"""Cursor's four AI Code Tracking endpoints: validate, call one selector, render."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from analytics_api.base import TeamScopedAPIView
from analytics_api.csv_export import for_client, formula_option
from analytics_api.cursor import schema
from analytics_api.cursor.exports import change_csv_stream, commit_csv_stream
from analytics_api.cursor.params import (
    parse_commit_detail,
    parse_filters,
    parse_list_params,
    stored_hash,
)
from analytics_api.cursor.selectors import change_list, commit_details, commit_list, team_members
from analytics_api.errors import ApiError
from analytics_api.renderers import FastJSONRenderer


class _CursorView(TeamScopedAPIView):
    error_dialect = "cursor"

    def etag_parts(self) -> tuple:
        return self.params.etag_parts(now=timezone.now())


class _CursorListView(_CursorView):
    renderer_classes = [FastJSONRenderer]

    def parse_params(self, request):
        return parse_list_params(request.query_params, now=timezone.now())

    def render_page(self, page) -> Response:
        return Response(
            {
                "items": page.items,
                "totalCount": page.total_count,
                "page": self.params.page,
                "pageSize": self.params.page_size,
            }
        )


class _CursorExportView(_CursorView):
    def parse_params(self, request):
        self.neutralize = formula_option(request.query_params)
        return parse_filters(request.query_params, now=timezone.now())

    def etag_parts(self) -> tuple:
        return (*super().etag_parts(), self.neutralize)


class CommitListView(_CursorListView):
    rate_limit_group = "cursor.commits"

    @extend_schema(**schema.COMMITS)
    def get(self, request):
        p = self.params
        return self.render_page(
            commit_list(team=self.team, filters=p.filters, page=p.page, page_size=p.page_size)
        )


class ChangeListView(_CursorListView):
    rate_limit_group = "cursor.changes"

    @extend_schema(**schema.CHANGES)
    def get(self, request):
        p = self.params
        return self.render_page(
            change_list(team=self.team, filters=p.filters, page=p.page, page_size=p.page_size)
        )


class CommitCsvView(_CursorExportView):
    rate_limit_group = "cursor.commits.csv"

    @extend_schema(**schema.COMMITS_CSV)
    def get(self, request):
        response = commit_csv_stream(
            team=self.team, filters=self.params, neutralize=self.neutralize
        )
        return for_client(request, response)


class ChangeCsvView(_CursorExportView):
    rate_limit_group = "cursor.changes.csv"

    @extend_schema(**schema.CHANGES_CSV)
    def get(self, request):
        response = change_csv_stream(
            team=self.team, filters=self.params, neutralize=self.neutralize
        )
        return for_client(request, response)


class CommitDetailView(_CursorView):
    """GET /analytics/ai-code/commits/{hash}[,{hash}...]: range annotations per file."""

    rate_limit_group = "cursor.commit_detail"
    renderer_classes = [FastJSONRenderer]

    def parse_params(self, request):
        return parse_commit_detail(self.kwargs["hashes"], request.query_params)

    def etag_parts(self) -> tuple:
        return (repr(self.params),)

    @extend_schema(**schema.COMMIT_DETAIL)
    def get(self, request, hashes: str):
        p = self.params
        stored = tuple(stored_hash(h) for h in p.hashes)
        commits = commit_details(team=self.team, hashes=stored, branch=p.branch)
        if not commits:
            where = f" on branch {p.branch!r}" if p.branch else ""
            raise ApiError(
                f"No commit {', '.join(p.hashes)[:200]}{where} in this team.", status_code=404
            )
        return Response({"commits": commits})


class TeamMembersView(_CursorView):
    """GET /teams/members: Cursor's Admin API member list, which connectors call first."""

    rate_limit_group = "cursor.members"
    renderer_classes = [FastJSONRenderer]

    def etag_parts(self) -> tuple:
        return ()

    @extend_schema(**schema.TEAM_MEMBERS)
    def get(self, request):
        return Response({"teamMembers": team_members(team=self.team)})


__all__ = [
    "CommitListView", "ChangeListView", "CommitCsvView", "ChangeCsvView", "CommitDetailView",
    "TeamMembersView",
]  # fmt: skip
