from django.urls import include, path

urlpatterns = [
    path("analytics/ai-code/", include("analytics_api.urls_cursor")),
    path("v1/organizations/<str:organization_id>/", include("analytics_api.urls_qoder")),
    path("api/", include("analytics_api.urls_schema")),
]
