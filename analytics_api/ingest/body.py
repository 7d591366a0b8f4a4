"""The body of an ingest request: a JSON array of records or NDJSON, read with limits.

The body is read from the raw stream (not `request.body`), so Django's
DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, far below 10,000 commits with range annotations) does not
apply; INGEST_MAX_BODY_BYTES does instead.
"""

from __future__ import annotations

import codecs
import json
import re

from django.conf import settings

from analytics_api.errors import ApiError
from tracking.ingest import jsonfast

NDJSON_TYPES = {"application/x-ndjson", "application/jsonl", "application/x-jsonlines",
                "application/json-lines", "application/ndjson"}  # fmt: skip
JSON_TYPES = {"application/json", "text/plain", ""}


def read_records(request) -> list:
    content_type = request.content_type.split(";")[0].strip().lower()
    if content_type not in NDJSON_TYPES | JSON_TYPES:
        raise ApiError(
            f"Unsupported Content-Type {content_type!r}: send a JSON array as application/json "
            "or one record per line as application/x-ndjson.",
            status_code=415,
        )
    # Optimization (memory): the body stays bytes, parsed where it lies; decoding it to one
    # str first doubled the peak (a 128 MiB body of junk: 2.06x its size, now about 1x).
    raw = _read_bytes(request)
    first = _FIRST_NON_SPACE.search(raw)
    if first is None:
        raise ApiError("The body is empty: send a JSON array of records or NDJSON.")
    if content_type in NDJSON_TYPES or raw[first.start() : first.start() + 1] != b"[":
        return _ndjson(raw, ndjson=content_type in NDJSON_TYPES)
    return _array(raw)


_FIRST_NON_SPACE = re.compile(rb"\S")
_BOM = b"\xef\xbb\xbf"
_UTF8_SLICE = 1 << 20


def _read_bytes(request) -> bytes:
    limit = settings.INGEST_MAX_BODY_BYTES
    # Refused before reading when the client says it is too big: no worker memory, no time
    # spent receiving a body we would throw away.
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(
            f"The body is larger than {limit} bytes (INGEST_MAX_BODY_BYTES; Content-Length "
            f"{declared}): split the batch.",
            status_code=413,
        )
    stream = request.stream
    raw = stream.read(limit + 1) if stream is not None else b""
    if len(raw) > limit:
        raise ApiError(
            f"The body is larger than {limit} bytes (INGEST_MAX_BODY_BYTES): split the batch.",
            status_code=413,
        )
    raw = raw.removeprefix(_BOM)
    _check_utf8(raw)
    return raw


def _check_utf8(raw: bytes) -> None:
    """UTF-8 or a 400 naming the byte, checked a slice at a time (no copy of the body)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    for start in range(0, len(raw), _UTF8_SLICE):
        try:
            decoder.decode(view[start : start + _UTF8_SLICE], final=start + _UTF8_SLICE >= len(raw))
        except UnicodeDecodeError as exc:
            raise ApiError(f"The body is not UTF-8 (byte {start + exc.start}).") from None


def _too_many(count: str) -> ApiError:
    limit = settings.INGEST_MAX_RECORDS
    return ApiError(
        f"Too many records: {count}; at most {limit} per request (INGEST_MAX_RECORDS). "
        "Split the batch, or load files with `manage.py ingest`.",
        extra={"limit": limit},
    )


# Optimization (memory): orjson parses a whole array at once, about 15x the body's size for an
# array of tiny elements, before the record count can be checked. Above this size the array is
# read one element at a time and refused at record INGEST_MAX_RECORDS + 1.
ARRAY_WHOLE_MAX_BYTES = 8 << 20
_WS = re.compile(r"[ \t\n\r]*")


def _array(text: bytes) -> list:
    if len(text) > ARRAY_WHOLE_MAX_BYTES:
        return _array_by_element(text.decode("utf-8"))
    try:
        records = jsonfast.loads(text)
    except json.JSONDecodeError as exc:
        raise _malformed(exc.msg, exc.lineno, exc.colno) from None
    except (ValueError, RecursionError) as exc:  # e.g. a 5,000-digit number, [[[[...]]]]
        raise ApiError(f"Malformed JSON: {_reason(exc)}.") from None
    if not isinstance(records, list):
        raise ApiError("The body must be a JSON array of records (or NDJSON).")
    if len(records) > settings.INGEST_MAX_RECORDS:
        raise _too_many(str(len(records)))
    return records


def _array_by_element(text: str) -> list:
    limit, decoder = settings.INGEST_MAX_RECORDS, json.JSONDecoder()
    check_surrogates = "\\u" in text
    records: list = []
    at = _WS.match(text).end() + 1  # past "[" (the caller saw it)
    at = _WS.match(text, at).end()
    if text[at : at + 1] == "]":
        at += 1
    else:
        while True:
            try:
                value, at = decoder.raw_decode(text, at)
            except json.JSONDecodeError as exc:
                raise _malformed(exc.msg, exc.lineno, exc.colno) from None
            except RecursionError:
                raise ApiError("Malformed JSON: nested too deeply.") from None
            if check_surrogates:
                try:
                    jsonfast.refuse_lone_surrogates(value)
                except ValueError as exc:
                    raise ApiError(f"Malformed JSON: {exc}.") from None
            records.append(value)
            if len(records) > limit:
                raise _too_many(f"more than {limit}")
            at = _WS.match(text, at).end()
            separator = text[at : at + 1]
            at = _WS.match(text, at + 1).end()
            if separator == "]":
                break
            if separator != ",":
                line = text.count("\n", 0, at) + 1
                raise _malformed("Expecting ',' delimiter", line, at - text.rfind("\n", 0, at))
    if text[_WS.match(text, at).end() :]:
        raise ApiError("Malformed JSON: extra data after the array.")
    return records


def _lines(text: bytes):
    """The body's lines, one at a time. Only "\n" ends a record: str.splitlines() also splits
    on U+2028, \x85, \x1e..., which JSON strings may hold unescaped."""
    start = 0
    while start <= len(text):
        end = text.find(b"\n", start)
        if end == -1:
            end = len(text)
        yield text[start:end]
        start = end + 1


def _ndjson(text: bytes, *, ndjson: bool = True) -> list:
    limit = settings.INGEST_MAX_RECORDS
    records = []
    for number, line in enumerate(_lines(text), start=1):
        line = line.removesuffix(b"\r")
        if not line.strip():
            continue
        if len(records) == limit:
            raise _too_many(f"more than {limit}")
        try:
            records.append(jsonfast.loads(line))
        except json.JSONDecodeError as exc:
            raise _malformed(exc.msg, number, exc.colno, hint=not ndjson) from None
        except (ValueError, RecursionError) as exc:
            raise ApiError(f"Malformed JSON at line {number}: {_reason(exc)}.") from None
    return records


def _reason(exc: Exception) -> str:
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc)


def _malformed(reason: str, line: int, column: int, *, hint: bool = False) -> ApiError:
    # hint: a JSON body that is not an array was read as NDJSON; a pretty-printed object lands
    # here, and the sender needs to hear what shape is expected, not only where it broke.
    advice = " Send a JSON array of records (or NDJSON, one record per line)." if hint else ""
    return ApiError(
        f"Malformed JSON at line {line}, column {column}: {reason}.{advice}",
        extra={"line": line, "column": column},
    )
