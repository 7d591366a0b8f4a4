"""What the operator commands share: the --team option resolved once, the domain's refusals
turned into CommandErrors that name the command's own option, and the JSON of a new key."""

from __future__ import annotations

from django.core.management.base import CommandError

from teams.models import Team
from teams.selectors import TeamNotFound, team_from_arg
from teams.services import InvalidInput


def team_option(value: str) -> Team:
    """The team an operator named by slug or UUID; a CommandError (exit 1) naming what was
    tried otherwise."""
    try:
        return team_from_arg(value)
    except TeamNotFound as exc:
        raise CommandError(str(exc)) from None


def refused(exc: InvalidInput, *, options: dict[str, str]) -> CommandError:
    """The service's refusal as the command's error, pointing at the option for the value at
    fault (`options`: the service's field name -> the command's option)."""
    option = options.get(exc.field)
    return CommandError(f"{exc} Set it with {option}." if option else str(exc))


def key_payload(team: Team, plain_key: str) -> dict:
    """The one JSON object both operator commands print with --json."""
    return {
        "team": {"id": str(team.uuid), "slug": team.slug, "name": team.name},
        "apiKey": plain_key,
    }
