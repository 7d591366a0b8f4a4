from django.contrib import admin
from django.urls import include, path

from analytics_api.tools import urls as tools_urls
from dashboard.favicon import favicon
from dashboard.urls import auth_urlpatterns

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("ingest/v1/", include("analytics_api.urls_ingest")),
    # Other AI tools (docs/tools.md): git-ai's notes backend, the cross-tool figures.
    path("worker/notes/", include(tools_urls.notes)),
    path("tools/v1/", include(tools_urls.figures)),
    path("", include("analytics_api.urls")),
    path("", include("dashboard.urls")),
    *auth_urlpatterns,
]

# JSON in the API's dialect under the API paths, the dashboard's pages elsewhere (config/errors.py).
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
