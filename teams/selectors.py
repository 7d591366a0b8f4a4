"""Reads of the teams app."""

from __future__ import annotations

import uuid

from django.core.management.base import CommandError

from teams.models import Team


class TeamNotFound(CommandError, LookupError):
    """A CommandError, so an operator command shows the message as it is; a LookupError for
    any other caller."""


def team_from_arg(value: str) -> Team:
    """The team named by its slug or its UUID (an operator's --team), or TeamNotFound saying
    which was tried."""
    value = value.strip()
    try:
        return Team.objects.get(uuid=uuid.UUID(value))
    except ValueError:
        pass  # not a UUID: try it as a slug
    except Team.DoesNotExist:
        raise TeamNotFound(f"No team with id {value}.") from None
    try:
        return Team.objects.get(slug=value)
    except Team.DoesNotExist:
        raise TeamNotFound(
            f"No team with slug {value!r}. Create it with: manage.py create_team NAME"
        ) from None
