"""Request bodies sent with `Transfer-Encoding: chunked` (no Content-Length), as gunicorn
passes them when it is reached directly.

Django reads a body only as far as CONTENT_LENGTH says, so without one it saw an empty body:
an ingest of 1,000 records was answered "The body is empty" (400). gunicorn has already
removed the chunk framing (`wsgi.input_terminated`), so the body is read here, up to the limit
of its path (INGEST_MAX_BODY_BYTES for /ingest/, DATA_UPLOAD_MAX_MEMORY_SIZE elsewhere; over it,
a 413), and handed on as an ordinary body with its length. Behind nginx (proxy_request_buffering
on) bodies always arrive with a Content-Length and this does nothing.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse

from analytics_api.errors import CURSOR, QODER, error_body
from dashboard.errors import error_page

INGEST_PREFIX = "/ingest/"
READ_SLICE = 1 << 20
# After a body turned out too big, this much more of it is read and dropped, so that a client
# still sending gets the 413 instead of a connection reset (gunicorn closes the connection after
# the answer, and closing with unread data resets it). A bigger body is cut off unread.
DRAIN_BYTES = 16 << 20


def _limit(request: HttpRequest) -> tuple[int, str]:
    if request.path.startswith(INGEST_PREFIX):
        return settings.INGEST_MAX_BODY_BYTES, "INGEST_MAX_BODY_BYTES"
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE, "DATA_UPLOAD_MAX_MEMORY_SIZE"


def _too_big(request: HttpRequest, limit: int, name: str) -> HttpResponse:
    message = f"The request body is larger than the limit of {limit} bytes ({name})."
    if request.path.startswith(("/analytics/", "/v1/", INGEST_PREFIX, "/api/")):
        dialect = QODER if request.path.startswith("/v1/") else CURSOR
        return JsonResponse(error_body(413, message, dialect=dialect), status=413)
    return error_page(request, 413, message=message)


class ChunkedBodyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        chunked = "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not meta.get("CONTENT_LENGTH") and meta.get("wsgi.input_terminated"):
            limit, name = _limit(request)
            body = self._read(meta["wsgi.input"], limit)
            if body is None:
                self._drain(meta["wsgi.input"])
                return _too_big(request, limit, name)
            meta["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))
        return self.get_response(request)

    @staticmethod
    def _read(stream, limit: int) -> bytes | None:
        """The whole body, or None as soon as it is over `limit` (the rest is not read)."""
        parts, size = [], 0
        while chunk := stream.read(min(READ_SLICE, limit + 1 - size)):
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                return None
        return b"".join(parts)

    @staticmethod
    def _drain(stream) -> None:
        left = DRAIN_BYTES
        while left > 0 and (chunk := stream.read(min(READ_SLICE, left))):
            left -= len(chunk)
