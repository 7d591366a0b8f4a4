from django.urls import path

from analytics_api.tools import views

notes = [
    path("upload", views.NotesUploadView.as_view(), name="gitai-notes-upload"),
    path("", views.NotesReadView.as_view(), name="gitai-notes"),
]
figures = [
    path("figures", views.ToolFiguresView.as_view(), name="tools-figures"),
    path("commits", views.ToolCommitsView.as_view(), name="tools-commits"),
]
