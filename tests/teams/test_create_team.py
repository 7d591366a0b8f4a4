"""`manage.py create_team`: a team, its first key (read and ingest) and optionally its dashboard
admin, printed once as text or one JSON object; bad input is a CommandError naming the option."""

from __future__ import annotations

import json
import uuid

import pytest
from django.contrib.auth import authenticate
from django.core.management.base import CommandError

from teams.auth import key_lookup
from teams.models import ApiKey, Team, TeamMembership, hash_key
from tests.commands import run, run_json


def test_it_creates_a_team_and_prints_id_slug_and_a_read_ingest_key(db):
    output = run("create_team", "Initech Labs")

    team = Team.objects.get(slug="initech-labs")
    key = ApiKey.objects.get(team=team)
    plain = output.strip().splitlines()[-1]
    assert str(team.uuid) in output
    assert "initech-labs" in output
    assert key_lookup(plain) == key
    assert key.can_read and key.can_ingest and not key.revoked


def test_json_output_is_one_object_with_team_and_key(db):
    payload = run_json("create_team", "Initech", "--slug", "ini")

    team = Team.objects.get(slug="ini")
    assert payload == {
        "team": {"id": str(team.uuid), "slug": "ini", "name": "Initech"},
        "apiKey": payload["apiKey"],
    }
    assert uuid.UUID(payload["team"]["id"])
    assert key_lookup(payload["apiKey"]).team == team


def test_only_the_hash_of_the_key_is_stored(db):
    payload = run_json("create_team", "Initech")

    key = ApiKey.objects.get()
    assert key.hashed_key == hash_key(payload["apiKey"])
    assert payload["apiKey"] not in {key.prefix, key.hashed_key, key.name}


def test_it_refuses_a_duplicate_slug(team):
    with pytest.raises(CommandError, match="'acme' already exists"):
        run("create_team", "Acme")
    assert Team.objects.count() == 1


def test_it_refuses_an_empty_name(db):
    with pytest.raises(CommandError, match="name is empty"):
        run("create_team", "   ")
    assert not Team.objects.exists()


def test_it_refuses_a_name_without_slug_characters_unless_a_slug_is_given(db):
    with pytest.raises(CommandError, match="--slug"):
        run("create_team", "!!!")
    assert run_json("create_team", "!!!", "--slug", "bang")["team"]["slug"] == "bang"


def test_it_refuses_a_name_longer_than_the_column(db):
    with pytest.raises(CommandError, match="at most 200"):
        run("create_team", "x" * 201)
    assert not Team.objects.exists()


def test_a_bad_owner_email_names_the_option_and_creates_no_team(db):
    with pytest.raises(CommandError, match=r"'lead' is not an email address\. Set it with --owner"):
        run("create_team", "Initech", "--owner", "lead")
    assert not Team.objects.exists()


@pytest.mark.django_db
def test_create_team_with_an_owner_makes_them_its_admin_with_a_printed_password():
    payload = json.loads(
        run("create_team", "Platform Team", "--owner", "Lead@Example.com", "--json")
    )
    assert payload["owner"]["login"] == "lead@example.com"
    membership = TeamMembership.objects.get(team__slug="platform-team")
    assert membership.role == "admin" and membership.user.username == "lead@example.com"
    assert authenticate(username="lead@example.com", password=payload["owner"]["password"])
