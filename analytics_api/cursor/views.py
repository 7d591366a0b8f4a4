"""Cursor's AI Code Tracking endpoints: validate (params.py), read (tracking.reads), render
(serialization.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from analytics_api.base import TeamScopedAPIView
from analytics_api.csv_export import for_client, formula_option
from analytics_api.cursor import schema
from analytics_api.cursor import serialization as render
from analytics_api.cursor.exports import change_csv_stream, commit_csv_stream
from analytics_api.cursor.params import (
    DATE_PARAMS,
    DAY_MS,
    parse_commit_detail,
    parse_daily_usage_body,
    parse_filters,
    parse_list_params,
    parse_usage_events_body,
)
from analytics_api.errors import ApiError
from analytics_api.query import stored_hash
from analytics_api.renderers import FastJSONRenderer
from tracking import activity, reads


class _CursorView(TeamScopedAPIView):
    error_dialect = "cursor"


class _CursorListView(_CursorView):
    renderer_classes = [FastJSONRenderer]
    date_params = DATE_PARAMS
    missing_date_is_now = True

    def parse_params(self, request):
        return parse_list_params(request.query_params, now=timezone.now())

    def page(self, read, columns, render_items) -> Response:
        p = self.params
        rows, total = read(
            team=self.team,
            filters=p.filters,
            columns=columns,
            offset=(p.page - 1) * p.page_size,
            limit=p.page_size,
        )
        return Response(
            {
                "items": render_items(rows),
                "totalCount": total,
                "page": p.page,
                "pageSize": p.page_size,
            }
        )


class _CursorExportView(_CursorView):
    date_params = DATE_PARAMS
    missing_date_is_now = True

    def parse_params(self, request):
        self.neutralize = formula_option(request.query_params)
        return parse_filters(request.query_params, now=timezone.now())

    def etag_parts(self) -> tuple:
        return (*super().etag_parts(), self.neutralize)


class CommitListView(_CursorListView):
    rate_limit_group = "cursor.commits"

    @extend_schema(**schema.COMMITS)
    def get(self, request):
        return self.page(reads.commit_page, render.commit_list_rows, render.commit_items)


class ChangeListView(_CursorListView):
    rate_limit_group = "cursor.changes"

    @extend_schema(**schema.CHANGES)
    def get(self, request):
        return self.page(reads.accepted_change_page, render.change_list_rows, render.change_items)


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

    @extend_schema(**schema.COMMIT_DETAIL)
    def get(self, request, hashes: str):
        p = self.params
        stored = tuple(stored_hash(h) for h in p.hashes)
        rows = reads.commits_by_hash(
            team=self.team, hashes=stored, branch=p.branch, columns=render.DETAIL_COLUMNS
        )
        commits = render.commit_details(rows, stored)
        if not commits:
            where = f" on branch {p.branch!r}" if p.branch else ""
            raise ApiError(
                f"No commit {', '.join(p.hashes)[:200]}{where} in this team.", status_code=404
            )
        return Response({"commits": commits})


class _CursorAdminView(_CursorView):
    """Cursor's Admin API (/teams/...): its own rate, 20 requests a minute per team."""

    rate_limit_setting = "CURSOR_ADMIN_RATE_LIMIT"
    renderer_classes = [FastJSONRenderer]


class TeamMembersView(_CursorAdminView):
    """GET /teams/members: Cursor's Admin API member list, which connectors call first."""

    rate_limit_group = "cursor.members"

    @extend_schema(**schema.TEAM_MEMBERS)
    def get(self, request):
        rows = reads.members(team=self.team, columns=render.MEMBER_COLUMNS)
        return Response({"teamMembers": render.team_members(rows)})


class DailyUsageView(_CursorAdminView):
    """POST /teams/daily-usage-data: per member and UTC day, Cursor's usage counts."""

    rate_limit_group = "cursor.daily_usage"

    def parse_params(self, request):
        return parse_daily_usage_body(request.data)

    @extend_schema(**schema.DAILY_USAGE)
    def post(self, request):
        p = self.params
        # A row is in the answer when its `date` (its day's 00:00 UTC) is in [startDate,
        # endDate): Cursor's documented example asks 2024-03-18T00:00Z to 2024-03-20T00:00Z and
        # gets two days. Aligned consecutive windows (Faros') then never return a day twice.
        first, last = -(-p.start_ms // DAY_MS), (p.end_ms - 1) // DAY_MS
        rows = activity.cursor_daily_usage(team=self.team, start=_day(first), end=_day(last))
        period = {"startDate": p.start_ms, "endDate": p.end_ms}
        return Response({"data": render.daily_usage(rows), "period": period})


class UsageEventsView(_CursorAdminView):
    """POST /teams/filtered-usage-events: the team's usage events, newest first, paged."""

    rate_limit_group = "cursor.usage_events"

    def parse_params(self, request):
        now_ms = int(timezone.now().timestamp() * 1000)
        return parse_usage_events_body(request.data, now_ms=now_ms)

    @extend_schema(**schema.USAGE_EVENTS)
    def post(self, request):
        p = self.params
        rows, total = activity.usage_event_page(
            team=self.team,
            start=_instant(p.start_ms),
            end=_instant(p.end_ms),
            who=p.who,
            offset=(p.page - 1) * p.page_size,
            limit=p.page_size,
        )
        pages = -(-total // p.page_size)
        return Response(
            {
                "totalUsageEventsCount": total,
                "pagination": {
                    "numPages": pages,
                    "currentPage": p.page,
                    "pageSize": p.page_size,
                    "hasNextPage": p.page < pages,
                    "hasPreviousPage": p.page > 1,
                },
                "usageEvents": render.usage_events(rows),
                "period": {"startDate": p.start_ms, "endDate": p.end_ms},
            }
        )


def _instant(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _day(index: int) -> date:
    """The UTC day `index` days after 1970-01-01 (clamped to the dates Python has)."""
    return _EPOCH_DAY + timedelta(days=min(max(index, 0), _LAST_DAY))


_EPOCH_DAY = date(1970, 1, 1)
_LAST_DAY = (date.max - _EPOCH_DAY).days


__all__ = [
    "CommitListView", "ChangeListView", "CommitCsvView", "ChangeCsvView", "CommitDetailView",
    "TeamMembersView", "DailyUsageView", "UsageEventsView",
]  # fmt: skip
