"""Team admins manage their team in the dashboard (dashboard/team_admin.py): people (add, role,
remove) and API keys (create, shown once; revoke), every action in an audit log they see. A
viewer gets the 403 page, an outsider the 404 page, and ids of another team are 404s."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.test import Client
from rest_framework.test import APIClient

from teams.models import ApiKey, TeamAuditEntry, TeamMembership
from tests.conftest import basic
from tests.dashboard.conftest import person
from tests.dashboard.test_access import signed_in

MANAGE = "/dashboard/acme/manage/"
Role = TeamMembership.Role


def text(response) -> str:
    return html.unescape(response.content.decode())


def membership(user, team) -> TeamMembership:
    return TeamMembership.objects.get(user=user, team=team)


def audit(team) -> list[tuple[str, str, str, str]]:
    rows = TeamAuditEntry.objects.filter(team=team).order_by("id")
    return [(e.actor_name, e.action, e.subject, e.detail) for e in rows]


def key_works(plain: str) -> bool:
    api = APIClient()
    answer = api.get("/analytics/ai-code/commits", HTTP_AUTHORIZATION=basic(plain))
    return answer.status_code == 200


@pytest.mark.django_db
def test_a_viewer_is_refused_with_the_403_page_and_nothing_changes(team, owner_user, teammate_user):
    viewer = signed_in(teammate_user)
    page = viewer.get(MANAGE)
    assert page.status_code == 403 and "Only the team's admins manage the team." in text(page)
    key_count = ApiKey.objects.count()
    posts = [
        (f"{MANAGE}members/", {"email": "x@acme.example", "role": "admin"}),
        (f"{MANAGE}members/{membership(teammate_user, team).pk}/role/", {"role": "admin"}),
        (f"{MANAGE}members/{membership(owner_user, team).pk}/remove/", {}),
        (f"{MANAGE}keys/", {"name": "mine", "can_read": "on"}),
    ]
    assert [viewer.post(url, data).status_code for url, data in posts] == [403] * 4
    assert membership(teammate_user, team).role == Role.VIEWER
    assert ApiKey.objects.count() == key_count and audit(team) == []
    assert "Manage team" not in viewer.get("/dashboard/acme/").text


@pytest.mark.django_db
def test_an_outsider_gets_404_and_anonymous_people_the_sign_in(team, outsider_user):
    assert signed_in(outsider_user).get(MANAGE).status_code == 404
    response = Client().get(MANAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_an_admin_adds_people_and_a_new_login_gets_a_password_shown_once(team, owner_user):
    admin = signed_in(owner_user)
    assert "Manage team" in admin.get("/dashboard/acme/").text
    added = admin.post(f"{MANAGE}members/", {"email": " New@Acme.example ", "role": "viewer"})
    assert added.status_code == 200
    password = re.search(r'id="new-password">([^<]+)<', added.text).group(1)
    assert "private" in added["Cache-Control"] and "no-store" in added["Cache-Control"]
    new = authenticate(username="new@acme.example", password=password)
    assert new is not None and membership(new, team).role == Role.VIEWER
    assert password not in admin.get(MANAGE).text

    again = admin.post(f"{MANAGE}members/", {"email": "new@acme.example", "role": "admin"})
    assert again.status_code == 400 and "is already a member (viewer)" in again.text
    bad = admin.post(f"{MANAGE}members/", {"email": "not an email", "role": "viewer"})
    assert bad.status_code == 400 and "Enter a valid email address." in bad.text
    wrong_role = admin.post(f"{MANAGE}members/", {"email": "z@acme.example", "role": "owner"})
    assert wrong_role.status_code == 400 and "Select a valid choice" in wrong_role.text

    existing = person("already@acme.example")  # a login without this team
    joined = admin.post(f"{MANAGE}members/", {"email": existing.username, "role": "admin"})
    assert joined.status_code == 302
    assert "already@acme.example joined as admin." in admin.get(MANAGE).text
    assert audit(team) == [
        ("owner@acme.example", "member_added", "new@acme.example", "role viewer; login created"),
        ("owner@acme.example", "member_added", "already@acme.example", "role admin"),
    ]


@pytest.mark.django_db
def test_roles_change_and_the_last_admin_is_kept(team, owner_user, teammate_user):
    admin = signed_in(owner_user)
    own = membership(owner_user, team).pk
    demote = admin.post(f"{MANAGE}members/{own}/role/", {"role": "viewer"})
    assert demote.status_code == 400
    assert "owner@acme.example is the team's only admin" in text(demote)
    remove = admin.post(f"{MANAGE}members/{own}/remove/")
    assert remove.status_code == 400 and membership(owner_user, team).role == Role.ADMIN

    mate = membership(teammate_user, team).pk
    assert admin.post(f"{MANAGE}members/{mate}/role/", {"role": "admin"}).status_code == 302
    assert membership(teammate_user, team).role == Role.ADMIN
    # Now there are two admins: the owner may step down.
    assert admin.post(f"{MANAGE}members/{own}/role/", {"role": "viewer"}).status_code == 302
    assert admin.get(MANAGE).status_code == 403  # a viewer now
    assert [row[1:] for row in audit(team)] == [
        ("role_changed", "teammate@acme.example", "viewer -> admin"),
        ("role_changed", "owner@acme.example", "admin -> viewer"),
    ]


@pytest.mark.django_db
def test_removing_a_member_keeps_their_login(team, owner_user, teammate_user):
    admin = signed_in(owner_user)
    mate = membership(teammate_user, team).pk
    assert admin.post(f"{MANAGE}members/{mate}/remove/").status_code == 302
    assert not TeamMembership.objects.filter(pk=mate).exists()
    assert get_user_model().objects.filter(pk=teammate_user.pk).exists()
    assert signed_in(teammate_user).get("/dashboard/acme/").status_code == 404
    assert audit(team)[-1][1:] == ("member_removed", "teammate@acme.example", "was viewer")


@pytest.mark.django_db
def test_keys_are_created_shown_once_and_revoked(team, owner_user):
    admin = signed_in(owner_user)
    created = admin.post(f"{MANAGE}keys/", {"name": "CI export", "can_read": "on"})
    assert created.status_code == 201
    plain = re.search(r'id="plain-key">(ak_\w+)<', created.text).group(1)
    assert "no-store" in created["Cache-Control"]
    assert all(plain not in morsel.value for morsel in admin.cookies.values())
    assert key_works(plain)
    listing = admin.get(MANAGE).text
    assert plain not in listing and f"{plain[:11]}…" in listing

    none = admin.post(f"{MANAGE}keys/", {"name": "nothing"})
    assert none.status_code == 400 and "allowed to read, to ingest, or both" in none.text

    key = ApiKey.objects.get(prefix=plain[:11])
    assert admin.post(f"{MANAGE}keys/{key.pk}/revoke/").status_code == 302
    assert not key_works(plain)
    assert [row[1:] for row in audit(team)] == [
        ("key_created", plain[:11], "CI export: read"),
        ("key_revoked", plain[:11], "CI export"),
    ]
    page = admin.get(MANAGE).text
    assert 'data-action="key_revoked"' in page and "CI export" in page


@pytest.mark.django_db
def test_ids_of_another_team_are_404s(team, owner_user, outsider_team, outsider_user):
    admin = signed_in(owner_user)
    theirs = membership(outsider_user, outsider_team).pk
    their_key, their_plain = ApiKey.objects.create_key(team=outsider_team, name="theirs")
    assert admin.post(f"{MANAGE}members/{theirs}/role/", {"role": "admin"}).status_code == 404
    assert admin.post(f"{MANAGE}members/{theirs}/remove/").status_code == 404
    assert admin.post(f"{MANAGE}keys/{their_key.pk}/revoke/").status_code == 404
    assert membership(outsider_user, outsider_team).role == Role.VIEWER
    assert key_works(their_plain)
    assert not ApiKey.objects.get(pk=their_key.pk).revoked and audit(team) == []


@pytest.mark.django_db
def test_a_superuser_manages_any_team(team, superuser):
    assert signed_in(superuser).get(MANAGE).status_code == 200


@pytest.mark.django_db
def test_the_management_page_needs_a_csrf_token(team, owner_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner_user)
    assert client.post(f"{MANAGE}keys/", {"name": "x", "can_read": "on"}).status_code == 403
    assert ApiKey.objects.filter(name="x").count() == 0


@pytest.mark.django_db
def test_an_admin_sets_the_team_time_zone_and_the_dashboard_days_follow(
    team, owner_user, teammate_user
):
    admin = signed_in(owner_user)
    url = MANAGE + "time-zone/"
    refused = admin.post(url, {"time_zone": "Mars/Olympus"})
    assert refused.status_code == 400
    assert "is not an IANA time zone name" in text(refused)
    team.refresh_from_db()
    assert team.time_zone == "UTC"

    assert admin.post(url, {"time_zone": "Asia/Tokyo"}).status_code == 302
    team.refresh_from_db()
    assert team.time_zone == "Asia/Tokyo"
    assert audit(team) == [("owner@acme.example", "time_zone_set", "Asia/Tokyo", "was UTC")]
    assert signed_in(teammate_user).get("/dashboard/acme/").context["filters"].zone == "Asia/Tokyo"

    # A viewer may not change it.
    assert signed_in(teammate_user).post(url, {"time_zone": "UTC"}).status_code == 403
    team.refresh_from_db()
    assert team.time_zone == "Asia/Tokyo"
