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
    # Ids are positive and far below 2**53; anything else is a forged or mistyped id.
    if member_id <= 0 or member_id >= 1 << 53:
        return None
    return member_id
