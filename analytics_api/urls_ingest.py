"""Mounted at /ingest/v1/ by config/urls.py."""

from django.urls import path

from analytics_api.ingest import views
from analytics_api.tools.views import AgentTracesIngestView

app_name = "ingest"
urlpatterns = [
    path("commits", views.CommitsIngestView.as_view(), name="commits"),
    path("changes", views.ChangesIngestView.as_view(), name="changes"),
    path("messages", views.MessagesIngestView.as_view(), name="messages"),
    path("agent-traces", AgentTracesIngestView.as_view(), name="agent-traces"),
]
