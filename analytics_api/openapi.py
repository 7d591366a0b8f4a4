"""Parameter schemas of the OpenAPI description that say exactly what the parsers accept.

One source for both dialects, so the schema cannot drift from the parsers per endpoint:
analytics_api.dates (the date forms), analytics_api.paging (page sizes), the text checks
(no control characters), UUIDs and booleans. tests/test_openapi_fuzz.py runs schemathesis
against the schema to keep it true: what the schema allows is accepted, what it forbids is a
4xx. A blank value (`?page=`) counts as absent everywhere, so every pattern admits "".
"""

from __future__ import annotations

# Control characters are refused in every text parameter (PostgreSQL refuses NUL in text).
NO_CONTROL = r"^[^\u0000-\u001F\u007F]*$"
TEXT = {"type": "string", "pattern": NO_CONTROL}

# analytics_api.dates: words, Nd/Nh/Ns small enough to stay within year 1..9999, and Unix
# timestamps (below 10**11 seconds, else milliseconds; at most 13 digits, up to year 2286).
_WORD = "[Nn][Oo][Ww]|[Tt][Oo][Dd][Aa][Yy]|[Yy][Ee][Ss][Tt][Ee][Rr][Dd][Aa][Yy]"
_RELATIVE = "[0-9]{1,5}[Dd]|[0-9]{1,6}[Hh]|[0-9]{1,9}[Ss]"
_DATE = "(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"  # days every month has
_TIME = (
    "T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])?"
)
DATE_PATTERN = f"^ *(|{_WORD}|{_RELATIVE}|[0-9]{{1,13}}|{_DATE}({_TIME})?) *$"
DATE = {"type": "string", "pattern": DATE_PATTERN}

UUID_PATTERN = (
    "^ *([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})? *$"
)
UUID_OR_BLANK = {"type": "string", "pattern": UUID_PATTERN}
UUID = {"type": "string", "format": "uuid"}

# analytics_api.paging.positive_int: ASCII digits of a value >= 1 (leading zeros allowed).
POSITIVE = {"type": "integer", "minimum": 1}


def ranged(maximum: int) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": maximum}


BOOLEAN = {"type": "string", "enum": ["", "true", "false", "1", "0"]}

# analytics_api.cursor.params.parse_user: an email, user_..., or a numeric id.
CURSOR_USER = {
    "type": "string",
    "pattern": r"^(|[^\u0000-\u001F\u007F]*@[^\u0000-\u001F\u007F]*"
    r"|[Uu][Ss][Ee][Rr]_[^\u0000-\u001F\u007F]*|[0-9]+)$",
}


NEUTRALIZE_FORMULAS_DOC = (
    "true: text cells starting with = + - @ TAB or CR get a leading ' so a spreadsheet shows "
    "them instead of running them as formulas. Default false: the vendor's bytes exactly."
)
