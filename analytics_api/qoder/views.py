"""The Qoder dialect's endpoints: validate (params.py), read (tracking.figures for the metrics,
tracking.reads for tracking), render (serialization.py).

Every view authenticates with a Bearer key (Basic works too), answers errors in the Qoder
envelope, and gets from the shared base the check of the path's organization_id against the
key's team (before any other work), the rate limit per team and endpoint, and ETags.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response

from analytics_api.base import TeamScopedAPIView
from analytics_api.csv_export import (
    csv_response,
    for_client,
    formula_option,
    neutralize_formulas,
)
from analytics_api.errors import QODER
from analytics_api.query import stored_hash
from teams.auth import BearerApiKeyAuthentication, SessionTeamAuthentication
from tracking import figures, reads

from . import params as p
from . import schema
from . import serialization as render


class QoderView(TeamScopedAPIView):
    authentication_classes = [BearerApiKeyAuthentication]
    error_dialect = QODER
    date_params = p.METRIC_DATES  # missing: unbounded, or a 400 where required

    def parse_params(self, request):
        return self.read_params(request, now=timezone.now())

    def read_params(self, request, *, now):
        raise NotImplementedError


# --- metrics -----------------------------------------------------------------------------------


class OverviewView(QoderView):
    rate_limit_group = "qoder.stats.overview"

    def read_params(self, request, *, now):
        return p.metric_filters(request.query_params, now=now, dates_required=True)

    @extend_schema(**schema.OVERVIEW)
    def get(self, request, organization_id: str):
        return Response(
            render.overview(figures.overview_stats(team=self.team, filters=self.params))
        )


class DailyTrendView(QoderView):
    rate_limit_group = "qoder.stats.daily-trend"

    def read_params(self, request, *, now):
        return p.metric_filters(request.query_params, now=now, dates_required=True)

    @extend_schema(**schema.DAILY_TREND)
    def get(self, request, organization_id: str):
        team, filters = self.team, self.params
        return Response(
            render.daily_trend(
                render.days_between(filters.start, filters.end),
                figures.daily_commit_stats(team=team, filters=filters),
                figures.daily_extension_stats(team=team, filters=filters),
                figures.daily_next_stats(team=team, filters=filters),
            )
        )


class MemberRankingView(QoderView):
    rate_limit_group = "qoder.stats.member-ranking"

    def read_params(self, request, *, now):
        return p.ranking_params(request.query_params, now=now)

    @extend_schema(**schema.MEMBER_RANKING)
    def get(self, request, organization_id: str):
        params = self.params
        rows = figures.member_ranking(team=self.team, filters=params.filters, limit=params.limit)
        return Response({"items": [render.ranking_item(row) for row in rows]})


class ReposView(QoderView):
    rate_limit_group = "qoder.repos"

    def read_params(self, request, *, now):
        return p.repo_params(request.query_params, now=now)

    @extend_schema(**schema.REPOS)
    def get(self, request, organization_id: str):
        params = self.params
        total, rows = figures.repo_list(
            team=self.team,
            filters=params.filters,
            query=params.query,
            offset=(params.page - 1) * params.per_page,
            limit=params.per_page,
        )
        return Response(
            {
                "repos": [render.repo_item(row) for row in rows],
                "totalCount": total,
                "page": params.page,
                "perPage": params.per_page,
            }
        )


class FileExtensionsView(QoderView):
    rate_limit_group = "qoder.file-extensions"

    def read_params(self, request, *, now):
        return p.metric_filters(request.query_params, now=now, dates_required=False)

    @extend_schema(**schema.FILE_EXTENSIONS)
    def get(self, request, organization_id: str):
        rows = figures.extension_table(team=self.team, filters=self.params)
        return Response({"fileExtensions": [render.extension_item(row) for row in rows]})


# --- tracking ----------------------------------------------------------------------------------


class CommitDetailView(QoderView):
    rate_limit_group = "qoder.commits.detail"

    def read_params(self, request, *, now):
        return p.detail_params(request.data)

    @extend_schema(**schema.COMMIT_DETAIL)
    def post(self, request, organization_id: str):
        # Looked up in the stored form (hex lower case), answered as sent.
        stored = [stored_hash(h) for h in self.params.hashes]
        rows = reads.commits_by_hash(
            team=self.team, hashes=stored, branch=self.params.branch, columns=render.DETAIL_COLUMNS
        )
        found = render.range_annotations(rows)
        commits = [
            {"commitHash": h, "rangeAnnotations": found.get(key, [])}
            for h, key in zip(self.params.hashes, stored, strict=True)
        ]
        return Response({"success": True, "data": {"commits": commits}})


# The four tracking views share parameters, paging and export; each names only its rows (the
# _Commits/_Changes mixins), how a row renders, and its schema. (Comments, not docstrings:
# drf-spectacular would publish a docstring as the operation's description.)
class _TrackingView(QoderView):
    date_params = p.TRACKING_DATES
    missing_date_is_now = True
    with_source = False  # changes filter by source; commits by repoName
    time_field = "created_at"  # the rows' ordering column

    def read_params(self, request, *, now):
        return p.tracking_params(request.query_params, now=now, with_source=self.with_source)

    # The _Commits/_Changes mixins name the filtered records (selection(), unordered) and
    # their value rows for the list and for the CSV (list_columns, export_columns).
    def selection(self):
        raise NotImplementedError

    def rows(self):
        """The ordered value rows of the list."""
        ordered = reads.newest_first(self.selection(), time_field=self.time_field)
        return self.list_columns(ordered)

    def total(self) -> int | None:
        return None


class _TrackingListView(_TrackingView):
    render_item = staticmethod(lambda row: row)  # a row -> the JSON item

    def get(self, request, organization_id: str):
        params = self.params
        offset = (params.page - 1) * params.page_size
        # `total` when known from the summary tables (team-wide lists), else counted.
        rows, total = reads.page_of(
            self.rows(), offset=offset, limit=params.page_size, total=self.total()
        )
        items = [self.render_item(row) for row in rows]
        return Response(render.tracking_page(items, params.page, params.page_size, total))


class _TrackingExportView(_TrackingView):
    # The dashboard's downloads: a signed-in person of the path's team, with no key.
    authentication_classes = [BearerApiKeyAuthentication, SessionTeamAuthentication]
    header: list[str] = []
    render_csv_row = staticmethod(lambda row: row)  # a row -> the CSV row
    filename = ""

    def read_params(self, request, *, now):
        self.neutralize = formula_option(request.query_params)
        return super().read_params(request, now=now)

    def etag_parts(self) -> tuple:
        return (*super().etag_parts(), self.neutralize)

    def get(self, request, organization_id: str):
        columns = self.export_columns
        rows = reads.keyset_rows(self.selection(), columns, time_field=self.time_field)
        rows = map(self.render_csv_row, rows)
        if self.neutralize:
            rows = neutralize_formulas(rows)
        response = csv_response(header=self.header, rows=rows, filename=self.filename)
        return for_client(request, response)


class _Commits:
    time_field = "occurred_at"  # commit time, createdAt as fallback
    list_columns = export_columns = staticmethod(render.commit_rows)

    def selection(self):
        filters = self.params.filters
        return reads.commits(team=self.team, filters=filters, time_field=self.time_field)

    def total(self) -> int | None:
        # Team-wide: counted from the daily summary (2M commits: a COUNT is ~0.4 s).
        f = self.params.filters
        if f.who is not None:
            return None  # one member's commits: counted through the member index
        return figures.commit_count(team=self.team, start=f.start, end=f.end, repo_name=f.repo_name)


class _Changes:
    with_source = True
    list_columns = staticmethod(render.change_rows)
    export_columns = staticmethod(render.change_csv_rows)  # no metadata column in the CSV

    def selection(self):
        return reads.accepted_changes(team=self.team, filters=self.params.filters)

    def total(self) -> int | None:
        f = self.params.filters
        if f.who is not None:
            return None
        return figures.accepted_change_count(
            team=self.team, start=f.start, end=f.end, source=f.source
        )


@extend_schema_view(get=extend_schema(**schema.COMMITS))
class CommitListView(_Commits, _TrackingListView):
    rate_limit_group = "qoder.commits"
    render_item = staticmethod(render.commit_item)


@extend_schema_view(get=extend_schema(**schema.COMMITS_EXPORT))
class CommitExportView(_Commits, _TrackingExportView):
    rate_limit_group = "qoder.commits.export"
    header = render.COMMIT_CSV_HEADER
    render_csv_row = staticmethod(render.commit_csv_row)
    filename = "ai-code-commits.csv"


@extend_schema_view(get=extend_schema(**schema.CHANGES))
class ChangeListView(_Changes, _TrackingListView):
    rate_limit_group = "qoder.changes"
    render_item = staticmethod(render.change_item)


@extend_schema_view(get=extend_schema(**schema.CHANGES_EXPORT))
class ChangeExportView(_Changes, _TrackingExportView):
    rate_limit_group = "qoder.changes.export"
    header = render.CHANGE_CSV_HEADER
    render_csv_row = staticmethod(render.change_csv_row)
    filename = "ai-code-changes.csv"
