"""What the operator commands share: the --team option, resolved once."""

from __future__ import annotations

from django.core.management.base import CommandError

from teams.models import Team
from teams.selectors import TeamNotFound, team_from_arg


def team_option(value: str) -> Team:
    """The team an operator named by slug or UUID; a CommandError (exit 1) naming what was
    tried otherwise."""
    try:
        return team_from_arg(value)
    except TeamNotFound as exc:
        raise CommandError(str(exc)) from None
