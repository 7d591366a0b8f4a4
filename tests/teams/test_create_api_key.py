from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from teams.auth import key_lookup
from teams.models import ApiKey
from tests.commands import run, run_json


@pytest.mark.parametrize(
    ("flags", "can_read", "can_ingest"),
    [
        ((), True, False),
        (("--read",), True, False),
        (("--ingest",), False, True),
        (("--read", "--ingest"), True, True),
    ],
)
def test_flags_set_the_permissions(team, flags, can_read, can_ingest):
    payload = run_json("create_api_key", "--team", "acme", *flags)

    key = key_lookup(payload["apiKey"])
    assert (key.can_read, key.can_ingest) == (can_read, can_ingest)


def test_team_may_be_named_by_uuid(team):
    payload = run_json("create_api_key", "--team", str(team.uuid), "--name", "ci")

    assert payload["team"] == {"id": str(team.uuid), "slug": "acme", "name": "Acme"}
    assert key_lookup(payload["apiKey"]).name == "ci"


def test_text_output_ends_with_the_key_and_names_permissions(team):
    output = run("create_api_key", "--team", "acme", "--ingest", "--read")

    assert "read + ingest" in output
    assert key_lookup(output.strip().splitlines()[-1]).team == team


def test_each_call_makes_a_new_key(team):
    first = run_json("create_api_key", "--team", "acme")["apiKey"]
    second = run_json("create_api_key", "--team", "acme")["apiKey"]

    assert first != second
    assert ApiKey.objects.filter(team=team).count() == 2


@pytest.mark.parametrize("value", ["nope", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_team_is_a_clear_error(db, value):
    with pytest.raises(CommandError, match="No team with"):
        run("create_api_key", "--team", value)
    assert not ApiKey.objects.exists()


def test_a_key_of_one_team_belongs_to_that_team_only(team, outsider_team):
    payload = run_json("create_api_key", "--team", "globex")

    assert key_lookup(payload["apiKey"]).team == outsider_team


def test_a_name_longer_than_the_column_is_a_clear_error(team):
    with pytest.raises(CommandError, match="at most 100"):
        run("create_api_key", "--team", "acme", "--name", "k" * 101)
    assert not ApiKey.objects.exists()
