"""The commands that let people in: create_team --owner, add_team_member, and the demo login
that `make run` prints."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from teams.models import TeamMembership


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_create_team_with_an_owner_makes_them_its_admin_with_a_printed_password():
    payload = json.loads(
        run("create_team", "Platform Team", "--owner", "Lead@Example.com", "--json")
    )
    assert payload["owner"]["login"] == "lead@example.com"
    membership = TeamMembership.objects.get(team__slug="platform-team")
    assert membership.role == "admin" and membership.user.username == "lead@example.com"
    assert authenticate(username="lead@example.com", password=payload["owner"]["password"])


@pytest.mark.django_db
def test_add_team_member_creates_a_viewer_and_changes_a_role_without_a_new_password(team):
    out = run("add_team_member", "--team", "acme", "dev@acme.example")
    password = out.strip().splitlines()[-1]
    assert authenticate(username="dev@acme.example", password=password)
    out = run("add_team_member", "--team", "acme", "dev@acme.example", "--role", "admin")
    assert "password" not in out
    assert TeamMembership.objects.get(user__username="dev@acme.example").role == "admin"


@pytest.mark.django_db
def test_add_team_member_refuses_an_unknown_team_and_a_bad_email(team):
    with pytest.raises(CommandError, match="No team"):
        run("add_team_member", "--team", "nope", "dev@acme.example")
    with pytest.raises(CommandError, match="not an email"):
        run("add_team_member", "--team", "acme", "not-an-email")


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
