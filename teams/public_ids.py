"""The stable, opaque public id of a member: `user_` + a keyed permutation of the numeric id.

A 4-round Feistel network over 64 bits, keyed by settings.PUBLIC_ID_KEY, turns the sequential
database id into a number that does not reveal the id or the team's size, and is reversible so
`?user=user_...` is answered with an index lookup instead of a stored column.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from django.conf import settings

PREFIX = "user_"
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_MASK32 = 0xFFFFFFFF
_ROUNDS = 4
PUBLIC_ID_RE = re.compile(r"^user_[0-9a-z]{1,13}$")
# Ids are never issued at or above this; it keeps every id inside every database integer.
MAX_MEMBER_ID = 2**53
_ID_DIGITS_RE = re.compile(r"^[0-9]{1,16}$")  # ASCII only ("²".isdigit() is True); 2**53 < 10**16


@lru_cache(maxsize=4)
def _round_keys(key: str) -> tuple[bytes, ...]:
    return tuple(hashlib.sha256(f"{key}:{i}".encode()).digest()[:16] for i in range(_ROUNDS))


def _f(half: int, round_key: bytes) -> int:
    digest = hashlib.blake2b(half.to_bytes(4, "big"), key=round_key, digest_size=4).digest()
    return int.from_bytes(digest, "big")


def _permute(value: int, keys: tuple[bytes, ...]) -> int:
    left, right = value >> 32, value & _MASK32
    for k in keys:
        left, right = right, left ^ _f(right, k)
    return (left << 32) | right


def _unpermute(value: int, keys: tuple[bytes, ...]) -> int:
    left, right = value >> 32, value & _MASK32
    for k in reversed(keys):
        left, right = right ^ _f(left, k), left
    return (left << 32) | right


def _base36(n: int) -> str:
    out = []
    while True:
        n, r = divmod(n, 36)
        out.append(_ALPHABET[r])
        if n == 0:
            return "".join(reversed(out))


def encode_member_id(member_id: int) -> str:
    """`42` -> `user_...` (same input, same output, for the life of PUBLIC_ID_KEY)."""
    return PREFIX + _base36(_permute(member_id, _round_keys(settings.PUBLIC_ID_KEY)))


def decode_public_id(public_id: str) -> int | None:
    """`user_...` -> the numeric id, or None when the text is not a public id we issued."""
    if not PUBLIC_ID_RE.match(public_id):
        return None
    value = int(public_id[len(PREFIX) :], 36)
    if value >= 1 << 64:
        return None
    member_id = _unpermute(value, _round_keys(settings.PUBLIC_ID_KEY))
    # Ids are positive and below MAX_MEMBER_ID; anything else is a forged or mistyped id.
    return valid_member_id(member_id)


def looks_like_member_id(text: str) -> bool:
    """Whether `text` is written as a member id: `user_...` or ASCII digits."""
    return text.lower().startswith(PREFIX) or (text.isascii() and text.isdigit())


def member_id_from_text(text: str) -> int | None:
    """The numeric id that `user_...` or a numeric id names, or None when it names no id that
    could have been issued (any length of digits is safe: no int() of a huge string)."""
    if text.startswith(PREFIX):
        return decode_public_id(text)
    if _ID_DIGITS_RE.match(text):
        return valid_member_id(int(text))
    return None


def valid_member_id(member_id: int) -> int | None:
    return member_id if 0 < member_id < MAX_MEMBER_ID else None
