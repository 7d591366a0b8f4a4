"""A team's own admins manage it (dashboard/team_admin.py): its people (add, role, remove), its
API keys (create, revoke) and its time zone, each action written to the team's audit log in the
same transaction. Reads and writes take `team=` and find rows only inside it; an id of another team
is a LookupError (the page answers 404). Refusals are InvalidInput, with a message for people.

Rules where a careless click could lock a team out: the last admin can neither be demoted nor
removed (superusers, who see every team, do not count as the team's admins).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from teams.models import (
    ApiKey,
    Team,
    TeamAuditEntry,
    TeamMembership,
    normalize_email,
    validate_time_zone,
)
from teams.services import InvalidInput, api_key_create, membership_set

Action = TeamAuditEntry.Action
Role = TeamMembership.Role
AUDIT_SHOWN = 200  # entries on the page, newest first


def can_manage(user, team: Team) -> bool:
    """Superusers, and the team's admins."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return TeamMembership.objects.filter(team=team, user=user, role=Role.ADMIN).exists()


def memberships(team: Team) -> QuerySet[TeamMembership]:
    return (
        TeamMembership.objects.filter(team=team).select_related("user").order_by("user__username")
    )


def api_keys(team: Team) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(team=team).order_by("revoked", "-created_at")


def audit_log(team: Team) -> list[TeamAuditEntry]:
    return list(TeamAuditEntry.objects.filter(team=team)[:AUDIT_SHOWN])


def _audit(team: Team, actor, action: str, subject: str, detail: str = "") -> None:
    TeamAuditEntry.objects.create(
        team=team, actor=actor, actor_name=actor.get_username(), action=action,
        subject=subject[:254], detail=detail[:200],
    )  # fmt: skip


def _membership(team: Team, membership_id: int) -> TeamMembership:
    try:
        return (
            TeamMembership.objects.select_for_update()
            .select_related("user")
            .get(team=team, pk=membership_id)
        )
    except TeamMembership.DoesNotExist:
        raise LookupError("No such member in this team.") from None


def _keep_an_admin(team: Team, membership: TeamMembership, doing: str) -> None:
    if membership.role != Role.ADMIN:
        return
    others = TeamMembership.objects.filter(team=team, role=Role.ADMIN).exclude(pk=membership.pk)
    if not others.select_for_update().exists():
        raise InvalidInput(
            f"{membership.user.get_username()} is the team's only admin: make someone else "
            f"admin before you {doing}.",
            field="role",
        )


def member_add(*, team: Team, actor, email: str, role: str) -> tuple[TeamMembership, str | None]:
    """A person (their login created, with a random password, when missing) joins the team.
    Returns the membership and the new login's password (shown once) or None."""
    with transaction.atomic():
        existing = memberships(team).filter(user__username=normalize_email(email)).first()
        if existing is not None:
            raise InvalidInput(
                f"{existing.user.get_username()} is already a member ({existing.role}): change "
                "the role in the list instead.",
                field="email",
            )
        membership, password = membership_set(team=team, email=email, role=role)
        detail = f"role {role}" + ("; login created" if password else "")
        _audit(team, actor, Action.MEMBER_ADDED, membership.user.get_username(), detail)
    return membership, password


def member_role_set(*, team: Team, actor, membership_id: int, role: str) -> TeamMembership:
    if role not in Role.values:
        raise InvalidInput(f"The role must be one of {', '.join(Role.values)}.", field="role")
    with transaction.atomic():
        membership = _membership(team, membership_id)
        if membership.role == role:
            return membership
        if role != Role.ADMIN:
            _keep_an_admin(team, membership, "change this role")
        before, membership.role = membership.role, role
        membership.save(update_fields=["role"])
        _audit(
            team, actor, Action.ROLE_CHANGED, membership.user.get_username(), f"{before} -> {role}"
        )
    return membership


def member_remove(*, team: Team, actor, membership_id: int) -> str:
    """The person leaves the team (their login stays, for their other teams); their name."""
    with transaction.atomic():
        membership = _membership(team, membership_id)
        _keep_an_admin(team, membership, "remove them")
        name = membership.user.get_username()
        membership.delete()
        _audit(team, actor, Action.MEMBER_REMOVED, name, f"was {membership.role}")
    return name


def key_create(
    *, team: Team, actor, name: str, can_read: bool, can_ingest: bool
) -> tuple[ApiKey, str]:
    """A new key and its plain text, to be shown once."""
    if not (can_read or can_ingest):
        raise InvalidInput("A key must be allowed to read, to ingest, or both.", field="can_read")
    with transaction.atomic():
        key, plain = api_key_create(team=team, name=name, can_read=can_read, can_ingest=can_ingest)
        rights = ", ".join(r for r, on in (("read", can_read), ("ingest", can_ingest)) if on)
        _audit(team, actor, Action.KEY_CREATED, key.prefix, f"{key.name or 'unnamed'}: {rights}")
    return key, plain


def key_revoke(*, team: Team, actor, key_id: int) -> ApiKey:
    with transaction.atomic():
        try:
            key = ApiKey.objects.select_for_update().get(team=team, pk=key_id)
        except ApiKey.DoesNotExist:
            raise LookupError("No such API key in this team.") from None
        if not key.revoked:
            key.revoked = True
            key.save(update_fields=["revoked"])
            _audit(team, actor, Action.KEY_REVOKED, key.prefix, key.name or "unnamed")
    return key


def time_zone_set(*, team: Team, actor, time_zone: str) -> Team:
    """The team's time zone (where the dashboard's days begin): an IANA name."""
    time_zone = time_zone.strip()
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field="time_zone") from None
    with transaction.atomic():
        before = (
            Team.objects.select_for_update().values_list("time_zone", flat=True).get(pk=team.pk)
        )
        if before != time_zone:
            Team.objects.filter(pk=team.pk).update(time_zone=time_zone)
            _audit(team, actor, Action.TIME_ZONE_SET, time_zone, f"was {before}")
    team.time_zone = time_zone
    return team
