"""OpenAPI descriptions of POST /ingest/v1/* (documentation only; see docs/ingestion.md)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from analytics_api.cursor.schema import CursorErrorSerializer
from tracking.daterange import SUPPORTED_RANGE
from tracking.formats import PAIR_FIELDS
from tracking.ingest.fields import MAX_COUNT, MAX_UNIX_MS
from tracking.ingest.records import MAX_FILES, MAX_INTEGER_ID, MAX_METADATA

TAG = "Ingestion"
# The record shapes, as loose as the validator on each field's own type and range (so whatever
# breaks them is a 400). Rules across fields or records (a userId must name a known member;
# either the Cursor split or the eight Qoder pairs; emails must be deliverable-looking) are
# the validator's: a record that fits this schema can still be a 400 naming the problem.
# Unknown fields are refused (additionalProperties: false), as the validator refuses them.
_TEXT = {"type": "string", "nullable": True, "pattern": r"^[^\u0000]*$"}
_NAME = {"type": "string", "minLength": 1, "pattern": r"^[^\u0000]*[^\u0000\s][^\u0000]*$"}
_COUNT = {"type": "integer", "nullable": True, "minimum": 0, "maximum": MAX_COUNT}
# tracking.daterange: a date-time in years 1970..9999 (its edges, 9999-12-31 or an offset
# that moves 1970-01-01 into 1969, are a 400 naming the range), or Unix time up to its end.
_YEARS = "(19[7-9][0-9]|[2-9][0-9]{3})"
_TIMESTAMP = {
    "nullable": True,
    "description": f"ISO 8601 or Unix seconds/milliseconds, within {SUPPORTED_RANGE}.",
    "anyOf": [
        {"type": "string", "format": "date-time", "pattern": f"^{_YEARS}-"},
        {"type": "string", "maxLength": 0},  # "" is null (a CSV's empty cell)
        {"type": "string", "pattern": "^[0-9]{1,15}$"},  # a CSV cell holding a Unix time
        {"type": "integer", "minimum": 0, "maximum": MAX_UNIX_MS},
    ],
}
# changeId/messageId: a non-blank string, or an integer (Cursor's ids look numeric).
_IDENTIFIER = {
    "oneOf": [
        {**_NAME, "maxLength": 255},
        {"type": "integer", "minimum": -MAX_INTEGER_ID, "maximum": MAX_INTEGER_ID},
    ],
    "description": "A non-blank string of at most 255 characters, or an integer within "
    "±(2^53 - 1).",
}
# Derived from the file's name when absent or null (and refused when there is no name).
_EXTENSION = {"type": "string", "nullable": True, "maxLength": 31, "pattern": r"^[^\u0000]*$"}
_PATH = {**_TEXT, "maxLength": 1024}


def _list(item_properties: dict, required: list[str], limit: int) -> dict:
    item = {
        "type": "object",
        "required": required,
        "properties": item_properties,
        "additionalProperties": False,
    }
    # The limit is told, not written as maxItems: schemathesis would build lists of that size
    # (a 125 MB body of range groups), as with the records themselves below.
    return {"type": "array", "nullable": True, "items": item, "description": f"At most {limit:,}."}


_METADATA = _list(
    {"fileName": _PATH, "fileExtension": _EXTENSION, "linesAdded": _COUNT, "linesDeleted": _COUNT},
    [],
    MAX_METADATA,
)
_FILES = _list(
    {
        "filePath": _PATH,
        "fileExtension": _EXTENSION,
        **{
            name: _COUNT
            for name in ("linesAdded", "linesDeleted", "aiLinesAdded", "aiLinesDeleted")
        },
    },
    [],
    MAX_FILES,
)
# Range annotations one level deep: their groups and ranges are the validator's (the deeper
# nesting made hypothesis's strategy repr overflow the parser's recursion limit). Ingest's
# positive-data check accepts a 400 anyway (a range's start <= end is not expressible).
_ANNOTATIONS = _list(
    {
        "filePath": {**_NAME, "maxLength": 1024},
        "groups": {"type": "array", "items": {"type": "object"}},
    },
    ["filePath", "groups"],
    MAX_FILES,
)
_ANY = {"nullable": True}  # read only when userEmail is absent or empty; checked then
_USER = {
    "userEmail": {"type": "string", "format": "email", "maxLength": 254},
    "userId": _ANY,
    "userName": _ANY,  # a falsy value of any type is ignored; a name is at most 200 characters
    "displayName": _ANY,
}
_SOURCE = {"type": "string", "enum": ["NEXT", "AGENT", "QUEST", "INLINECHAT", "TAB", "COMPOSER"]}


def _records(required: list[str], properties: dict) -> dict:
    record = {
        "type": "object",
        "required": required,
        "properties": {**_USER, **properties},
        "additionalProperties": False,
    }
    # At most INGEST_MAX_RECORDS records (10,000 by default). Not written as maxItems: the
    # limit is a setting, and schemathesis cannot build a 10,000-item array of these records.
    return {"type": "array", "items": record}


COMMIT_RECORDS = _records(
    ["commitHash", "userEmail"],
    {
        "commitHash": {**_NAME, "maxLength": 64},
        "repoName": {**_TEXT, "maxLength": 255},
        "branchName": {**_TEXT, "maxLength": 255},
        "isPrimaryBranch": {"type": "boolean", "nullable": True},
        **{name: _COUNT for name in ("totalLinesAdded", "totalLinesDeleted")},
        **{
            f"{split}Lines{way}": _COUNT
            for split in ("tab", "composer")
            for way in ("Added", "Deleted")
        },
        # The eight Qoder pairs instead of the split (both: a 400); nonAi* are derived, ignored.
        **{name: _COUNT for name in PAIR_FIELDS},
        **{name: _ANY for name in ("nonAiLinesAdded", "nonAiLinesDeleted")},
        "message": {**_TEXT, "maxLength": 1_000_000},
        "commitSource": {
            "type": "string",
            "nullable": True,
            "enum": [None, "", "ide", "cli", "cloud"],
        },
        "commitTs": _TIMESTAMP,
        "createdAt": _TIMESTAMP,
        "files": _FILES,
        "rangeAnnotations": _ANNOTATIONS,
    },
)
CHANGE_RECORDS = _records(
    ["changeId", "userEmail", "source"],
    {
        "changeId": _IDENTIFIER,
        "source": _SOURCE,
        "model": {**_TEXT, "maxLength": 255},
        "accepted": {"type": "boolean", "nullable": True},
        **{name: _COUNT for name in ("totalLinesAdded", "totalLinesDeleted")},
        "metadata": _METADATA,
        "createdAt": _TIMESTAMP,
    },
)
MESSAGE_RECORDS = _records(
    ["messageId", "userEmail", "source"],
    {
        "messageId": _IDENTIFIER,
        "source": _SOURCE,
        "model": {**_TEXT, "maxLength": 255},
        "conversationId": {**_TEXT, "maxLength": 255},
        "createdAt": _TIMESTAMP,
    },
)


class IngestAutoSchema(AutoSchema):
    """The ingest views' schema: the body is required (no body is a 400, "The body is empty").
    drf-spectacular marks a body given as a plain schema optional."""

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        if body is not None:
            body["required"] = True
        return body


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


def ingest_schema(kind: str, fields: str, records: dict) -> dict:
    return {
        "tags": [TAG],
        "operation_id": f"ingest_{kind}",
        "summary": f"Ingest {kind} (JSON array or NDJSON, all or nothing, idempotent)",
        "description": f"Records use the camelCase fields of the JSON responses: {fields}. "
        "See docs/ingestion.md.",
        "request": {"application/json": records, "application/x-ndjson": OpenApiTypes.STR},
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
    COMMIT_RECORDS,
)
CHANGES = ingest_schema(
    "changes",
    "changeId, userEmail (or userId), source (NEXT, AGENT, QUEST, INLINECHAT, TAB, COMPOSER), "
    "model, accepted, totalLinesAdded/Deleted, metadata, createdAt",
    CHANGE_RECORDS,
)
MESSAGES = ingest_schema(
    "messages",
    "messageId, userEmail (or userId), source, model, conversationId, createdAt",
    MESSAGE_RECORDS,
)


# -- Editor activity in Cursor's Admin API shapes (tracking/ingest/activity.py) ---------------

_BOOL = {"type": "boolean", "nullable": True}
_AMOUNT = {"type": "number", "nullable": True, "minimum": 0, "maximum": 999_999_999_999}
_EPOCH_MS = {"type": "integer", "minimum": 0, "maximum": 253402300799999}
CURSOR_DAILY_USAGE_RECORDS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["email"],
        "properties": {
            "email": {"type": "string", "format": "email", "maxLength": 254},
            "userEmail": {"type": "string", "format": "email", "maxLength": 254, "nullable": True},
            "day": {"type": "string", "format": "date", "nullable": True},
            "date": {
                **_EPOCH_MS,
                "nullable": True,
                "description": "The day, epoch milliseconds (UTC).",
            },
            "isActive": _BOOL,
            **{
                name: _COUNT
                for name in (
                    "totalLinesAdded",
                    "totalLinesDeleted",
                    "acceptedLinesAdded",
                    "acceptedLinesDeleted",
                    "totalApplies",
                    "totalAccepts",
                    "totalRejects",
                    "totalTabsShown",
                    "totalTabsAccepted",
                    "composerRequests",
                    "chatRequests",
                    "agentRequests",
                    "cmdkUsages",
                    "subscriptionIncludedReqs",
                    "apiKeyReqs",
                    "usageBasedReqs",
                    "bugbotUsages",
                )
            },  # fmt: skip
            **{
                name: {**_TEXT, "maxLength": 255}
                for name in (
                    "mostUsedModel",
                    "applyMostUsedExtension",
                    "tabMostUsedExtension",
                    "clientVersion",
                )
            },  # fmt: skip
            "userId": _ANY,
            "userName": _ANY,
        },
    },
}
_TOKEN_USAGE = {
    "type": "object",
    "nullable": True,
    "properties": {
        **{
            name: _COUNT
            for name in ("inputTokens", "outputTokens", "cacheWriteTokens", "cacheReadTokens")
        },
        "totalCents": _AMOUNT,
    },
}
CURSOR_USAGE_EVENT_RECORDS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["timestamp", "userEmail"],
        "properties": {
            "timestamp": {
                "description": "Epoch milliseconds (Cursor sends a string of digits).",
                "anyOf": [
                    {"type": "string", "pattern": "^[0-9]{1,15}$"},
                    _EPOCH_MS,
                    {"type": "string", "format": "date-time"},
                ],
            },
            "userEmail": {"type": "string", "format": "email", "maxLength": 254},
            "model": {**_TEXT, "maxLength": 255},
            "kind": {**_TEXT, "maxLength": 255},
            "kindLabel": {**_TEXT, "maxLength": 255},
            "maxMode": _BOOL,
            "requestsCosts": _AMOUNT,
            "isTokenBasedCall": _BOOL,
            "tokenUsage": _TOKEN_USAGE,
            "isFreeBugbot": _BOOL,
            "chargedCents": _AMOUNT,
            "cursorTokenFee": _AMOUNT,
            "isChargeable": _BOOL,
            "isHeadless": _BOOL,
            "conversationId": {**_TEXT, "maxLength": 255},
            "serviceAccountId": {**_TEXT, "maxLength": 255},
            "hostingType": {**_TEXT, "maxLength": 255},
            "userName": _ANY,
        },
    },
}
CURSOR_DAILY_USAGE = ingest_schema(
    "cursor_daily_usage",
    "Cursor's daily-usage-data rows: email, day (YYYY-MM-DD) or date (epoch ms), isActive, "
    "the counts (totalLinesAdded ... bugbotUsages), mostUsedModel, applyMostUsedExtension, "
    "tabMostUsedExtension, clientVersion, userId (Cursor's; kept, not used)",
    CURSOR_DAILY_USAGE_RECORDS,
)
CURSOR_USAGE_EVENTS = ingest_schema(
    "cursor_usage_events",
    "Cursor's filtered-usage-events items: timestamp (epoch ms), userEmail, model, kind, "
    "maxMode, requestsCosts, isTokenBasedCall, tokenUsage{inputTokens, outputTokens, "
    "cacheWriteTokens, cacheReadTokens, totalCents}, isFreeBugbot",
    CURSOR_USAGE_EVENT_RECORDS,
)
