"""JSON for the bulk paths: orjson (about 2.5x faster to parse than `json`, 7x to dump).

Every input orjson refuses is parsed again by `json`, so the error messages (line, column,
reason) are always the standard library's, and the few inputs only `json` takes (NaN, nesting
deeper than 1024) are still read.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass  # let json decide, and word the error
    value = json.loads(text)
    if ("\\u" if isinstance(text, str) else b"\\u") in text:
        refuse_lone_surrogates(value)
    return value


def refuse_lone_surrogates(value: Any) -> None:
    """json accepts "\\ud800", which no database text column can store (orjson refuses it)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a string holds an unpaired surrogate (\\ud800-\\udfff)") from None


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()
