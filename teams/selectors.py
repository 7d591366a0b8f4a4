"""Reads of the teams app."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from teams.models import Team


class TeamNotFound(LookupError):
    """No team by that slug or UUID; the message says which was tried. Commands turn it into
    a CommandError (teams.management.options.team_option): the domain knows no CLI."""


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


def teams_for_user(user) -> QuerySet[Team]:
    """The teams a signed-in person may see: every team for a superuser, else their teams."""
    if not user.is_authenticated:
        return Team.objects.none()
    if user.is_superuser:
        return Team.objects.all()
    return Team.objects.filter(memberships__user=user)


def team_for_user(user, *, slug: str | None = None, team_uuid: uuid.UUID | None = None) -> Team:
    """One team the person may see, by slug or UUID; Team.DoesNotExist for any other team (the
    caller answers 404, so a team's existence is not revealed to outsiders)."""
    lookup = {"slug": slug} if slug is not None else {"uuid": team_uuid}
    return teams_for_user(user).get(**lookup)
