"""/favicon.ico, which browsers ask for on every site whatever the page says: the dashboard's
icon, from the app's own static directory (no collectstatic needed), cached for a day."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, HttpRequest
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

ICON = Path(__file__).resolve().parent / "static" / "dashboard" / "favicon.ico"


@require_safe
@cache_control(public=True, max_age=86_400)
def favicon(request: HttpRequest) -> FileResponse:
    return FileResponse(ICON.open("rb"), content_type="image/x-icon")
