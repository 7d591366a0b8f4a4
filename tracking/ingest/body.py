"""The body of an ingest request: a JSON array of records or NDJSON, read with limits.

The body is read from the raw stream (not `request.body`), so Django's
DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, far below 10,000 commits with range annotations) does not
apply; INGEST_MAX_BODY_BYTES does instead.
"""

from __future__ import annotations

import json

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
    text = _read_text(request)
    if not text.strip():
        raise ApiError("The body is empty: send a JSON array of records or NDJSON.")
    if content_type in NDJSON_TYPES or not text.lstrip().startswith("["):
        return _ndjson(text, ndjson=content_type in NDJSON_TYPES)
    return _array(text)


def _read_text(request) -> str:
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
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError(f"The body is not UTF-8 (byte {exc.start}).") from None


def _too_many(count: str) -> ApiError:
    limit = settings.INGEST_MAX_RECORDS
    return ApiError(
        f"Too many records: {count}; at most {limit} per request (INGEST_MAX_RECORDS). "
        "Split the batch, or load files with `manage.py ingest`.",
        extra={"limit": limit},
    )


def _array(text: str) -> list:
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


def _ndjson(text: str, *, ndjson: bool = True) -> list:
    limit = settings.INGEST_MAX_RECORDS
    records = []
    # Only "\n" ends a record: str.splitlines() also splits on U+2028, \x85, \x1e..., which
    # JSON strings may hold unescaped.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
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
