"""The demo login that `make run` prints opens the demo team's dashboard. (create_team --owner
and add_team_member are tested in tests/teams.)"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import authenticate

from tests.commands import run


@pytest.mark.django_db
def test_the_demo_prints_a_login_that_opens_the_demo_team(monkeypatch):
    from tracking import demo as demo_module
    from tracking.management.commands import demo

    small = demo_module.DemoSize(members=2, repos=1, days=3, commits=5, changes=5, messages=2)
    monkeypatch.setattr(demo, "DemoSize", lambda: small)
    out = run("demo", "--port", "8000")
    assert "Dashboard: http://127.0.0.1:8000/" in out
    password = re.search(r"Demo login: demo@acme.example  password: (\S+)", out).group(1)
    user = authenticate(username="demo@acme.example", password=password)
    assert user.team_memberships.get().team.slug == "acme-demo"
    # A second run prints a new password, and the old one no longer works.
    again = re.search(r"password: (\S+)", run("demo")).group(1)
    assert again != password
    assert authenticate(username="demo@acme.example", password=password) is None
