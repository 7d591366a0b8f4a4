"""One error shape per dialect, produced in one place (API.md section 4).

Cursor: {"error": "<HTTP reason phrase>", "message": "..."}
Qoder:  {"success": false, "error": {"code": "BadRequest", "message": "..."}}

Views pick their dialect with the `error_dialect` attribute; everything else (DRF exceptions,
ApiError, unexpected exceptions) is turned into that shape here, never a stack trace.

Qoder's error codes are a fixed list (QODER.md): statuses outside it keep the list and map by
class: 4xx -> "BadRequest" (405 Method Not Allowed, 406, 413 Payload Too Large, 415 Unsupported
Media Type) and 5xx -> "InternalError" (503 Service Unavailable); the HTTP status and the
message still say exactly what happened.

Two Django-level failures get their own status instead of a 500: a body over
DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 naming the limit, and SQLite's "database is locked" (a
long `manage.py ingest` holds the only write lock) is a 503 with Retry-After. The ingest
service's refusals are mapped here too: invalid records are a 400 listing their problems, a
write conflict a 503 with Retry-After.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import DisallowedHost, PermissionDenied, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from tracking.ingest.services import IngestInvalid, WriteConflict

logger = logging.getLogger(__name__)

CURSOR = "cursor"
QODER = "qoder"

QODER_CODES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    429: "RateLimited",
    500: "InternalError",
}
LOCKED_RETRY_AFTER = 5  # seconds; an ingest transaction is one file
# A 400 for invalid ingested records lists at most this many problems (and says how many there
# were in all).
MAX_PROBLEMS_SHOWN = 100


class ApiError(exceptions.APIException):
    """An error with a chosen status, a message, and optional extra body fields."""

    def __init__(self, message: str, *, status_code: int = 400, extra: dict | None = None):
        super().__init__(detail=message)
        self.status_code = status_code
        self.extra = extra or {}


def error_body(status_code: int, message: str, *, dialect: str = CURSOR, extra=None) -> dict:
    if dialect == QODER:
        code = QODER_CODES.get(status_code, "BadRequest" if status_code < 500 else "InternalError")
        body = {"success": False, "error": {"code": code, "message": message}}
    else:
        body = {"error": HTTPStatus(status_code).phrase, "message": message}
    if extra:
        body.update(extra)
    return body


def _flatten(detail) -> str:
    """DRF's nested error detail as one readable sentence naming the fields."""
    if isinstance(detail, dict):
        parts = []
        for field, value in detail.items():
            text = _flatten(value)
            parts.append(text if field == "non_field_errors" else f"{field}: {text}")
        return "; ".join(parts)
    if isinstance(detail, list):
        return " ".join(_flatten(item) for item in detail)
    return str(detail)


def exception_handler(exc, context):
    view = context.get("view")
    dialect = getattr(view, "error_dialect", CURSOR)
    exc = _translate(exc)
    if not isinstance(exc, exceptions.APIException):
        logger.exception("Unhandled error in %s", type(view).__name__ if view else "API")
        body = error_body(500, "Internal server error. The error was logged.", dialect=dialect)
        return Response(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    body = error_body(
        exc.status_code, _flatten(exc.detail), dialect=dialect, extra=getattr(exc, "extra", None)
    )
    return Response(body, status=exc.status_code, headers=headers)


def _translate(exc):
    """Django's exceptions that are the client's or the moment's fault, as API errors."""
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(exc) or "Not found.")
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return ApiError(
            f"The request body is larger than the limit of {limit} bytes.", status_code=413
        )
    if isinstance(exc, IngestInvalid):
        return _ingest_invalid(exc)
    if isinstance(exc, WriteConflict):
        busy = ApiError(
            "Concurrent writes to the same records conflicted; nothing was stored. "
            "Retry the request.",
            status_code=503,
        )
        busy.wait = 1  # Retry-After
        return busy
    if isinstance(exc, OperationalError) and "database is locked" in str(exc):
        busy = ApiError(
            "The database is busy with a write (SQLite allows one at a time). Retry shortly.",
            status_code=503,
        )
        busy.wait = LOCKED_RETRY_AFTER  # read into Retry-After below
        return busy
    if _connection_lost(exc):
        # The connection was lost or terminated (pg_terminate_backend, a failover, a restart):
        # the moment's fault, not the request's. Django drops the broken connection, so the
        # next request on this worker opens a new one.
        lost = ApiError(
            "The database connection was lost while answering. Retry shortly.", status_code=503
        )
        lost.wait = 1
        return lost
    return exc


def _ingest_invalid(exc: IngestInvalid) -> ApiError:
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


def _connection_lost(exc) -> bool:
    """A database connection that broke under the request: SQLSTATE class 08 (connection
    exception) or 57P (operator intervention: pg_terminate_backend, shutdown), a closed
    connection, or libpq's "server closed the connection". Other OperationalErrors stay 500s."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    sqlstate = getattr(exc.__cause__, "sqlstate", None) or ""
    if sqlstate.startswith(("08", "57P")):
        return True
    message = str(exc).lower()
    return "server closed the connection" in message or "connection is lost" in message


def json_error_view(status_code: int, message: str):
    """Django-level handlers (400/404/500 outside DRF views) in the dialect of the path: Qoder
    under /v1/, Cursor elsewhere. A 400 from a Host header outside ALLOWED_HOSTS
    (DisallowedHost) says so."""

    def view(request, *args, exception=None, **kwargs):
        dialect = QODER if request.path.startswith("/v1/") else CURSOR
        text = message
        if isinstance(exception, DisallowedHost):
            text = "Invalid Host header: this server does not answer to that host name."
        return JsonResponse(error_body(status_code, text, dialect=dialect), status=status_code)

    return view
