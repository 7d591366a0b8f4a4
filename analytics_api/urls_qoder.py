"""Qoder's AI Code API, included at v1/organizations/<str:organization_id>/."""

from django.urls import path

from analytics_api.qoder import views

urlpatterns = [
    path("ai-code/stats/overview", views.OverviewView.as_view(), name="qoder-overview"),
    path("ai-code/stats/daily-trend", views.DailyTrendView.as_view(), name="qoder-daily-trend"),
    path(
        "ai-code/stats/member-ranking",
        views.MemberRankingView.as_view(),
        name="qoder-member-ranking",
    ),
    path("ai-code/repos", views.ReposView.as_view(), name="qoder-repos"),
    path(
        "ai-code/file-extensions",
        views.FileExtensionsView.as_view(),
        name="qoder-file-extensions",
    ),
    path(
        "ai-code-tracking/commits/detail",
        views.CommitDetailView.as_view(),
        name="qoder-commit-detail",
    ),
    path("ai-code-tracking/commits", views.CommitListView.as_view(), name="qoder-commits"),
    path(
        "ai-code-tracking/commits/export",
        views.CommitExportView.as_view(),
        name="qoder-commits-export",
    ),
    path("ai-code-tracking/changes", views.ChangeListView.as_view(), name="qoder-changes"),
    path(
        "ai-code-tracking/changes/export",
        views.ChangeExportView.as_view(),
        name="qoder-changes-export",
    ),
]
