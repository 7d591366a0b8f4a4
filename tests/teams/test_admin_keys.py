from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from rest_framework.exceptions import AuthenticationFailed

from teams.auth import key_lookup
from teams.models import ApiKey, hash_key
from tests.factories import make_key


def add_key(admin: Client, team, **fields):
    data = {"team": team.pk, "name": "from admin", **fields}
    return admin.post("/admin/teams/apikey/add/", data, follow=True)


def test_creating_a_key_shows_the_plain_key_once(admin, team):
    response = add_key(admin, team, can_read="on", can_ingest="on")

    plain = re.search(r"<code>(ak_\w+)</code>", response.content.decode()).group(1)
    key = key_lookup(plain)
    assert key.team == team and key.can_read and key.can_ingest
    again = admin.get("/admin/teams/apikey/").content.decode()
    assert plain not in again
    assert plain not in admin.get(f"/admin/teams/apikey/{key.pk}/change/").content.decode()


def test_a_created_key_is_stored_only_as_its_hash(admin, team):
    response = add_key(admin, team, can_read="on")

    plain = re.search(r"<code>(ak_\w+)</code>", response.content.decode()).group(1)
    key = ApiKey.objects.get()
    assert key.hashed_key == hash_key(plain)
    assert plain not in (key.prefix, key.name, key.hashed_key)
    assert (key.can_read, key.can_ingest) == (True, False)
    assert not any(plain in entry.change_message + entry.object_repr
                   for entry in LogEntry.objects.all())  # fmt: skip


def test_the_add_form_offers_only_team_name_and_permissions(admin, team):
    html = admin.get("/admin/teams/apikey/add/").content.decode()

    for name in ("team", "name", "can_read", "can_ingest"):
        assert f'name="{name}"' in html
    for name in ("hashed_key", "prefix", "revoked"):
        assert f'name="{name}"' not in html


def test_the_hash_never_appears_on_any_key_page(admin, team):
    key, _plain = make_key(team, name="visible")
    pages = [
        "/admin/teams/apikey/",
        "/admin/teams/apikey/?q=visible",
        f"/admin/teams/apikey/{key.pk}/change/",
        f"/admin/teams/apikey/{key.pk}/delete/",
        f"/admin/teams/apikey/{key.pk}/history/",
        "/admin/teams/apikey/add/",
    ]
    for page in pages:
        response = admin.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert key.hashed_key not in html, page
        assert key.hashed_key[:16] not in html, page
        assert "hashed" not in html.lower(), page


def test_the_revoke_action_revokes_the_selected_keys_only(admin, team, read_key):
    chosen, _ = make_key(team, name="leaked")
    kept, _ = make_key(team, name="kept")

    response = admin.post(
        "/admin/teams/apikey/",
        {"action": "revoke_keys", "_selected_action": [chosen.pk]},
        follow=True,
    )

    assert "Revoked 1 key(s)." in response.content.decode()
    chosen.refresh_from_db()
    kept.refresh_from_db()
    assert chosen.revoked and not kept.revoked


def test_a_revoked_key_stops_authenticating(admin, team):
    key, plain = make_key(team, name="leaked")
    admin.post("/admin/teams/apikey/", {"action": "revoke_keys", "_selected_action": [key.pk]})

    with pytest.raises(AuthenticationFailed, match="revoked"):
        key_lookup(plain)


def test_editing_a_key_cannot_change_its_team_or_unrevoke_it(admin, team, outsider_team):
    key, _ = make_key(team, name="old")
    ApiKey.objects.filter(pk=key.pk).update(revoked=True)

    admin.post(
        f"/admin/teams/apikey/{key.pk}/change/",
        {"team": outsider_team.pk, "name": "renamed", "can_read": "on", "revoked": ""},
    )

    key.refresh_from_db()
    assert (key.name, key.team, key.revoked) == ("renamed", team, True)


def test_the_key_list_makes_a_bounded_number_of_queries(
    admin, team, outsider_team, django_assert_max_num_queries
):
    for i in range(30):
        make_key(team if i % 2 else outsider_team, name=f"k{i}")

    with django_assert_max_num_queries(8):
        assert admin.get("/admin/teams/apikey/").status_code == 200


def test_pasting_a_whole_key_into_search_finds_it_by_prefix(admin, team):
    key, plain = make_key(team, name="needle")
    make_key(team, name="hay")

    html = admin.get(f"/admin/teams/apikey/?q={plain}").content.decode()

    assert f"/admin/teams/apikey/{key.pk}/change/" in html
    assert "hay" not in html
