"""Writes of the teams app that operator commands and the demo share."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.validators import validate_email
from django.db import transaction

from teams.models import Team, TeamMembership, normalize_email


def user_for_email(email: str) -> tuple[object, str | None]:
    """The login whose user name is this email, created with a random password when missing.

    Returns (user, the new plain password or None when the user already existed)."""
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise CommandError(f"{email!r} is not an email address.") from None
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
        raise CommandError(f"role must be one of {', '.join(TeamMembership.Role.values)}.")
    with transaction.atomic():
        user, password = user_for_email(email)
        membership, _ = TeamMembership.objects.update_or_create(
            team=team, user=user, defaults={"role": role}
        )
    return membership, password
