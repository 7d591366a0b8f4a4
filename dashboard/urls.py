"""The dashboard for people, at the site root."""

from django.contrib.auth import views as auth_views
from django.urls import path

from dashboard import team_admin, views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/<slug:slug>/", views.overview, name="overview"),
    path("dashboard/<slug:slug>/members/<uuid:member_id>/", views.member, name="member"),
    path("dashboard/<slug:slug>/commits/<int:pk>/", views.commit, name="commit"),
    path(
        "dashboard/<slug:slug>/attribution/<int:pk>/",
        views.attributed_commit,
        name="attributed_commit",
    ),
    path("dashboard/<slug:slug>/download/<str:kind>.csv", views.download, name="download"),
    # Team management, for the team's admins (dashboard/team_admin.py).
    path("dashboard/<slug:slug>/manage/", team_admin.team_admin, name="team-admin"),
    path("dashboard/<slug:slug>/manage/members/", team_admin.member_add, name="member-add"),
    path(
        "dashboard/<slug:slug>/manage/members/<int:membership_id>/role/",
        team_admin.member_role,
        name="member-role",
    ),
    path(
        "dashboard/<slug:slug>/manage/members/<int:membership_id>/remove/",
        team_admin.member_remove,
        name="member-remove",
    ),
    path("dashboard/<slug:slug>/manage/keys/", team_admin.key_create, name="key-create"),
    path("dashboard/<slug:slug>/manage/time-zone/", team_admin.time_zone_set, name="time-zone-set"),
    path(
        "dashboard/<slug:slug>/manage/keys/<int:key_id>/revoke/",
        team_admin.key_revoke,
        name="key-revoke",
    ),
]

# Django's own authentication views, at Django's usual names (LOGIN_URL = "login").
auth_urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(success_url="/accounts/password/done/"),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
