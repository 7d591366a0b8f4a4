"""The Qoder dialect's endpoints: validate (params.py), read (tracking.figures for the metrics,
tracking.reads for tracking), render (serialization.py).

Every view authenticates with a Bearer key (Basic works too), answers errors in the Qoder
envelope, and gets from the shared base the check of the path's organization_id against the
key's team (before any other work), the rate limit per team and endpoint, and ETags.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from math import ceil

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
        stats = figures.overview_stats(team=self.team, filters=self.params)
        return Response(
            {
                "committedTotalLinesEdit": stats["committed_total"],
                "committedAiLinesEdit": stats["committed_ai"],
                "acceptedLinesEdit": stats["accepted_lines"],
                "aiShareRate": render.rate(stats["committed_ai"], stats["committed_total"]),
                "agentEditCount": stats["agent_edits"],
                "tabCompletionCount": stats["tab_completions"],
                "messageCount": stats["messages"],
            }
        )


class DailyTrendView(QoderView):
    rate_limit_group = "qoder.stats.daily-trend"

    def read_params(self, request, *, now):
        return p.metric_filters(request.query_params, now=now, dates_required=True)

    @extend_schema(**schema.DAILY_TREND)
    def get(self, request, organization_id: str):
        filters = self.params
        days = _days(filters.start, filters.end)
        commits = figures.daily_commit_stats(team=self.team, filters=filters)
        extensions = figures.daily_extension_stats(team=self.team, filters=filters)
        nexts = figures.daily_next_stats(team=self.team, filters=filters)
        return Response(
            {
                "items": [_commit_day(day, commits.get(day)) for day in days],
                "extItems": _extension_days(days, extensions),
                "nextItems": [_next_day(day, nexts.get(day)) for day in days],
            }
        )


def _days(start, end) -> list:
    """Every UTC calendar day from start's to end's, so charts have no holes."""
    first, last = start.astimezone(UTC).date(), end.astimezone(UTC).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _commit_day(day, row) -> dict:
    ai, other, commits = (row["ai"], row["other"], row["commits"]) if row else (0, 0, 0)
    return {
        "date": render.qoder_day(day),
        "aiLinesAdded": ai,
        "otherLinesAdded": other,
        "aiShareRate": render.rate(ai, ai + other),
        "commitCount": commits,
    }


def _extension_days(days, extensions: dict) -> list[dict]:
    """Every day x every extension seen in the range, zeros where that day had none."""
    seen = sorted({extension for _day, extension in extensions})
    items = []
    for day in days:
        for extension in seen:
            row = extensions.get((day, extension)) or {"total": 0, "ai": 0}
            items.append(
                {
                    "date": render.qoder_day(day),
                    "fileExtension": extension,
                    "totalLinesAdded": row["total"],
                    "aiLinesAdded": row["ai"],
                }
            )
    return items


def _next_day(day, row) -> dict:
    suggested, accepted = (row["suggested"], row["accepted"]) if row else (0, 0)
    return {
        "date": render.qoder_day(day),
        "nextSuggestedCount": suggested,
        "nextAcceptedCount": accepted,
        "nextAcceptRate": render.rate(accepted, suggested),
    }


class MemberRankingView(QoderView):
    rate_limit_group = "qoder.stats.member-ranking"

    def read_params(self, request, *, now):
        return p.ranking_params(request.query_params, now=now)

    @extend_schema(**schema.MEMBER_RANKING)
    def get(self, request, organization_id: str):
        rows = figures.member_ranking(
            team=self.team, filters=self.params.filters, limit=self.params.limit
        )
        items = [
            {
                "userId": str(row["user_id"]),
                "email": row["email"],
                "displayName": row["display_name"],
                "totalLinesAdded": row["total"],
                "aiLinesAdded": row["ai"],
                "aiShareRate": render.rate(row["ai"], row["total"]),
                "commitCount": row["commits"],
            }
            for row in rows
        ]
        return Response({"items": items})


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
        repos = [
            {"repoName": r["repo_name"], "commitCount": r["commits"], "totalLinesAdded": r["total"]}
            for r in rows
        ]
        return Response(
            {"repos": repos, "totalCount": total, "page": params.page, "perPage": params.per_page}
        )


class FileExtensionsView(QoderView):
    rate_limit_group = "qoder.file-extensions"

    def read_params(self, request, *, now):
        return p.metric_filters(request.query_params, now=now, dates_required=False)

    @extend_schema(**schema.FILE_EXTENSIONS)
    def get(self, request, organization_id: str):
        lines = figures.extension_commit_stats(team=self.team, filters=self.params)
        changes = figures.extension_change_counts(team=self.team, filters=self.params)
        items = []
        for extension in set(lines) | set(changes):
            row = lines.get(extension) or {"total": 0, "ai": 0}
            items.append(
                {
                    "extension": extension,
                    "changeCount": changes.get(extension, 0),
                    "totalLinesAdded": row["total"],
                    "aiShareRate": render.rate(row["ai"], row["total"]),
                }
            )
        items.sort(key=lambda item: (-item["totalLinesAdded"], item["extension"]))
        return Response({"fileExtensions": items})


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


def _page(rows, *, page: int, page_size: int, render_row, total: int | None = None) -> dict:
    """One page of a tracking list in the seed's envelope (a count and a slice). `total` when
    known from the summary tables (team-wide lists), else counted."""
    offset = (page - 1) * page_size
    page_rows, total = reads.page_of(rows, offset=offset, limit=page_size, total=total)
    items = [render_row(row) for row in page_rows]
    pagination = {
        "currentPage": page,
        "pageSize": page_size,
        "totalItems": total,
        "totalPages": ceil(total / page_size),
    }
    return {"success": True, "data": {"items": items, "pagination": pagination}}


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

    def selection(self):
        """The filtered records, unordered."""
        raise NotImplementedError

    def rows(self):
        """The ordered value rows of the list."""
        raise NotImplementedError

    def total(self) -> int | None:
        return None


class _TrackingListView(_TrackingView):
    render_item = staticmethod(lambda row: row)  # a row -> the JSON item

    def get(self, request, organization_id: str):
        params = self.params
        return Response(
            _page(
                self.rows(),
                page=params.page,
                page_size=params.page_size,
                render_row=self.render_item,
                total=self.total(),
            )
        )


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
    export_columns = staticmethod(render.commit_rows)

    def selection(self):
        filters = self.params.filters
        return reads.commits(team=self.team, filters=filters, time_field=self.time_field)

    def rows(self):
        ordered = reads.newest_first(self.selection(), time_field=self.time_field)
        return render.commit_rows(ordered)

    def total(self) -> int | None:
        # Team-wide: counted from the daily summary (2M commits: a COUNT is ~0.4 s).
        f = self.params.filters
        if f.who is not None:
            return None  # one member's commits: counted through the member index
        return figures.commit_count(team=self.team, start=f.start, end=f.end, repo_name=f.repo_name)


class _Changes:
    with_source = True
    export_columns = staticmethod(render.change_csv_rows)  # no metadata column in the CSV

    def selection(self):
        return reads.accepted_changes(team=self.team, filters=self.params.filters)

    def rows(self):
        return render.change_rows(reads.newest_first(self.selection()))

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
