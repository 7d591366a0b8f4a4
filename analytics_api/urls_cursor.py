from django.urls import path

from analytics_api.cursor import views

urlpatterns = [
    path("commits", views.CommitListView.as_view(), name="cursor-commits"),
    path("changes", views.ChangeListView.as_view(), name="cursor-changes"),
    path("commits.csv", views.CommitCsvView.as_view(), name="cursor-commits-csv"),
    path("changes.csv", views.ChangeCsvView.as_view(), name="cursor-changes-csv"),
    path("commits/<str:hashes>", views.CommitDetailView.as_view(), name="cursor-commit-detail"),
]
