"""Sign-in limits (dashboard/auth.py): per user name and client address pair, per address and
site-wide; the name counted as authentication reads it; the client address from the trusted
proxy's X-Forwarded-For; a refused attempt is the styled sign-in page, 429, without a
traceback in the log. (Through a real nginx: tests/deploy/test_login_behind_nginx.py.)"""

from __future__ import annotations

import logging
import time
from types import SimpleNamespace

import pytest
from django.test import Client

from tests.dashboard.conftest import PASSWORD, person

NAME = "viewer@acme.example"
# Spellings that Django's AuthenticationForm turns into NAME (strip, NFKC) or that only differ
# in case: each reaches the same account, so each must count against the same name.
SPELLINGS = [
    NAME, f"{NAME} ", f" {NAME}", f"\t{NAME}", f"{NAME}\n", "ｖiewer@acme.example",
    "ＶＩＥＷＥＲ@acme.example", "Viewer@acme.example", f"\u3000{NAME}", "viewer＠acme.example",
]  # fmt: skip


@pytest.fixture(autouse=True)
def mid_minute(monkeypatch):
    """The limits count per fixed minute: pin django-ratelimit's clock mid-minute."""
    import django_ratelimit.core

    frozen = int(time.time()) // 60 * 60 + 30
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: frozen))


@pytest.fixture
def viewer(team):
    return person(NAME, team=team)


def attempt(username: str, password: str = "wrong", **meta):
    return Client().post("/accounts/login/", {"username": username, "password": password}, **meta)


@pytest.mark.django_db
def test_every_spelling_authentication_merges_counts_as_the_same_name(viewer):
    attacker = {"REMOTE_ADDR": "203.0.113.7"}
    assert [attempt(s, **attacker).status_code for s in SPELLINGS] == [200] * 10
    refused = attempt(f"\t{NAME.upper()} ", **attacker)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many sign-in attempts for this user name from your address" in refused.text
    assert '<link rel="stylesheet"' in refused.text  # the dashboard's page, not a bare 403
    # The same address guessing another name, and the person from their own address, go on.
    assert attempt("someone@acme.example", **attacker).status_code == 200
    assert attempt(NAME, PASSWORD, REMOTE_ADDR="198.51.100.20").status_code == 302


@pytest.mark.django_db
def test_behind_the_proxy_one_guesser_does_not_lock_out_the_others(viewer, team):
    """Every request comes from nginx (127.0.0.1); X-Forwarded-For names the client."""
    colleague = person("colleague@acme.example", team=team)
    via_proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(11):
        last = attempt(NAME, HTTP_X_FORWARDED_FOR="203.0.113.7", **via_proxy)
    assert last.status_code == 429
    # A forged X-Forwarded-For entry in front of the proxy's does not give a fresh counter.
    forged = attempt(NAME, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7", **via_proxy)
    assert forged.status_code == 429
    for user, address in ((viewer, "198.51.100.1"), (colleague, "198.51.100.2")):
        ok = attempt(user.username, PASSWORD, HTTP_X_FORWARDED_FOR=address, **via_proxy)
        assert ok.status_code == 302, user


@pytest.mark.django_db
def test_an_untrusted_client_cannot_choose_its_address(viewer):
    statuses = [
        attempt(NAME, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
        for i in range(11)
    ]
    assert statuses[-1] == 429


@pytest.mark.django_db
def test_one_address_spraying_names_meets_the_address_limit(viewer, settings):
    settings.DASHBOARD_LOGIN_ADDRESS_RATE = "5/m"
    statuses = [
        attempt(f"n{i}@acme.example", REMOTE_ADDR="203.0.113.8").status_code for i in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    assert attempt(NAME, PASSWORD, REMOTE_ADDR="198.51.100.3").status_code == 302


@pytest.mark.django_db
def test_the_site_ceiling_counts_only_what_narrower_limits_let_through(viewer, settings):
    settings.DASHBOARD_LOGIN_RATE = "2/m"
    settings.DASHBOARD_LOGIN_GLOBAL_RATE = "6/m"
    # One address hammering one name is stopped by its pair limit: 2 counted site-wide.
    for _ in range(20):
        attempt(NAME, REMOTE_ADDR="203.0.113.9")
    assert attempt(NAME, PASSWORD, REMOTE_ADDR="198.51.100.4").status_code == 302
    # Guesses from many addresses reach the ceiling, which then holds for everyone.
    statuses = [attempt(NAME, REMOTE_ADDR=f"192.0.2.{i}").status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "Too many sign-in attempts. Try again" in attempt(NAME, REMOTE_ADDR="192.0.2.99").text


@pytest.mark.django_db
def test_a_refused_attempt_is_one_log_line_without_a_traceback(viewer, caplog):
    with caplog.at_level(logging.INFO):
        for _ in range(12):
            attempt(NAME, REMOTE_ADDR="203.0.113.10")
    refused = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert refused and all(r.exc_info is None for r in caplog.records)
    assert "Sign-in refused: over the pair limit (client 203.0.113.10)" in refused[0].getMessage()
    assert NAME not in caplog.text  # the guessed name is not logged
