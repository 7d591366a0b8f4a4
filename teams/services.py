"""Writes of the teams app: teams, API keys and people's memberships, for the operator commands,
the admin and the demo. Bad input is an InvalidInput (a ValueError) whose message is meant for
a person; the commands turn it into a CommandError: the domain knows no CLI."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify

from teams.models import ApiKey, Team, TeamMembership, normalize_email


class InvalidInput(ValueError):
    """A team, key or membership cannot be made from these values. `field` names the value at
    fault ("name", "slug", "email", "role"), so a caller can point at its own input for it."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


def _bounded(value: str, *, model: type, field: str, label: str) -> str:
    """`value` trimmed, or InvalidInput when it is longer than the model's column."""
    value = value.strip()
    limit = model._meta.get_field(field).max_length
    if len(value) > limit:
        raise InvalidInput(
            f"The {label} is {len(value)} characters long; at most {limit}.", field=field
        )
    return value


def user_for_email(email: str) -> tuple[object, str | None]:
    """The login whose user name is this email, created with a random password when missing.

    Returns (user, the new plain password or None when the user already existed)."""
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(f"{email!r} is not an email address.", field="email") from None
    User = get_user_model()
    user = User.objects.filter(username=email).first()
    if user is not None:
        return user, None
    password = secrets.token_urlsafe(12)
    user = User.objects.create_user(username=email, email=email, password=password)
    return user, password


def membership_set(*, team: Team, email: str, role: str) -> tuple[TeamMembership, str | None]:
    """Give the login `email` (created if needed) `role` in `team`; the new password if any."""
    if role not in TeamMembership.Role.values:
        roles = ", ".join(TeamMembership.Role.values)
        raise InvalidInput(f"The role must be one of {roles}.", field="role")
    with transaction.atomic():
        user, password = user_for_email(email)
        membership, _ = TeamMembership.objects.update_or_create(
            team=team, user=user, defaults={"role": role}
        )
    return membership, password


def api_key_create(
    *, team: Team, name: str = "", can_read: bool, can_ingest: bool
) -> tuple[ApiKey, str]:
    """A new key of `team` and its plain text, which is returned this once and never stored."""
    name = _bounded(name, model=ApiKey, field="name", label="key name")
    return ApiKey.objects.create_key(team=team, name=name, can_read=can_read, can_ingest=can_ingest)


@dataclass(frozen=True)
class NewTeam:
    team: Team
    key: ApiKey
    plain_key: str  # the key's text, shown once
    owner: TeamMembership | None = None
    owner_password: str | None = None  # set when the owner's login was created


FIRST_KEY_NAME = "created with team"


def team_create(*, name: str, slug: str = "", owner_email: str = "") -> NewTeam:
    """A team named `name` (its slug from `slug`, else from the name), a first key that may
    read and ingest, and `owner_email` (a login, created if missing) as its dashboard admin;
    all or nothing."""
    name = _bounded(name, model=Team, field="name", label="team name")
    if not name:
        raise InvalidInput("The team name is empty.", field="name")
    slug = slugify(slug.strip() or name)[: Team._meta.get_field("slug").max_length]
    if not slug:
        raise InvalidInput(f"Cannot make a slug from {name!r}.", field="slug")
    with transaction.atomic():
        if Team.objects.filter(slug=slug).exists():
            raise InvalidInput(f"A team with slug {slug!r} already exists.", field="slug")
        team = Team.objects.create(name=name, slug=slug)
        key, plain = api_key_create(team=team, name=FIRST_KEY_NAME, can_read=True, can_ingest=True)
        owner = password = None
        if owner_email:
            owner, password = membership_set(
                team=team, email=owner_email, role=TeamMembership.Role.ADMIN
            )
    return NewTeam(team=team, key=key, plain_key=plain, owner=owner, owner_password=password)
