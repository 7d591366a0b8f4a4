"""The HTTP door of ingestion (API.md section 6): POST /ingest/v1/{commits,changes,messages}.

The service's refusals (IngestInvalid, WriteConflict) become this door's 400 and 503 in
analytics_api/errors.py, with every other error shape."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from analytics_api.base import TeamScopedAPIView
from analytics_api.ingest import schema
from analytics_api.ingest.body import read_records
from teams.auth import CanIngest
from tracking.ingest.activity import CURSOR_DAILY_USAGE, CURSOR_USAGE_EVENTS
from tracking.ingest.records import CHANGES, COMMITS, MESSAGES
from tracking.ingest.services import IndexedRows, stream_ingest


class IngestView(TeamScopedAPIView):
    permission_classes = [CanIngest]
    parser_classes: list = []  # the body is read by read_records(), with our own limits
    schema = schema.IngestAutoSchema()
    kind = ""

    def post(self, request):
        rows = IndexedRows(read_records(request))
        # One batch: the 400 lists every problem of the request, not those of its first batch.
        result = stream_ingest(
            team=self.team, kind=self.kind, rows=rows, batch_size=max(len(rows), 1)
        )
        return Response(result.as_dict())


class CommitsIngestView(IngestView):
    kind = COMMITS

    @extend_schema(**schema.COMMITS)
    def post(self, request):
        return super().post(request)


class ChangesIngestView(IngestView):
    kind = CHANGES

    @extend_schema(**schema.CHANGES)
    def post(self, request):
        return super().post(request)


class MessagesIngestView(IngestView):
    kind = MESSAGES

    @extend_schema(**schema.MESSAGES)
    def post(self, request):
        return super().post(request)


class CursorDailyUsageIngestView(IngestView):
    kind = CURSOR_DAILY_USAGE

    @extend_schema(**schema.CURSOR_DAILY_USAGE)
    def post(self, request):
        return super().post(request)


class CursorUsageEventsIngestView(IngestView):
    kind = CURSOR_USAGE_EVENTS

    @extend_schema(**schema.CURSOR_USAGE_EVENTS)
    def post(self, request):
        return super().post(request)
