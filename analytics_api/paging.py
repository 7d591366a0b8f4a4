"""`page`/`pageSize` (API.md section 2): pages count from 1, sizes above the maximum are clamped."""

from __future__ import annotations

import re
from collections.abc import Mapping

from analytics_api.errors import ApiError

_DIGITS_RE = re.compile(r"^[0-9]+$")  # ASCII digits only: int() also takes "٣" and "+3"
_HUGE = 10**18


def parse_paging(
    query: Mapping[str, str],
    *,
    default_size: int,
    max_size: int,
    page_param: str = "page",
    size_param: str = "pageSize",
) -> tuple[int, int]:
    """(page, page size); ApiError 400 naming the parameter for a non-integer or a value < 1.

    A blank value (`?page=`) counts as absent. A size above `max_size` is clamped to it.
    """
    page = _positive(query, page_param, default=1)
    size = _positive(query, size_param, default=default_size)
    return page, min(size, max_size)


def _positive(query: Mapping[str, str], name: str, *, default: int) -> int:
    raw = (query.get(name) or "").strip()
    if not raw:
        return default
    if not _DIGITS_RE.match(raw) or not raw.strip("0"):
        raise ApiError(f"Invalid {name}: {raw[:50]!r} is not an integer of at least 1.")
    # Beyond 18 digits no database integer fits: clamp (size) or go past the end (page).
    significant = raw.lstrip("0")
    return _HUGE if len(significant) > 18 else int(significant)
