from django.urls import include, path

from analytics_api.cursor.views import DailyUsageView, TeamMembersView, UsageEventsView

urlpatterns = [
    path("analytics/ai-code/", include("analytics_api.urls_cursor")),
    # Cursor's Admin API member list (connectors' connection check).
    path("teams/members", TeamMembersView.as_view(), name="cursor-team-members"),
    path("teams/daily-usage-data", DailyUsageView.as_view(), name="cursor-daily-usage"),
    path("teams/filtered-usage-events", UsageEventsView.as_view(), name="cursor-usage-events"),
    path("v1/organizations/<str:organization_id>/", include("analytics_api.urls_qoder")),
    path("api/", include("analytics_api.urls_schema")),
]
