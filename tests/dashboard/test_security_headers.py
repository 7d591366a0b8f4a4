"""Defence in depth: a Content-Security-Policy without inline script on every page, a fresh
nonce per response; `Cache-Control: private, no-store` on what a signed-in person gets; the
admin's new-key message kept in the session, never in a cookie. (HSTS and the TLS redirect:
tests/deploy/test_login_behind_nginx.py; the policy in Chromium: test_browser_csp.py.)"""

from __future__ import annotations

import base64
import re

import pytest
from django.test import Client

from tests.dashboard.conftest import person
from tests.dashboard.test_access import signed_in


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/no-such-page/", "/api/docs/"])
def test_every_page_has_a_policy_without_inline_script(path):
    first, second = Client().get(path), Client().get(path)
    policy = directives(first)
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]
    nonce = re.search(r"'nonce-([\w-]+)'", policy["script-src"]).group(1)
    assert len(base64.urlsafe_b64decode(nonce + "==")) == 16
    assert nonce not in directives(second)["script-src"]  # a new one per response


@pytest.mark.django_db
def test_dashboard_pages_allow_no_inline_style_and_the_api_docs_script_is_a_file():
    assert directives(Client().get("/accounts/login/"))["style-src"] == "'self'"
    docs = Client().get("/api/docs/").text
    assert re.search(r"<script>\s*\S", docs) is None  # Swagger UI's start-up script: a URL
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.text


@pytest.mark.django_db
def test_signed_in_pages_are_private_and_not_stored(seeded, teammate_user):
    client = signed_in(teammate_user)
    for path in ("/dashboard/acme/", "/accounts/password/", "/no-such-page/"):
        cache_control = client.get(path)["Cache-Control"]
        assert {"private", "no-store"} <= {p.strip() for p in cache_control.split(",")}, path
    assert "Cache-Control" not in Client().get("/no-such-page/")  # anonymous: nothing private


@pytest.mark.django_db
def test_the_new_key_message_stays_in_the_session_not_in_a_cookie(team):
    admin = Client()
    admin.force_login(person("root@example.com", is_superuser=True, is_staff=True))
    created = admin.post(
        "/admin/teams/apikey/add/", {"team": team.pk, "name": "ci", "can_read": "on"}
    )
    assert created.status_code == 302
    assert "messages" not in created.cookies  # it was: a signed, readable cookie with the key
    shown = admin.get(created["Location"]).text
    plain = re.search(r"<code>(ak_\w+)</code>", shown).group(1)
    assert all(plain not in morsel.value for morsel in admin.cookies.values())
    assert plain not in admin.get(created["Location"]).text  # shown once


@pytest.mark.django_db
def test_api_answers_to_a_key_keep_their_revalidatable_cache_control(team, read_key):
    from rest_framework.test import APIClient

    from tests.conftest import basic

    api = APIClient()
    answer = api.get("/analytics/ai-code/commits", HTTP_AUTHORIZATION=basic(read_key))
    assert answer.status_code == 200 and answer["Cache-Control"] == "private"
