"""OpenAPI descriptions of the Cursor endpoints (documentation only: responses are built from
plain values in selectors.py, not through these serializers)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from analytics_api.dates import FORMS
from analytics_api.openapi import (
    BOOLEAN,
    CURSOR_USER,
    DATE,
    NEUTRALIZE_FORMULAS_DOC,
    POSITIVE,
)

TAG = "Cursor AI Code Tracking"


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """teams.auth.ApiKeyAuthentication: the key as Basic user name (curl -u KEY:) or Bearer."""

    target_class = "teams.auth.ApiKeyAuthentication"
    # Only Basic is defined here: "apiKeyBearer" is the component of BearerApiKeyScheme (the
    # Qoder views use it, so it is always in the schema). Defining it twice, from two classes,
    # makes drf-spectacular warn that the schema may be wrong.
    name = "apiKeyBasic"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "basic",
            "description": "API key as user, empty password.",
        }

    def get_security_requirement(self, auto_schema):
        return [{"apiKeyBasic": []}, {"apiKeyBearer": []}]


class BearerApiKeyScheme(OpenApiAuthenticationExtension):
    """teams.auth.BearerApiKeyAuthentication (the Qoder dialect): the same keys as Bearer."""

    target_class = "teams.auth.BearerApiKeyAuthentication"
    name = "apiKeyBearer"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer KEY"}


class CursorErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="The HTTP reason phrase, e.g. Bad Request.")
    message = serializers.CharField(help_text="What was wrong, naming the parameter.")


class AiCommitMetricSerializer(serializers.Serializer):
    commitHash = serializers.CharField()
    userId = serializers.CharField(help_text="Encoded user id, user_...")
    userEmail = serializers.CharField()
    repoName = serializers.CharField(allow_null=True)
    branchName = serializers.CharField(allow_null=True)
    isPrimaryBranch = serializers.BooleanField(allow_null=True)
    totalLinesAdded = serializers.IntegerField()
    totalLinesDeleted = serializers.IntegerField()
    tabLinesAdded = serializers.IntegerField()
    tabLinesDeleted = serializers.IntegerField()
    composerLinesAdded = serializers.IntegerField()
    composerLinesDeleted = serializers.IntegerField()
    nonAiLinesAdded = serializers.IntegerField(help_text="max(0, total - tab - composer)")
    nonAiLinesDeleted = serializers.IntegerField(help_text="max(0, total - tab - composer)")
    message = serializers.CharField(allow_null=True)
    commitTs = serializers.DateTimeField(allow_null=True, help_text="2025-07-30T14:12:03.000Z")
    createdAt = serializers.DateTimeField(help_text="Ingestion time, 2025-07-30T14:12:30.000Z")
    commitSource = serializers.ChoiceField(
        choices=["ide", "cli", "cloud"],
        allow_null=True,
        help_text="Where the commit was made (Cursor's current docs; not in commits.csv).",
    )


class ChangeMetadataSerializer(serializers.Serializer):
    fileName = serializers.CharField(required=False, help_text="Absent in privacy mode.")
    fileExtension = serializers.CharField(help_text="Without the leading dot: ts")
    linesAdded = serializers.IntegerField()
    linesDeleted = serializers.IntegerField()


class AiCodeChangeMetricSerializer(serializers.Serializer):
    changeId = serializers.CharField()
    userId = serializers.CharField()
    userEmail = serializers.CharField()
    source = serializers.ChoiceField(choices=["TAB", "COMPOSER"])
    model = serializers.CharField(allow_null=True)
    totalLinesAdded = serializers.IntegerField()
    totalLinesDeleted = serializers.IntegerField()
    createdAt = serializers.DateTimeField()
    metadata = ChangeMetadataSerializer(many=True)


def _page_serializer(name: str, item) -> type[serializers.Serializer]:
    return type(
        name,
        (serializers.Serializer,),
        {
            "items": item(many=True),
            "totalCount": serializers.IntegerField(),
            "page": serializers.IntegerField(),
            "pageSize": serializers.IntegerField(help_text="The size used (clamped to 1000)."),
        },
    )


CommitPage = _page_serializer("AiCommitMetricPage", AiCommitMetricSerializer)
ChangePage = _page_serializer("AiCodeChangeMetricPage", AiCodeChangeMetricSerializer)

FILTERS = [
    OpenApiParameter(
        "startDate", DATE, description=f"Inclusive start of createdAt: {FORMS}. Default 7d."
    ),
    OpenApiParameter(
        "endDate",
        DATE,
        description=f"Inclusive end of createdAt: {FORMS}. A bare date includes that whole day. "
        "Default now.",
    ),
    OpenApiParameter(
        "user",
        CURSOR_USER,
        description="One user: an email (case-insensitive), an encoded id user_... or a "
        "numeric id. Unknown users give an empty result.",
    ),
]
HEADERS = [
    OpenApiParameter(
        "If-None-Match",
        str,
        location=OpenApiParameter.HEADER,
        description="An ETag from an earlier response: 304 when unchanged (not counted).",
    ),
    OpenApiParameter(
        "ETag",
        str,
        location=OpenApiParameter.HEADER,
        response=[200, 304],
        description="Strong validator of this response.",
    ),
    OpenApiParameter(
        "Cache-Control",
        str,
        location=OpenApiParameter.HEADER,
        response=[200, 304],
        description="private",
    ),
    OpenApiParameter(
        "Retry-After",
        int,
        location=OpenApiParameter.HEADER,
        response=[429],
        description="Whole seconds until the rate-limit window frees.",
    ),
]
PAGING = [
    OpenApiParameter("page", POSITIVE, description="Page number from 1. Default 1."),
    OpenApiParameter(
        "pageSize",
        POSITIVE,
        description="Results per page. Default 100, above 1000 clamped to 1000.",
    ),
]
_ERRORS = {
    304: OpenApiResponse(description="Not modified (If-None-Match matched the ETag)."),
    400: OpenApiResponse(CursorErrorSerializer, description="A parameter is invalid."),
    401: OpenApiResponse(CursorErrorSerializer, description="Missing, invalid or revoked API key."),
    403: OpenApiResponse(CursorErrorSerializer, description="The key may not read analytics."),
    429: OpenApiResponse(
        CursorErrorSerializer,
        description="Rate limit exceeded (per team and endpoint); see Retry-After.",
        examples=[
            OpenApiExample(
                "rate limited",
                {
                    "error": "Too Many Requests",
                    "message": "Rate limit exceeded. Please try again later.",
                },
            )
        ],
    ),
}


NEUTRALIZE = OpenApiParameter("neutralizeFormulas", BOOLEAN, description=NEUTRALIZE_FORMULAS_DOC)


def _csv(description: str) -> dict:
    return {
        "tags": [TAG],
        "parameters": [*FILTERS, NEUTRALIZE, *HEADERS],
        "responses": {
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=description),
            **_ERRORS,
        },
    }


COMMITS = {
    "operation_id": "cursor_commits_list",
    "tags": [TAG],
    "summary": "AI commit metrics (JSON, paged)",
    "parameters": FILTERS + PAGING + HEADERS,
    "responses": {200: CommitPage, **_ERRORS},
}
CHANGES = {
    "operation_id": "cursor_changes_list",
    "tags": [TAG],
    "summary": "Accepted AI code changes (JSON, paged)",
    "parameters": FILTERS + PAGING + HEADERS,
    "responses": {200: ChangePage, **_ERRORS},
}
COMMITS_CSV = {
    "operation_id": "cursor_commits_csv",
    "summary": "AI commit metrics (CSV, streamed)",
    **_csv("commit_hash,user_id,user_email,repo_name,... one line per commit, newest first."),
}
CHANGES_CSV = {
    "operation_id": "cursor_changes_csv",
    "summary": "Accepted AI code changes (CSV, streamed)",
    **_csv("change_id,user_id,user_email,source,model,...,metadata_json, newest first."),
}


class RangeSerializer(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()


class AnnotationGroupSerializer(serializers.Serializer):
    conversationId = serializers.CharField(required=False)
    source = serializers.CharField(required=False)
    productType = serializers.CharField()
    type = serializers.CharField(required=False)
    ranges = RangeSerializer(many=True)


class FileAnnotationSerializer(serializers.Serializer):
    filePath = serializers.CharField()
    groups = AnnotationGroupSerializer(many=True)


class CommitDetailItemSerializer(serializers.Serializer):
    commitHash = serializers.CharField()
    repoName = serializers.CharField(allow_null=True)
    branchName = serializers.CharField(allow_null=True)
    userEmail = serializers.CharField()
    rangeAnnotations = FileAnnotationSerializer(many=True)


class CommitDetailSerializer(serializers.Serializer):
    commits = CommitDetailItemSerializer(many=True)


class TeamMemberSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Display name; empty when none is known.")
    email = serializers.CharField()
    role = serializers.CharField(help_text="member (the data holds no other role).")
    id = serializers.IntegerField(help_text="The member's number (userId of usage events).")
    isRemoved = serializers.BooleanField(help_text="Always false: removed members are deleted.")


class TeamMembersSerializer(serializers.Serializer):
    teamMembers = TeamMemberSerializer(many=True)


_HASH_PART = r" *[^ ,\u0000-\u001F\u007F]([^,\u0000-\u001F\u007F]{0,62}[^ ,\u0000-\u001F\u007F])? *"
_NOT_FOUND = OpenApiResponse(CursorErrorSerializer, description="No such commit in this team.")
COMMIT_DETAIL = {
    "operation_id": "cursor_commit_detail",
    "tags": [TAG],
    "summary": "Range annotations of one or more commits (alpha)",
    "parameters": [
        OpenApiParameter(
            "hashes",
            {
                "type": "string",
                # Each hash: 1 to 64 characters once the spaces around it are trimmed (a part
                # that is only spaces is blank: a 400), no comma or control character.
                "pattern": rf"^{_HASH_PART}(,{_HASH_PART}){{0,49}}$",
            },
            OpenApiParameter.PATH,
            description="One commit hash, or up to 50 separated by commas.",
        ),
        OpenApiParameter(
            "branch",
            {"type": "string", "pattern": r"^[^\u0000-\u001F\u007F]*$"},
            description="Only commits on this branch.",
        ),
        *HEADERS,
    ],
    "responses": {200: CommitDetailSerializer, 404: _NOT_FOUND, **_ERRORS},
}
TEAM_MEMBERS = {
    "operation_id": "cursor_team_members",
    "tags": [TAG],
    "summary": "Team members (Cursor's Admin API list, for connectors' connection check)",
    "parameters": HEADERS,
    "responses": {200: TeamMembersSerializer, **_ERRORS},
}


# -- Cursor's Admin API: daily usage and usage events (POST, JSON bodies) --------------------

ADMIN_TAG = "Cursor Admin API"
_CONTROL_FREE = r"^[^\u0000-\u001F\u007F]*"
_EPOCH_MS = {
    "description": "Epoch milliseconds (a string of digits is read the same way).",
    "nullable": True,
    "anyOf": [
        {"type": "integer", "minimum": 0, "maximum": 253402300799999},
        {"type": "string", "pattern": r"^ *[0-9]{1,15} *$"},
    ],
}
_POSITIVE_INT = {
    "nullable": True,
    "anyOf": [
        {"type": "integer", "minimum": 1},
        {"type": "string", "pattern": r"^ *0*[1-9][0-9]{0,17} *$"},
    ],
}
DAILY_USAGE_BODY = {
    "type": "object",
    "required": ["startDate", "endDate"],
    "properties": {"startDate": _EPOCH_MS, "endDate": _EPOCH_MS},
    "description": "At most 90 days from startDate to endDate; other fields are ignored.",
}
USAGE_EVENTS_BODY = {
    "type": "object",
    "properties": {
        "startDate": {**_EPOCH_MS, "description": "Default: 30 days before endDate."},
        "endDate": {**_EPOCH_MS, "description": "Default: now."},
        "userId": {
            "description": "The member's id (GET /teams/members) or user_... id.",
            "nullable": True,
            "anyOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": r"^ *([0-9]+|user_[A-Za-z0-9]+) *$"},
            ],
        },
        "email": {
            "type": "string",
            "nullable": True,
            "pattern": _CONTROL_FREE + "@" + _CONTROL_FREE[1:] + "$",
        },
        "page": {**_POSITIVE_INT, "description": "From 1. Default 1."},
        "pageSize": {**_POSITIVE_INT, "description": "Default 10; above 1000 is 1000."},
    },
}


class DailyUsageItemSerializer(serializers.Serializer):
    date = serializers.IntegerField(help_text="The UTC day, epoch milliseconds of its start.")
    isActive = serializers.BooleanField()
    totalLinesAdded = serializers.IntegerField(help_text="Every line written, typed or AI.")
    totalLinesDeleted = serializers.IntegerField()
    acceptedLinesAdded = serializers.IntegerField(help_text="Lines of accepted AI suggestions.")
    acceptedLinesDeleted = serializers.IntegerField()
    totalApplies = serializers.IntegerField()
    totalAccepts = serializers.IntegerField()
    totalRejects = serializers.IntegerField()
    totalTabsShown = serializers.IntegerField()
    totalTabsAccepted = serializers.IntegerField()
    composerRequests = serializers.IntegerField()
    chatRequests = serializers.IntegerField()
    agentRequests = serializers.IntegerField()
    cmdkUsages = serializers.IntegerField()
    subscriptionIncludedReqs = serializers.IntegerField()
    apiKeyReqs = serializers.IntegerField()
    usageBasedReqs = serializers.IntegerField()
    bugbotUsages = serializers.IntegerField()
    mostUsedModel = serializers.CharField(help_text='"" when not known.')
    applyMostUsedExtension = serializers.CharField(required=False)
    tabMostUsedExtension = serializers.CharField(required=False)
    clientVersion = serializers.CharField(required=False)
    email = serializers.CharField()
    userId = serializers.CharField(help_text="The member's user_... id.")
    day = serializers.DateField(help_text="The UTC day, YYYY-MM-DD.")


class PeriodSerializer(serializers.Serializer):
    startDate = serializers.IntegerField()
    endDate = serializers.IntegerField()


class DailyUsageSerializer(serializers.Serializer):
    data = DailyUsageItemSerializer(many=True)
    period = PeriodSerializer()


class TokenUsageSerializer(serializers.Serializer):
    inputTokens = serializers.IntegerField(required=False)
    outputTokens = serializers.IntegerField(required=False)
    cacheWriteTokens = serializers.IntegerField(required=False)
    cacheReadTokens = serializers.IntegerField(required=False)
    totalCents = serializers.FloatField(required=False)


class UsageEventSerializer(serializers.Serializer):
    timestamp = serializers.CharField(help_text="Epoch milliseconds, as a string.")
    model = serializers.CharField()
    kind = serializers.CharField(help_text='e.g. "Usage-based", "Included in Business".')
    maxMode = serializers.BooleanField()
    requestsCosts = serializers.FloatField()
    isTokenBasedCall = serializers.BooleanField()
    tokenUsage = TokenUsageSerializer(required=False)
    isFreeBugbot = serializers.BooleanField()
    userEmail = serializers.CharField()


class PaginationSerializer(serializers.Serializer):
    numPages = serializers.IntegerField()
    currentPage = serializers.IntegerField()
    pageSize = serializers.IntegerField()
    hasNextPage = serializers.BooleanField()
    hasPreviousPage = serializers.BooleanField()


class UsageEventsSerializer(serializers.Serializer):
    totalUsageEventsCount = serializers.IntegerField()
    pagination = PaginationSerializer()
    usageEvents = UsageEventSerializer(many=True)
    period = PeriodSerializer()


_ADMIN_ERRORS = {status: response for status, response in _ERRORS.items() if status != 304}
DAILY_USAGE = {
    "operation_id": "cursor_daily_usage_data",
    "tags": [ADMIN_TAG],
    "summary": "Daily usage per member and UTC day (Cursor's Admin API)",
    "request": {"application/json": DAILY_USAGE_BODY},
    "responses": {200: DailyUsageSerializer, **_ADMIN_ERRORS},
}
USAGE_EVENTS = {
    "operation_id": "cursor_filtered_usage_events",
    "tags": [ADMIN_TAG],
    "summary": "Usage events, newest first, paged (Cursor's Admin API)",
    "request": {"application/json": USAGE_EVENTS_BODY},
    "responses": {200: UsageEventsSerializer, **_ADMIN_ERRORS},
}
