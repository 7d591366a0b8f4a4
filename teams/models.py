from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import uuid
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import slugify

from common.replicas import records_alias
from teams.public_ids import encode_member_id

KEY_ALPHABET = string.ascii_letters + string.digits
KEY_PREFIX_LEN = 11  # "ak_" + 8 visible characters, indexed for lookup
KEY_SECRET_LEN = 40
# Optimization: `last_used_at` is written at most once per this interval per key, not on
# every request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class TeamScopedQuerySet(models.QuerySet):
    """The one way into a team's rows: `Commit.objects.of(team)`. Readers start every query of
    records here (tests/test_layers.py fails when an HTTP module reaches a manager directly)."""

    def of(self, team: Team | int) -> TeamScopedQuerySet:
        return self.filter(team=team)


def validate_time_zone(value: str) -> None:
    """An IANA time zone name that this machine's tz database knows."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(
            f"{value!r} is not an IANA time zone name (e.g. Europe/Berlin)."
        ) from error


class Team(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Bumped in the same transaction as every write to the team's records; part of every ETag,
    # so a conditional request is answered without touching the records (API.md section 4b).
    data_version = models.PositiveBigIntegerField(default=0, editable=False)
    # The day boundary of the dashboard's figures and charts (an IANA name). The APIs keep
    # the vendors' UTC days.
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA time zone (e.g. Europe/Berlin) in which the dashboard's days begin.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:100] or uuid.uuid4().hex[:12]
        super().save(*args, **kwargs)

    def bump_data_version(self) -> None:
        """Call inside the transaction that changed this team's records."""
        Team.objects.filter(pk=self.pk).update(data_version=models.F("data_version") + 1)

    def data_version_as_read(self) -> int:
        """The data version of the database the records are read from now: a read replica's
        may be behind the primary's, and an ETag must describe the rows it is sent with (the
        bump is replicated in the same transaction as the records)."""
        alias = records_alias()
        if alias == self._state.db:
            return self.data_version
        version = (
            Team.objects.using(alias).filter(pk=self.pk).values_list("data_version", flat=True)
        ).first()
        return self.data_version if version is None else version


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively (API.md section 1): stored trimmed and lower case."""
    return email.strip().lower()


class Member(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.CharField(max_length=254)
    display_name = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["team", "email"], name="member_team_email_uniq"),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    @property
    def public_id(self) -> str:
        # An unsaved member (the admin's add form) has no id to encode yet.
        return encode_member_id(self.pk) if self.pk is not None else ""


def hash_key(plain_key: str) -> str:
    """SHA-256 of the key. Keys are 40 random characters (238 bits): a plain digest is the usual
    choice for such tokens, and unlike an HMAC keyed with SECRET_KEY it does not depend on the
    settings a command or server happens to run with, nor break when SECRET_KEY rotates."""
    return hashlib.sha256(plain_key.encode()).hexdigest()


def legacy_hashes(plain_key: str) -> list[str]:
    """What keys made before SHA-256 were stored as: HMAC(SECRET_KEY, key), for the current
    secret and each of SECRET_KEY_FALLBACKS."""
    secrets_ = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [
        hmac.new(secret.encode(), plain_key.encode(), hashlib.sha256).hexdigest()
        for secret in secrets_
    ]


class ApiKeyQuerySet(models.QuerySet):
    def create_key(
        self, *, team: Team, name: str = "", can_read: bool = True, can_ingest: bool = False
    ) -> tuple[ApiKey, str]:
        """Create a key and return it with its plain text, which is never stored or shown again."""
        plain = "ak_" + "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_SECRET_LEN))
        key = self.create(
            team=team,
            name=name,
            prefix=plain[:KEY_PREFIX_LEN],
            hashed_key=hash_key(plain),
            can_read=can_read,
            can_ingest=can_ingest,
        )
        return key, plain


class ApiKey(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True, default="")
    prefix = models.CharField(max_length=KEY_PREFIX_LEN, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, editable=False)
    can_read = models.BooleanField(default=True)
    can_ingest = models.BooleanField(default=False)
    revoked = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The repository this key's git-ai notes belong to (the notes backend HTTP contract is
    # keyed by commit SHA only: docs/tools.md).
    repository = models.CharField(
        max_length=255,
        blank=True,
        default="",
        help_text="For git-ai's notes backend (/worker/notes/): the repository name its notes "
        "are stored under.",
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'})"

    def matches(self, plain_key: str) -> bool:
        """Whether `plain_key` is this key; a key stored in the legacy HMAC form is upgraded to
        the SHA-256 form on its first successful use."""
        if hmac.compare_digest(self.hashed_key, hash_key(plain_key)):
            return True
        if not any(hmac.compare_digest(self.hashed_key, h) for h in legacy_hashes(plain_key)):
            return False
        self.hashed_key = hash_key(plain_key)
        ApiKey.objects.filter(pk=self.pk).update(hashed_key=self.hashed_key)
        return True

    def touch(self) -> None:
        """Record use, writing only when the stored value is older than the resolution."""
        now = timezone.now()
        if self.last_used_at and now - self.last_used_at < LAST_USED_RESOLUTION:
            return
        ApiKey.objects.filter(pk=self.pk).filter(
            models.Q(last_used_at__isnull=True)
            | models.Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        self.last_used_at = now


class TeamMembership(models.Model):
    """A person's (a Django user's) access to a team's dashboard. Superusers need none."""

    class Role(models.TextChoices):
        VIEWER = "viewer", "Viewer"
        ADMIN = "admin", "Admin"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["team__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_team_user_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"


class TeamAuditEntry(models.Model):
    """One action of a team's management (dashboard/team_admin.py): who did what to whom, when.
    Shown to the team's admins. The actor's name is kept as text, so an entry outlives the
    login that made it."""

    class Action(models.TextChoices):
        MEMBER_ADDED = "member_added", "Member added"
        ROLE_CHANGED = "role_changed", "Role changed"
        MEMBER_REMOVED = "member_removed", "Member removed"
        KEY_CREATED = "key_created", "API key created"
        KEY_REVOKED = "key_revoked", "API key revoked"
        TIME_ZONE_SET = "time_zone_set", "Time zone set"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=32, choices=Action.choices)
    subject = models.CharField(max_length=254)  # the person's email or the key's prefix
    detail = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "-created_at"], name="audit_team_time_idx")]
        verbose_name_plural = "team audit entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name}: {self.action} {self.subject}"


class MemberIdentity(models.Model):
    """The identity map: a name another source gives a person (a git author email, a GitHub
    login, an account id), mapped to one member of the team. Rows with no member are the
    unmatched identities, listed in the admin until someone maps them."""

    class Kind(models.TextChoices):
        EMAIL = "email"
        GITHUB = "github"
        ACCOUNT = "account"
        NAME = "name"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.EMAIL)
    value = models.CharField(max_length=320)
    source = models.CharField(max_length=32, blank=True, default="")  # where it was seen first
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, null=True, blank=True, related_name="identities"
    )
    first_seen_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name_plural = "member identities"
        ordering = ["team", "kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["team", "kind", "value"], name="memberidentity_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"

    def save(self, *args, **kwargs):
        if self.kind == self.Kind.EMAIL:
            self.value = normalize_email(self.value)
        super().save(*args, **kwargs)
