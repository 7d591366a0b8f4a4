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

# analytics_api.dates: words, Nd/Nh/Ns small enough to stay within year 1..9999, Unix
# timestamps (below 10**11 seconds, else milliseconds; at most 13 digits, up to year 2286), and
# dates of 1900..2099. tracking.daterange's supported range (1970-01-01 .. 9999-12-30) moves
# with the clock for Nd/Nh/Ns and cannot be a pattern: a date before 1970 is a 400 naming it.
_WORD = "[Nn][Oo][Ww]|[Tt][Oo][Dd][Aa][Yy]|[Yy][Ee][Ss][Tt][Ee][Rr][Dd][Aa][Yy]"
_RELATIVE = "[0-9]{1,5}[Dd]|[0-9]{1,6}[Hh]|[0-9]{1,9}[Ss]"
_DATE = "(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"  # days every month has
_TIME = (
    "T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])?"
)
_DATE_FORMS = f"{_WORD}|{_RELATIVE}|[0-9]{{1,13}}|{_DATE}({_TIME})?"
DATE_PATTERN = f"^ *(|{_DATE_FORMS}) *$"
DATE = {"type": "string", "pattern": DATE_PATTERN}
# A required date: blank (`start_date=`) is absent, so a 400.
REQUIRED_DATE = {"type": "string", "pattern": f"^ *({_DATE_FORMS}) *$"}

# A commit hash as both dialects read it: no control characters, not blank, at most 64
# characters (analytics_api.query.MAX_HASH_LENGTH). Python's \s is what str.strip() removes.
HASH_PATTERN = r"^[^\u0000-\u001F\u007F]*[^\s\u0000-\u001F\u007F][^\u0000-\u001F\u007F]*$"

UUID_PATTERN = (
    "^ *([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})? *$"
)
UUID_OR_BLANK = {"type": "string", "pattern": UUID_PATTERN}
UUID = {"type": "string", "format": "uuid"}

# analytics_api.paging.positive_int: ASCII digits of a value >= 1 (leading zeros allowed), or
# blank (`?page=`: absent).
POSITIVE = {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "maxLength": 0}]}


def ranged(maximum: int) -> dict:
    integer = {"type": "integer", "minimum": 1, "maximum": maximum}
    return {"anyOf": [integer, {"type": "string", "maxLength": 0}]}


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
