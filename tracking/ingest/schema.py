"""OpenAPI descriptions of POST /ingest/v1/* (documentation only; see docs/ingestion.md)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from analytics_api.cursor.schema import CursorErrorSerializer

TAG = "Ingestion"
RECORDS = {"type": "array", "maxItems": 10000, "items": {"type": "object"}}


class IngestResultSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="Records in the request.")
    created = serializers.IntegerField(help_text="New records stored.")
    updated = serializers.IntegerField(help_text="Stored records that changed.")


class ProblemSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="0-based position of the record.")
    field = serializers.CharField(help_text="camelCase field, e.g. metadata[0].linesAdded.")
    message = serializers.CharField()


class IngestErrorSerializer(CursorErrorSerializer):
    problems = ProblemSerializer(many=True, required=False, help_text="At most 100.")
    problemCount = serializers.IntegerField(required=False)
    line = serializers.IntegerField(required=False, help_text="Malformed JSON: line.")
    column = serializers.IntegerField(required=False, help_text="Malformed JSON: column.")
    limit = serializers.IntegerField(required=False, help_text="Too many records: the limit.")


def ingest_schema(kind: str, fields: str) -> dict:
    return {
        "tags": [TAG],
        "operation_id": f"ingest_{kind}",
        "summary": f"Ingest {kind} (JSON array or NDJSON, all or nothing, idempotent)",
        "description": f"Records use the camelCase fields of the JSON responses: {fields}. "
        "See docs/ingestion.md.",
        "request": {"application/json": RECORDS, "application/x-ndjson": OpenApiTypes.STR},
        "responses": {
            200: IngestResultSerializer,
            400: OpenApiResponse(IngestErrorSerializer, description="Invalid records or body."),
            401: OpenApiResponse(CursorErrorSerializer, description="Missing or revoked key."),
            403: OpenApiResponse(CursorErrorSerializer, description="The key may not ingest."),
            413: OpenApiResponse(CursorErrorSerializer, description="Body too large."),
            415: OpenApiResponse(CursorErrorSerializer, description="Unsupported Content-Type."),
        },
    }


COMMITS = ingest_schema(
    "commits",
    "commitHash, userEmail (or userId of a member), repoName, branchName, isPrimaryBranch, "
    "totalLinesAdded/Deleted, the Cursor split (tab*, composer*) or the eight Qoder pairs, "
    "message, commitTs, createdAt, rangeAnnotations, files",
)
CHANGES = ingest_schema(
    "changes",
    "changeId, userEmail (or userId), source (NEXT, AGENT, QUEST, INLINECHAT, TAB, COMPOSER), "
    "model, accepted, totalLinesAdded/Deleted, metadata, createdAt",
)
MESSAGES = ingest_schema(
    "messages", "messageId, userEmail (or userId), source, model, conversationId, createdAt"
)
