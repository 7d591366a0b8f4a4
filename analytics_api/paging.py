"""`page`/`pageSize` (API.md section 2): pages count from 1, sizes above the maximum are clamped."""

from __future__ import annotations

import re
from collections.abc import Mapping

from analytics_api.errors import ApiError

_DIGITS_RE = re.compile(r"^[0-9]+$")  # ASCII digits only: int() also takes "٣" and "+3"
MAX_PAGE = 10**18  # beyond it no offset fits a database integer
_MAX_DIGITS = 4000  # Python refuses to convert longer digit strings (int_max_str_digits)


def parse_paging(
    query: Mapping[str, str],
    *,
    default_size: int,
    max_size: int,
    page_param: str = "page",
    size_param: str = "pageSize",
    cap_page: bool = True,
) -> tuple[int, int]:
    """(page, page size); ApiError 400 naming the parameter for a non-integer or a value < 1.

    A blank value (`?page=`) counts as absent. A size above `max_size` is clamped to it. The
    page is capped at MAX_PAGE unless `cap_page` is False: then it is exactly the number asked
    (to be echoed), and the caller must not compute a database offset from it without first
    checking it against the total (as the Cursor selectors do).
    """
    page = positive_int(query, page_param, default=1)
    size = positive_int(query, size_param, default=default_size)
    return (min(page, MAX_PAGE) if cap_page else page), min(size, max_size)


def positive_int(query: Mapping[str, str], name: str, *, default: int) -> int:
    """The parameter `name` as an integer >= 1 (ASCII digits only), `default` when absent or
    blank; ApiError 400 naming the parameter otherwise."""
    raw = (query.get(name) or "").strip(" ")
    if not raw:
        return default
    if not _DIGITS_RE.match(raw) or not raw.strip("0"):
        raise ApiError(f"Invalid {name}: {raw[:50]!r} is not an integer of at least 1.")
    significant = raw.lstrip("0")
    if len(significant) > _MAX_DIGITS:
        raise ApiError(f"Invalid {name}: more than {_MAX_DIGITS} digits.")
    return int(significant)
