"""One error shape per dialect, produced in one place (API.md section 4).

Cursor: {"error": "<HTTP reason phrase>", "message": "..."}
Qoder:  {"success": false, "error": {"code": "BadRequest", "message": "..."}}

Views pick their dialect with the `error_dialect` attribute; everything else (DRF exceptions,
ApiError, unexpected exceptions) is turned into that shape here, never a stack trace.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

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
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
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


def json_error_view(status_code: int, message: str):
    """Django-level handlers (404/500 outside DRF views) in the Cursor shape."""

    def view(request, *args, **kwargs):
        dialect = QODER if request.path.startswith("/v1/") else CURSOR
        return JsonResponse(error_body(status_code, message, dialect=dialect), status=status_code)

    return view
