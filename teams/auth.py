"""API-key authentication for both dialects.

Cursor clients send `Authorization: Basic base64(KEY:)` (curl -u KEY:); Qoder clients and some
Cursor clients send `Authorization: Bearer KEY`. Keys are looked up by their indexed visible
prefix and compared as HMACs in constant time.
"""

from __future__ import annotations

import base64
import logging
import re
import uuid
from dataclasses import dataclass

from django.db import OperationalError
from rest_framework import authentication, exceptions, permissions

from teams.models import KEY_PREFIX_LEN, ApiKey, Team
from teams.selectors import team_for_user

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeyPrincipal:
    """What `request.user` is for API requests: the team acting through one key."""

    api_key: ApiKey

    is_authenticated = True
    is_anonymous = False

    @property
    def team(self) -> Team:
        return self.api_key.team


def key_from_header(header: str) -> str | None:
    """The API key in an Authorization header value, or None when the header carries none.

    Raises AuthenticationFailed for a header in a scheme we know that is malformed.
    """
    scheme, _, credentials = header.strip().partition(" ")
    scheme = scheme.lower()
    credentials = credentials.strip()
    if scheme == "bearer":
        if not credentials:
            raise exceptions.AuthenticationFailed("The Bearer token is empty.")
        return credentials
    if scheme == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except ValueError:  # binascii.Error, UnicodeDecodeError, and non-ASCII input
            raise exceptions.AuthenticationFailed(
                "Basic credentials are not valid base64 of 'API_KEY:'."
            ) from None
        username, _, _password = decoded.partition(":")
        if not username:
            raise exceptions.AuthenticationFailed(
                "Send the API key as the Basic user name with an empty password (curl -u KEY:)."
            )
        return username
    raise exceptions.AuthenticationFailed(
        f"Unsupported Authorization scheme {scheme!r}: use Basic (curl -u KEY:) or Bearer."
    )


# The form create_key() issues. Anything else (NUL, control or non-ASCII characters) would only
# reach the database to fail there (PostgreSQL refuses NUL in text): refuse it here.
_KEY_RE = re.compile(r"ak_[A-Za-z0-9]+")


def key_lookup(plain_key: str) -> ApiKey:
    if not _KEY_RE.fullmatch(plain_key):
        raise exceptions.AuthenticationFailed("Invalid API key.")
    candidate = (
        ApiKey.objects.select_related("team").filter(prefix=plain_key[:KEY_PREFIX_LEN]).first()
        if len(plain_key) > KEY_PREFIX_LEN
        else None
    )
    if candidate is None or not candidate.matches(plain_key):
        raise exceptions.AuthenticationFailed("Invalid API key.")
    if candidate.revoked:
        raise exceptions.AuthenticationFailed("This API key has been revoked.")
    return candidate


class ApiKeyAuthentication(authentication.BaseAuthentication):
    www_authenticate = 'Basic realm="api"'

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        api_key = key_lookup(key_from_header(header))
        try:
            api_key.touch()
        except OperationalError:  # e.g. SQLite locked by an ingest: last_used_at can wait
            logger.warning("Could not record the use of API key %s", api_key.prefix)
        return KeyPrincipal(api_key), api_key

    def authenticate_header(self, request) -> str:
        return self.www_authenticate


class BearerApiKeyAuthentication(ApiKeyAuthentication):
    """The same keys, announced as Bearer (the Qoder dialect)."""

    www_authenticate = 'Bearer realm="api"'


@dataclass(frozen=True)
class SessionPrincipal:
    """`request.user` of a signed-in person on an API view that also takes the session (the
    dashboard's CSV downloads): the person acting for the path's team, of which they are a
    member (or they are a superuser)."""

    user: object
    team: Team

    is_authenticated = True
    is_anonymous = False


class SessionTeamAuthentication(authentication.SessionAuthentication):
    """Django's session (with DRF's CSRF check on unsafe methods) for the team named by the
    path's `organization_id`. A team the person may not see is a 404, as on the dashboard."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, _ = result
        raw = request.parser_context.get("kwargs", {}).get("organization_id", "")
        try:
            team = team_for_user(user, team_uuid=uuid.UUID(str(raw).strip()))
        except (ValueError, Team.DoesNotExist):
            raise exceptions.NotFound("No such organization.") from None
        return SessionPrincipal(user, team), None


class CanRead(permissions.BasePermission):
    message = "This API key is not allowed to read analytics."

    def has_permission(self, request, view) -> bool:
        if isinstance(request.user, SessionPrincipal):
            return True
        if not isinstance(request.user, KeyPrincipal):
            return False
        return request.user.api_key.can_read


class CanIngest(permissions.BasePermission):
    message = "This API key is not allowed to ingest data (create one with --ingest)."

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.user, KeyPrincipal):
            return False
        return request.user.api_key.can_ingest
