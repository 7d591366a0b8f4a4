"""Django-level error handlers (config/urls.py): JSON in the API's dialect under the API paths,
the dashboard's HTML pages everywhere else (the dashboard, sign-in, the admin, the API docs).

The API views answer their own errors through DRF (analytics_api.errors); these handlers see
what happens outside them: unknown paths, errors in plain Django views, exceptions in
middleware. A lost database connection is a 503 with Retry-After on either side, not a 500.
"""

from __future__ import annotations

import logging
import sys

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django_ratelimit.exceptions import Ratelimited

from analytics_api.errors import json_error_view
from common.db_errors import connection_lost
from dashboard.errors import RETRY_AFTER, error_page

logger = logging.getLogger(__name__)

# Paths whose clients are programs: the Cursor and Qoder dialects, ingestion, the schema.
API_PREFIXES = ("/analytics/", "/v1/", "/ingest/", "/api/schema/")
LOST = "The database connection was lost while answering. Retry shortly."

_json_400 = json_error_view(400, "Bad request: the request was refused before any endpoint.")
_json_403 = json_error_view(403, "Forbidden.")
_json_429 = json_error_view(429, "Too many requests. Retry in a minute.")
_json_404 = json_error_view(404, "Not found: no such endpoint.")
_json_500 = json_error_view(500, "Internal server error. The error was logged.")
_json_503 = json_error_view(503, LOST)


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIXES)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if is_api(request):
        return _json_400(request, exception=exception)
    if isinstance(exception, DisallowedHost):
        return error_page(request, 400, message="This server does not answer to that host name.")
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if isinstance(exception, Ratelimited):  # django-ratelimit's block=True, outside DRF
        response = _json_429(request) if is_api(request) else error_page(request, 429)
        response["Retry-After"] = "60"
        return response
    return _json_403(request, exception=exception) if is_api(request) else error_page(request, 403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _json_404(request, exception=exception) if is_api(request) else error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Called inside Django's `except` for the exception (sys.exc_info() is it)."""
    if connection_lost(sys.exc_info()[1]):
        response = _json_503(request) if is_api(request) else error_page(request, 503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return _json_500(request) if is_api(request) else error_page(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a form sent without its token (an old tab, cookies off)."""
    message = (
        "This form was sent without a valid security token: it may have been open too long, "
        "or cookies are blocked. Go back, reload the page and send it again."
    )
    if is_api(request):
        return _json_403(request)
    return error_page(request, 403, message=message)
