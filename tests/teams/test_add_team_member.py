"""`manage.py add_team_member`: a person's login (created if missing, its password printed once)
and their role in a team."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError

from teams.models import TeamMembership
from tests.commands import run


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
