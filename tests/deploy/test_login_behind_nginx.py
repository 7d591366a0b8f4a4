"""Sign-in through the documented production stack (deploy/nginx-site.conf over TLS on a
non-default port, gunicorn, production settings): one guesser does not lock out the others.

Clients reach nginx from different loopback addresses (127.0.0.2, 127.0.0.3, ...); gunicorn
only ever sees nginx (127.0.0.1), so the app must read the client from X-Forwarded-For. Before
TRUSTED_PROXIES every sign-in counted against 127.0.0.1: one guesser locked everyone out."""

from __future__ import annotations

import http.client
import os
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest

from tests.deploy.stack import NGINX, production_stack, tls_context

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(NGINX), reason="nginx is not installed"),
]

PASSWORD = "correct-horse-battery"
PEOPLE = ["ada@acme.example", "bob@acme.example", "cy@acme.example"]
SETUP = (
    "from django.contrib.auth import get_user_model\n"
    f"for name in {PEOPLE!r}:\n"
    f"    get_user_model().objects.create_user(username=name, password={PASSWORD!r})\n"
)


def sign_in(stack, source: str, username: str, password: str, forwarded: str = ""):
    """GET the form (cookie and token), POST it with the browser's Origin; the response."""

    def conn():
        return http.client.HTTPSConnection(
            "127.0.0.1", stack.https, timeout=30, context=tls_context(), source_address=(source, 0)
        )

    c = conn()
    c.request("GET", "/accounts/login/")
    form = c.getresponse()
    page = form.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookie = SimpleCookie(form.headers["Set-Cookie"])["csrftoken"].value
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookie}",
        "Origin": stack.base,  # the port is kept by `Host $http_host`, so this matches
    }
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
    c.request("POST", "/accounts/login/", body=body, headers=headers)
    response = c.getresponse()
    response.text = response.read().decode()
    c.close()
    return response


def test_one_guesser_behind_nginx_does_not_lock_out_the_others(tmp_path):
    with production_stack(tmp_path, setup=SETUP) as stack:
        # The guesser, at 127.0.0.2, tries spellings of ada's name and forges its address.
        spellings = [
            "ada@acme.example",
            "ada@acme.example ",
            "\tada@acme.example",
            "ａda@acme.example",
        ]
        statuses = [
            sign_in(stack, "127.0.0.2", spellings[i % 4], "guess", forwarded=f"10.0.0.{i}").status
            for i in range(11)
        ]
        assert statuses == [200] * 10 + [429], statuses
        refused = sign_in(stack, "127.0.0.2", "ADA@acme.example", "guess")
        assert refused.status == 429
        assert refused.headers["Retry-After"].isdigit()
        assert "Too many sign-in attempts" in refused.text and "dashboard.css" in refused.text
        # Everyone else, ada included, signs in from their own address in the same minute.
        for source, name in zip(["127.0.0.3", "127.0.0.4", "127.0.0.5"], PEOPLE, strict=True):
            ok = sign_in(stack, source, name, PASSWORD)
            assert ok.status == 302, (name, ok.status, ok.text[:300])
            assert ok.headers["Location"] == "/"
        log = (tmp_path / "gunicorn.log").read_text()
    assert "Traceback" not in log
    assert "Sign-in refused: over the pair limit (client 127.0.0.2)" in log


def test_http_redirects_to_https_and_https_answers_with_hsts(tmp_path):
    with production_stack(tmp_path) as stack:
        plain = http.client.HTTPConnection("127.0.0.1", stack.http, timeout=10)
        plain.request("GET", "/accounts/login/?next=/dashboard/")
        redirect = plain.getresponse()
        assert redirect.status == 301
        assert redirect.headers["Location"] == "https://127.0.0.1/accounts/login/?next=/dashboard/"
        secure = http.client.HTTPSConnection(
            "127.0.0.1", stack.https, timeout=10, context=tls_context()
        )
        secure.request("GET", "/accounts/login/")
        page = secure.getresponse()
        page.read()
        assert page.status == 200
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
