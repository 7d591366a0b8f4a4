"""OpenAPI descriptions of the Qoder endpoints (documentation only: responses are built from
plain values in views.py, not through these serializers)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from analytics_api.dates import FORMS
from analytics_api.openapi import (
    BOOLEAN,
    DATE,
    HASH_PATTERN,
    NEUTRALIZE_FORMULAS_DOC,
    NO_CONTROL,
    POSITIVE,
    REQUIRED_DATE,
    TEXT,
    UUID,
    UUID_OR_BLANK,
    ranged,
)
from tracking.formats import QODER_PAIR_KEYS as PAIR_KEYS
from tracking.models import Source

from .serialization import CHANGE_CSV_HEADER, COMMIT_CSV_HEADER

METRICS_TAG = "Qoder AI Code Metrics"
TRACKING_TAG = "Qoder AI Code Tracking"


class _ErrorDetail(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=[
            "BadRequest",
            "Unauthorized",
            "Forbidden",
            "NotFound",
            "RateLimited",
            "InternalError",
        ]
    )
    message = serializers.CharField(help_text="What was wrong, naming the parameter.")


class QoderErrorSerializer(serializers.Serializer):
    success = serializers.BooleanField(default=False)
    error = _ErrorDetail()


def _object(name: str, fields: dict) -> type[serializers.Serializer]:
    return type(name, (serializers.Serializer,), fields)


def _ints(*names: str) -> dict:
    return {name: serializers.IntegerField() for name in names}


RATE = {"help_text": "Percentage rounded to 2 decimals; 0 when the denominator is 0."}
DAY = {"help_text": "UTC day, 2025-06-01T00:00:00Z"}

Overview = _object(
    "QoderOverview",
    {
        **_ints("committedTotalLinesEdit", "committedAiLinesEdit", "acceptedLinesEdit"),
        "aiShareRate": serializers.FloatField(**RATE),
        **_ints("agentEditCount", "tabCompletionCount", "messageCount"),
    },
)
DailyItem = _object(
    "QoderDailyItem",
    {
        "date": serializers.CharField(**DAY),
        **_ints("aiLinesAdded", "otherLinesAdded"),
        "aiShareRate": serializers.FloatField(**RATE),
        **_ints("commitCount"),
    },
)
DailyExtItem = _object(
    "QoderDailyExtItem",
    {
        "date": serializers.CharField(**DAY),
        "fileExtension": serializers.CharField(help_text=".go"),
        **_ints("totalLinesAdded", "aiLinesAdded"),
    },
)
DailyNextItem = _object(
    "QoderDailyNextItem",
    {
        "date": serializers.CharField(**DAY),
        **_ints("nextSuggestedCount", "nextAcceptedCount"),
        "nextAcceptRate": serializers.FloatField(**RATE),
    },
)
DailyTrend = _object(
    "QoderDailyTrend",
    {
        "items": DailyItem(many=True),
        "extItems": DailyExtItem(many=True),
        "nextItems": DailyNextItem(many=True),
    },
)
RankingItem = _object(
    "QoderRankingItem",
    {
        "userId": serializers.UUIDField(),
        "email": serializers.CharField(),
        "displayName": serializers.CharField(),
        **_ints("totalLinesAdded", "aiLinesAdded"),
        "aiShareRate": serializers.FloatField(**RATE),
        **_ints("commitCount"),
    },
)
Ranking = _object("QoderMemberRanking", {"items": RankingItem(many=True)})
Repo = _object(
    "QoderRepo",
    {"repoName": serializers.CharField(), **_ints("commitCount", "totalLinesAdded")},
)
Repos = _object("QoderRepos", {"repos": Repo(many=True), **_ints("totalCount", "page", "perPage")})
Extension = _object(
    "QoderFileExtension",
    {
        "extension": serializers.CharField(help_text=".go"),
        **_ints("changeCount", "totalLinesAdded"),
        "aiShareRate": serializers.FloatField(**RATE),
    },
)
Extensions = _object("QoderFileExtensions", {"fileExtensions": Extension(many=True)})

DetailRequest = _object(
    "QoderCommitDetailRequest",
    {
        "commitHashes": serializers.ListField(
            child=serializers.RegexField(HASH_PATTERN, max_length=64), min_length=1, max_length=50
        ),
        "branch": serializers.RegexField(NO_CONTROL, required=False, allow_null=True),
    },
)
DetailCommit = _object(
    "QoderCommitDetail",
    {
        "commitHash": serializers.CharField(),
        "rangeAnnotations": serializers.ListField(
            child=serializers.DictField(), help_text="[] for an unknown hash."
        ),
    },
)
Detail = _object(
    "QoderCommitDetails",
    {
        "success": serializers.BooleanField(default=True),
        "data": _object("QoderCommitDetailData", {"commits": DetailCommit(many=True)})(),
    },
)

_nullable = {"allow_null": True}
CommitItem = _object(
    "QoderCommit",
    {
        "commitHash": serializers.CharField(),
        "userId": serializers.UUIDField(),
        "userEmail": serializers.CharField(),
        "repoName": serializers.CharField(**_nullable),
        "branchName": serializers.CharField(**_nullable),
        "isPrimaryBranch": serializers.BooleanField(**_nullable),
        **_ints("totalLinesAdded", "totalLinesDeleted", *PAIR_KEYS),
        "message": serializers.CharField(**_nullable),
        "commitTs": serializers.CharField(help_text="2025-06-15T10:30:00Z", **_nullable),
        "createdAt": serializers.CharField(help_text="2025-06-15T10:35:00Z"),
    },
)
ChangeItem = _object(
    "QoderChange",
    {
        "changeId": serializers.CharField(),
        "userId": serializers.UUIDField(),
        "userEmail": serializers.CharField(),
        "source": serializers.ChoiceField(choices=Source.values),
        "model": serializers.CharField(**_nullable),
        **_ints("totalLinesAdded", "totalLinesDeleted"),
        "metadata": serializers.ListField(
            child=serializers.DictField(),
            help_text="[{fileName?, fileExtension (.go), linesAdded, linesDeleted}]",
        ),
        "createdAt": serializers.CharField(help_text="2025-06-15T10:28:00Z"),
    },
)
Pagination = _object(
    "QoderPagination", _ints("currentPage", "pageSize", "totalItems", "totalPages")
)


def _tracking_page(name: str, item) -> type[serializers.Serializer]:
    data = _object(f"{name}Data", {"items": item(many=True), "pagination": Pagination()})
    return _object(name, {"success": serializers.BooleanField(default=True), "data": data()})


ORG = OpenApiParameter(
    "organization_id",
    UUID,
    OpenApiParameter.PATH,
    description="The team's UUID (another team's: 403; not a UUID: 400).",
)


def _date(name: str, *, required: bool, what: str) -> OpenApiParameter:
    schema = REQUIRED_DATE if required else DATE
    return OpenApiParameter(name, schema, required=required, description=f"{what}: {FORMS}.")


METRIC_FILTERS = [
    OpenApiParameter("user_id", UUID_OR_BLANK, description="Member UUID; all figures."),
    OpenApiParameter("repo_name", TEXT, description="Exact repository name; commit figures."),
    OpenApiParameter(
        "primary_branch_only", BOOLEAN, description="true (or 1): primary-branch commits."
    ),
    OpenApiParameter(
        "file_extensions",
        TEXT,
        description="Comma-separated, e.g. .go,.ts (case and leading dot optional); commit file "
        "rows and change metadata rows.",
    ),
]


def _metric_dates(required: bool) -> list:
    note = " Both required; at most 90 days." if required else " Optional (none: all time)."
    return [
        _date("start_date", required=required, what="Inclusive start" + note),
        _date("end_date", required=required, what="Inclusive end; a bare date is the whole day"),
    ]


TRACKING_FILTERS = [
    _date("startDate", required=False, what="Inclusive start (default endDate - 90 days)"),
    _date("endDate", required=False, what="Inclusive end (default now)"),
    OpenApiParameter("userId", UUID_OR_BLANK, description="Member UUID; wins over userEmail."),
    OpenApiParameter("userEmail", TEXT, description="Member email, case-insensitive."),
    OpenApiParameter("page", POSITIVE, description="From 1. Default 1."),
    OpenApiParameter("pageSize", POSITIVE, description="Default 100; above 200 clamped to 200."),
]
NEUTRALIZE = OpenApiParameter("neutralizeFormulas", BOOLEAN, description=NEUTRALIZE_FORMULAS_DOC)
REPO_NAME = OpenApiParameter("repoName", TEXT, description="Exact repository name.")
SOURCE = OpenApiParameter(
    "source", {"type": "string", "enum": ["", *Source.values]}, description="Change source."
)


def _errors(*, with_body: bool) -> dict:
    """Error responses; GETs have ETags (304), a POST with a JSON body has body errors instead."""
    described = {
        400: "A parameter is invalid (the message names it).",
        401: "Missing or invalid API key.",
        403: "Another team's organization, or a key that may not read.",
        429: "Rate limit exceeded (per team and endpoint); see Retry-After.",
    }
    if with_body:
        described[413] = "The body is larger than the server accepts (code BadRequest)."
        described[415] = "The body is not application/json (code BadRequest)."
    errors = {s: OpenApiResponse(QoderErrorSerializer, description=d) for s, d in described.items()}
    if with_body:
        return errors
    return {304: OpenApiResponse(description="Not modified (If-None-Match matched)."), **errors}


def _spec(
    operation_id: str, tag: str, response, parameters: list, media_type=None, **extra
) -> dict:
    errors = _errors(with_body="request" in extra)
    ok = (200, media_type) if media_type else 200
    return {
        "operation_id": operation_id,
        "tags": [tag],
        "parameters": [ORG, *parameters],
        "responses": {ok: response, **errors},
        **extra,
    }


def _csv(header: list[str], filename: str) -> OpenApiResponse:
    return OpenApiResponse(
        OpenApiTypes.STR,
        description=f"Streamed text/csv attachment {filename}; header: {','.join(header)}",
    )


OVERVIEW = _spec(
    "qoder_stats_overview", METRICS_TAG, Overview, [*_metric_dates(True), *METRIC_FILTERS]
)
DAILY_TREND = _spec(
    "qoder_stats_daily_trend", METRICS_TAG, DailyTrend, [*_metric_dates(True), *METRIC_FILTERS]
)
MEMBER_RANKING = _spec(
    "qoder_stats_member_ranking",
    METRICS_TAG,
    Ranking,
    [
        *_metric_dates(True),
        *METRIC_FILTERS,
        OpenApiParameter("limit", ranged(100), description="1 to 100 (else 400). Default 10."),
    ],
)
REPOS = _spec(
    "qoder_repos",
    METRICS_TAG,
    Repos,
    [
        *_metric_dates(False),
        *METRIC_FILTERS,
        OpenApiParameter("query", TEXT, description="Case-insensitive substring of the name."),
        OpenApiParameter("page", POSITIVE, description="From 1. Default 1."),
        OpenApiParameter("per_page", POSITIVE, description="Default 30; above 100 clamped to 100."),
    ],
)
FILE_EXTENSIONS = _spec(
    "qoder_file_extensions", METRICS_TAG, Extensions, [*_metric_dates(False), *METRIC_FILTERS]
)
COMMIT_DETAIL = _spec("qoder_commits_detail", TRACKING_TAG, Detail, [], request=DetailRequest)
COMMITS = _spec(
    "qoder_commits_list",
    TRACKING_TAG,
    _tracking_page("QoderCommitPage", CommitItem),
    [*TRACKING_FILTERS, REPO_NAME],
)
COMMITS_EXPORT = _spec(
    "qoder_commits_export",
    TRACKING_TAG,
    _csv(COMMIT_CSV_HEADER, "ai-code-commits.csv"),
    [*TRACKING_FILTERS[:4], REPO_NAME, NEUTRALIZE],
    media_type="text/csv",
)
CHANGES = _spec(
    "qoder_changes_list",
    TRACKING_TAG,
    _tracking_page("QoderChangePage", ChangeItem),
    [*TRACKING_FILTERS, SOURCE],
)
CHANGES_EXPORT = _spec(
    "qoder_changes_export",
    TRACKING_TAG,
    _csv(CHANGE_CSV_HEADER, "ai-code-changes.csv"),
    [*TRACKING_FILTERS[:4], SOURCE, NEUTRALIZE],
    media_type="text/csv",
)


class SessionTeamScheme(OpenApiAuthenticationExtension):
    """teams.auth.SessionTeamAuthentication: the CSV exports also open to the dashboard's
    signed-in people (Django's session cookie) for their own teams."""

    target_class = "teams.auth.SessionTeamAuthentication"
    name = "dashboardSession"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "The dashboard's session, for a member of the path's organization.",
        }
