"""Mounted at /ingest/v1/ by config/urls.py."""

from django.urls import path

from analytics_api.ingest import views
from analytics_api.tools.views import AgentTracesIngestView

app_name = "ingest"
urlpatterns = [
    path("commits", views.CommitsIngestView.as_view(), name="commits"),
    path("changes", views.ChangesIngestView.as_view(), name="changes"),
    path("messages", views.MessagesIngestView.as_view(), name="messages"),
    # Editor activity in Cursor's Admin API shapes (docs/ingestion.md).
    path(
        "cursor/daily-usage", views.CursorDailyUsageIngestView.as_view(), name="cursor-daily-usage"
    ),
    path(
        "cursor/usage-events",
        views.CursorUsageEventsIngestView.as_view(),
        name="cursor-usage-events",
    ),
    path("agent-traces", AgentTracesIngestView.as_view(), name="agent-traces"),
]
