from django.contrib import admin
from django.urls import include, path

from analytics_api.errors import json_error_view
from analytics_api.tools import urls as tools_urls
from dashboard.urls import auth_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("ingest/v1/", include("analytics_api.urls_ingest")),
    # Other AI tools (docs/tools.md): git-ai's notes backend, the cross-tool figures.
    path("worker/notes/", include(tools_urls.notes)),
    path("tools/v1/", include(tools_urls.figures)),
    path("", include("analytics_api.urls")),
    path("", include("dashboard.urls")),
    *auth_urlpatterns,
]

handler400 = json_error_view(400, "Bad request: the request was refused before any endpoint.")
handler404 = json_error_view(404, "Not found: no such endpoint.")
handler500 = json_error_view(500, "Internal server error. The error was logged.")
