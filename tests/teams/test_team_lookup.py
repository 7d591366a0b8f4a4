"""teams.selectors.team_from_arg: one --team lookup for every operator command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from teams.selectors import team_from_arg


def test_a_team_is_found_by_slug_or_uuid_with_spaces_around(team):
    assert team_from_arg("acme") == team
    assert team_from_arg(f" {team.uuid} ") == team


@pytest.mark.parametrize("value", ["nope", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_team_is_a_lookup_error_outside_commands(db, value):
    with pytest.raises(LookupError, match="No team with"):
        team_from_arg(value)


@pytest.mark.parametrize(
    ("command", "args"),
    [("create_api_key", []), ("seed_demo", []), ("ingest", ["unused.ndjson"])],
)
def test_every_operator_command_names_an_unknown_team_the_same_way(db, command, args):
    with pytest.raises(CommandError, match="No team with slug 'ghost'. Create it with"):
        call_command(command, *args, team="ghost", stdout=io.StringIO(), stderr=io.StringIO())
