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
