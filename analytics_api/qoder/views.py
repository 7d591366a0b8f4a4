"""The Qoder dialect's endpoints: validate (params.py), read (tracking.figures for the metrics,
selectors.py for tracking), render.

Every view authenticates with a Bearer key (Basic works too), answers errors in the Qoder
envelope, checks the path's organization_id against the key's team before any other work, and
is rate-limited per team and endpoint with ETags by the shared base.
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
from teams.auth import BearerApiKeyAuthentication, SessionTeamAuthentication
from tracking import figures

from . import params as p
from . import schema, selectors
from . import serialization as render

# Optimization for ETags of windows that move with the clock (relative dates, tracking
# defaults): such a response stays valid for at most this long even if no data was written.
MOVING_WINDOW_ETAG_SECONDS = 60


class QoderView(TeamScopedAPIView):
    authentication_classes = [BearerApiKeyAuthentication]
    error_dialect = QODER
    # The date parameters, and whether leaving one out means "now" (tracking) rather than
    # "unbounded" (metrics).
    date_params = ("start_date", "end_date")
    missing_date_is_now = False

    def parse_params(self, request):
        p.check_organization(self.kwargs["organization_id"], team=self.team)
        return self.read_params(request, now=timezone.now())

    def read_params(self, request, *, now):
        raise NotImplementedError

    def etag_parts(self) -> tuple:
        """The parsed parameters; for a window that moves with the clock, the raw ones plus a
        time bucket (the resolved instants differ on every request)."""
        now = timezone.now()
        raw = [self.request.query_params.get(name, "").strip() for name in self.date_params]
        moving = any(p.is_moving(value, missing_is_now=self.missing_date_is_now) for value in raw)
        if not moving:
            return (repr(self.params),)
        query = sorted(self.request.query_params.lists())
        return (repr(query), int(now.timestamp()) // MOVING_WINDOW_ETAG_SECONDS)


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
        stored = [p.lookup_hash(h) for h in self.params.hashes]
        found = selectors.commit_annotations(
            team=self.team, hashes=stored, branch=self.params.branch
        )
        commits = [
            {"commitHash": h, "rangeAnnotations": found.get(key, [])}
            for h, key in zip(self.params.hashes, stored, strict=True)
        ]
        return Response({"success": True, "data": {"commits": commits}})


def _page(rows, *, page: int, page_size: int, render_row, total: int | None = None) -> dict:
    """One page of a tracking list in the seed's envelope (a count and a slice). `total` when
    known from the summary tables (team-wide lists), else counted."""
    total = rows.count() if total is None else total
    offset = (page - 1) * page_size
    # Past the end: no query (a huge offset overflows SQL integers).
    page_rows = rows[offset : offset + page_size] if offset < total else []
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
    date_params = ("startDate", "endDate")
    missing_date_is_now = True
    with_source = False  # changes filter by source; commits by repoName

    def read_params(self, request, *, now):
        return p.tracking_params(request.query_params, now=now, with_source=self.with_source)

    def rows(self, *, for_export: bool):
        raise NotImplementedError

    def total(self) -> int | None:
        return None


class _TrackingListView(_TrackingView):
    render_item = staticmethod(lambda row: row)  # a row -> the JSON item

    def get(self, request, organization_id: str):
        params = self.params
        return Response(
            _page(
                self.rows(for_export=False),
                page=params.page,
                page_size=params.page_size,
                render_row=self.render_item,
                total=self.total(),
            )
        )


class _TrackingExportView(_TrackingView):
    # The dashboard's downloads: a signed-in person of the path's team, with no key.
    authentication_classes = [BearerApiKeyAuthentication, SessionTeamAuthentication]
    time_field = ""  # the rows' ordering column, for keyset batches
    header: list[str] = []
    render_csv_row = staticmethod(lambda row: row)  # a row -> the CSV row
    filename = ""

    def read_params(self, request, *, now):
        self.neutralize = formula_option(request.query_params)
        return super().read_params(request, now=now)

    def etag_parts(self) -> tuple:
        return (*super().etag_parts(), self.neutralize)

    def get(self, request, organization_id: str):
        rows = selectors.keyset_rows(self.rows(for_export=True), time_field=self.time_field)
        rows = map(self.render_csv_row, rows)
        if self.neutralize:
            rows = neutralize_formulas(rows)
        response = csv_response(header=self.header, rows=rows, filename=self.filename)
        return for_client(request, response)


def _team_wide(filters) -> bool:
    return filters.user_id is None and not filters.user_email


class _Commits:
    def rows(self, *, for_export: bool):
        return selectors.tracking_commits(team=self.team, filters=self.params.filters)

    def total(self) -> int | None:
        # Team-wide: counted from the daily summary (2M commits: a COUNT is ~0.4 s).
        f = self.params.filters
        if not _team_wide(f):
            return None  # one member's commits: counted through the member index
        return figures.commit_count(team=self.team, start=f.start, end=f.end, repo_name=f.repo_name)


class _Changes:
    with_source = True

    def rows(self, *, for_export: bool):
        # The CSV has no metadata column: the export skips reading the JSON.
        return selectors.tracking_changes(
            team=self.team, filters=self.params.filters, with_metadata=not for_export
        )

    def total(self) -> int | None:
        f = self.params.filters
        if not _team_wide(f):
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
    time_field = "occurred_at"
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
    time_field = "created_at"
    header = render.CHANGE_CSV_HEADER
    render_csv_row = staticmethod(render.change_csv_row)
    filename = "ai-code-changes.csv"
