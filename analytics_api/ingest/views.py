"""The HTTP door of ingestion (API.md section 6): POST /ingest/v1/{commits,changes,messages}."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from analytics_api.base import TeamScopedAPIView
from analytics_api.errors import ApiError
from analytics_api.ingest import schema
from analytics_api.ingest.body import read_records
from teams.auth import CanIngest
from tracking.ingest.services import (
    IngestInvalid,
    WriteConflict,
    changes_ingest,
    commits_ingest,
    messages_ingest,
)

# A 400 lists at most this many problems (and says how many there were in all).
MAX_PROBLEMS_SHOWN = 100


class IngestView(TeamScopedAPIView):
    permission_classes = [CanIngest]
    parser_classes: list = []  # the body is read by read_records(), with our own limits
    service = None

    def post(self, request):
        records = read_records(request)
        try:
            result = type(self).service(team=self.team, records=records)
        except IngestInvalid as exc:
            raise invalid_error(exc) from None
        except WriteConflict:
            busy = ApiError(
                "Concurrent writes to the same records conflicted; nothing was stored. "
                "Retry the request.",
                status_code=503,
            )
            busy.wait = 1  # Retry-After
            raise busy from None
        return Response(result.as_dict())


def invalid_error(exc: IngestInvalid) -> ApiError:
    problems = exc.problems
    records = len({p.index for p in problems})
    first = problems[0]
    where = f"record {first.index}" + (f", field {first.field}" if first.field else "")
    message = (
        f"{records} invalid record{'s' if records != 1 else ''} ({len(problems)} "
        f"problem{'s' if len(problems) != 1 else ''}); nothing was stored. "
        f"First: {where}: {first.message}."
    )
    shown = [p.as_dict() for p in problems[:MAX_PROBLEMS_SHOWN]]
    return ApiError(message, extra={"problems": shown, "problemCount": len(problems)})


class CommitsIngestView(IngestView):
    service = staticmethod(commits_ingest)

    @extend_schema(**schema.COMMITS)
    def post(self, request):
        return super().post(request)


class ChangesIngestView(IngestView):
    service = staticmethod(changes_ingest)

    @extend_schema(**schema.CHANGES)
    def post(self, request):
        return super().post(request)


class MessagesIngestView(IngestView):
    service = staticmethod(messages_ingest)

    @extend_schema(**schema.MESSAGES)
    def post(self, request):
        return super().post(request)
