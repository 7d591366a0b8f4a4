"""Field parsers shared by every record kind: each returns the clean value or raises Invalid.

They are strict on purpose: a line count of 1.5, "12" or true is a mistake in the sender's data,
and storing it silently would make the aggregates lie.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from teams.public_ids import looks_like_member_id, member_id_from_text, valid_member_id
from tracking.daterange import EARLIEST, LATEST, SUPPORTED_RANGE
from tracking.formats import from_unix
from tracking.models import Source

# Per line-count field. Far above any real commit, and low enough that the sum of the ~18 count
# columns of one row stays inside PostgreSQL `integer` (2**31 - 1): row expressions in the
# aggregates and exports add them up, and an overflow there would break every later read.
MAX_COUNT = 100_000_000
# Unix milliseconds beyond the supported range (tracking.daterange) are surely not milliseconds.
MAX_UNIX_MS = int(LATEST.timestamp() * 1000)
SOURCES = ", ".join(Source.values)
# Upper-cased input -> canonical source (plain str, not the enum: faster, and what is stored).
_SOURCE_MAP = {value: value for value in Source.values} | {"TAB": "NEXT", "COMPOSER": "AGENT"}
# The spellings the fast path takes as they are (upper case); others go the full way.
FAST_SOURCES = dict(_SOURCE_MAP)


class Invalid(ValueError):
    """One field's problem; `field` is filled in by the caller that knows the field's name."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


def _show(value) -> str:
    if isinstance(value, bool):
        shown = "true" if value else "false"
    elif value is None:
        shown = "null"
    else:
        shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def count(value) -> int:
    """A line count: a non-negative JSON integer (not a float, string or boolean)."""
    if type(value) is int and 0 <= value <= MAX_COUNT:  # Optimization: the usual case first
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"must be a non-negative integer, got {_show(value)}")
    if value < 0:
        raise Invalid(f"must be a non-negative integer, got {value}")
    if value > MAX_COUNT:
        raise Invalid(f"must be at most {MAX_COUNT}, got {value}")
    return value


def text(value, *, max_length: int, required: bool = False) -> str | None:
    if type(value) is str and 0 < len(value) <= max_length and "\x00" not in value:
        if not required or not value.isspace():  # Optimization: the usual case first
            return value
    if value is None:
        if required:
            raise Invalid("is required")
        return None
    if value == "" and not required:
        return ""  # stored and served as sent: "" is not null (API.md section 8)
    if not isinstance(value, str):
        raise Invalid(f"must be a string, got {_show(value)}")
    if required and not value.strip():
        raise Invalid("must not be empty")
    if len(value) > max_length:
        raise Invalid(f"must be at most {max_length} characters, got {len(value)}")
    no_nul(value)
    return value


def no_nul(value: str) -> str:
    # PostgreSQL text and jsonb cannot hold NUL: refuse it here rather than fail on write.
    if "\x00" in value:
        raise Invalid("must not contain a NUL character")
    return value


COMMIT_SOURCES = ("ide", "cli", "cloud")


def commit_source(value) -> str | None:
    """Cursor's commitSource: ide, cli or cloud (any case); null or "" = unknown."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().lower() in COMMIT_SOURCES:
        return value.strip().lower()
    raise Invalid(f"must be one of {', '.join(COMMIT_SOURCES)} or null, got {_show(value)}")


def boolean(value) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise Invalid(f"must be true, false or null, got {_show(value)}")


def timestamp(value) -> datetime | None:
    """ISO 8601 (Z, an offset, or none = UTC) or a Unix timestamp: below 10**11 seconds,
    otherwise milliseconds (the query parameters' rule), within tracking.daterange's supported
    range. None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return _from_unix(value)
    if not isinstance(value, str):
        raise Invalid(f"must be an ISO 8601 timestamp or a Unix timestamp, got {_show(value)}")
    # isascii(): "²".isdigit() is True, but int("²") fails. A CSV cell holding a Unix time.
    if value.isascii() and value.isdigit() and len(value) <= 15:
        return _from_unix(int(value))
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(
            f"must be an ISO 8601 timestamp (e.g. 2025-07-30T14:12:03.000Z) or a Unix "
            f"timestamp (seconds, or milliseconds), got {_show(value)}"
        ) from None
    try:
        parsed = _utc(parsed)
    except OverflowError:  # an offset that moves it past year 9999 or before year 1
        parsed = None
    if parsed is None or not EARLIEST <= parsed <= LATEST:
        raise Invalid(f"is outside the supported range, {SUPPORTED_RANGE}: got {_show(value)}")
    return parsed


def _utc(parsed: datetime) -> datetime:
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def fast_timestamp(value) -> datetime | None | bool:
    """timestamp() for the usual inputs, False for anything it would have to think about."""
    if value is None:
        return None
    if type(value) is str and value[:4].isdigit() and "-" in value[:5]:
        try:
            parsed = _utc(datetime.fromisoformat(value))
        except (ValueError, OverflowError):
            return False
        return parsed if EARLIEST <= parsed <= LATEST else False
    return False


def _from_unix(value: int) -> datetime:
    """tracking.formats.from_unix (the query parameters' rule), within the supported range."""
    if not 0 <= value <= MAX_UNIX_MS:
        raise Invalid(f"is outside the supported range, {SUPPORTED_RANGE}: got {value}")
    return from_unix(value)


def email(value) -> str:
    if not isinstance(value, str):
        raise Invalid(f"must be an email address, got {_show(value)}")
    normalized = email_or_none(value)
    if normalized is None:
        raise Invalid(f"is not a valid email address: {_show(value)}")
    return normalized


@lru_cache(maxsize=8192)
def email_or_none(value: str) -> str | None:
    """Optimization: a team has few members; validate each spelling once per process."""
    normalized = value.strip().lower()
    if len(normalized) > 254:  # the member's email column
        return None
    try:
        validate_email(normalized)
    except ValidationError:
        return None
    return normalized


def source(value) -> str:
    """NEXT/AGENT/QUEST/INLINECHAT, or Cursor's TAB/COMPOSER, in any case."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"must be one of {SOURCES} (or TAB, COMPOSER), got {_show(value)}")
    canonical = _SOURCE_MAP.get(value) or _SOURCE_MAP.get(value.strip().upper())
    if canonical:
        return canonical
    raise Invalid(f"unknown source {_show(value)}: expected one of {SOURCES} (or TAB, COMPOSER)")


def user_ref(value) -> tuple[str, object]:
    """A userId as ("pk", int) or ("uuid", UUID): `user_...`, a numeric id or a member UUID."""
    if isinstance(value, int) and not isinstance(value, bool) and valid_member_id(value):
        return ("pk", value)
    if isinstance(value, str):
        stripped = value.strip()
        if looks_like_member_id(stripped):
            member_id = member_id_from_text(stripped)
            if member_id is not None:
                return ("pk", member_id)
        else:
            try:
                return ("uuid", uuid.UUID(stripped))
            except ValueError:
                pass
    raise Invalid(f"is not a user id (user_..., a numeric id or a UUID): {_show(value)}")


def extension(value, *, path: str | None) -> str:
    """Lower case with a leading dot (`TS` -> `.ts`); derived from the path when absent."""
    if value is None:
        if path is None:
            raise Invalid("is required (or give the file's name so it can be derived)")
        name = path.rsplit("/", 1)[-1]
        value = name.rsplit(".", 1)[1] if "." in name.lstrip(".") else ""
    if type(value) is str and len(value) <= 31:
        return normal_extension(no_nul(value))
    return normal_extension(text(value, max_length=31) or "")


@lru_cache(maxsize=1024)
def normal_extension(value: str) -> str:
    ext = value.strip().lower()
    return "." + ext if ext and not ext.startswith(".") else ext
