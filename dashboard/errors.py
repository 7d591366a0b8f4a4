"""Error pages for people, in the dashboard's style (config/errors.py picks them for every path
outside the APIs, which keep their JSON). 500 and 503 are rendered without the request's
context processors: those read the session and the user from the database, which may be what
failed."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

TEMPLATE = "dashboard/errors/error.html"
RETRY_AFTER = 5  # seconds, after a lost database connection
PAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "You may not open this page. If it should be yours, ask a team admin."),
    404: ("Not found", "There is no such page, or it belongs to a team you are not a member of."),
    413: ("Too large", "The request is larger than this page accepts."),
    429: ("Too many requests", "Too many requests in a short time. Wait a little and retry."),
    500: ("Something went wrong", "An internal error stopped this page. It was logged."),
    503: (
        "Temporarily unavailable",
        "The database connection was lost while answering. Nothing was changed; retry shortly.",
    ),
}


def error_page(
    request: HttpRequest, status: int, *, message: str = "", retry_after: int | None = None
) -> HttpResponse:
    title, default = PAGES[status]
    context = {"status": status, "title": title, "message": message or default}
    context["retry_after"] = retry_after
    with_request = request if status < 500 else None
    try:
        html = render_to_string(TEMPLATE, context, request=with_request)
    except Exception:  # noqa: BLE001 - the session or user could not be read: plain context
        logger.warning("Error page %s rendered without the request's context", status)
        html = render_to_string(TEMPLATE, context)
    response = HttpResponse(html, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
