"""The body of an ingest request: a JSON array of records or NDJSON, read with limits.

The body is read from the raw stream (not `request.body`), so Django's
DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, far below 10,000 commits with range annotations) does not
apply; INGEST_MAX_BODY_BYTES does instead.
"""

from __future__ import annotations

import codecs
import io
import re

from django.conf import settings

from analytics_api.errors import ApiError
from tracking.ingest import readers
from tracking.ingest.readers import MalformedRow

NDJSON_TYPES = {"application/x-ndjson", "application/jsonl", "application/x-jsonlines",
                "application/json-lines", "application/ndjson"}  # fmt: skip
JSON_TYPES = {"application/json", "text/plain", ""}


def read_records(request) -> list:
    """The body's records (any JSON values: the service says what is not a record object)."""
    content_type = request.content_type.split(";")[0].strip().lower()
    if content_type not in NDJSON_TYPES | JSON_TYPES:
        raise ApiError(
            f"Unsupported Content-Type {content_type!r}: send a JSON array as application/json "
            "or one record per line as application/x-ndjson.",
            status_code=415,
        )
    # Optimization (memory): the body stays bytes, read where it lies (BytesIO shares them);
    # decoding it to one str first doubled the peak (a 128 MiB body of junk: 2.06x its size,
    # now about 1x; `python -m bench.body`).
    raw = _read_bytes(request)
    first = _FIRST_NON_SPACE.search(raw)
    if first is None:
        raise ApiError("The body is empty: send a JSON array of records or NDJSON.")
    ndjson = content_type in NDJSON_TYPES
    if ndjson or raw[first.start() : first.start() + 1] != b"[":
        # hint: a JSON body that is not an array is read as NDJSON; a pretty-printed object
        # lands here, and the sender needs to hear what shape is expected, not only where.
        return _records(readers.read_ndjson(io.BytesIO(raw)), ndjson=True, hint=not ndjson)
    text = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", newline="")
    return _records(readers.read_json_array(text), ndjson=False, hint=False)


def _records(rows, *, ndjson: bool, hint: bool) -> list:
    limit = settings.INGEST_MAX_RECORDS
    records: list = []
    try:
        for _line, record in rows:
            if len(records) == limit:
                raise _too_many(f"more than {limit}")
            if isinstance(record, MalformedRow):
                raise record.error
            records.append(record)
    except readers.JsonError as exc:
        raise _malformed(exc, ndjson=ndjson, hint=hint) from None
    except readers.ReadError as exc:  # an element over readers.MAX_RECORD_CHARS
        raise ApiError(f"At line {exc.line}: {exc.message}.") from None
    return records


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


def _malformed(exc: readers.JsonError, *, ndjson: bool, hint: bool) -> ApiError:
    if exc.column is not None:
        advice = " Send a JSON array of records (or NDJSON, one record per line)." if hint else ""
        return ApiError(
            f"Malformed JSON at line {exc.line}, column {exc.column}: {exc.reason}.{advice}",
            extra={"line": exc.line, "column": exc.column},
        )
    # No column (nested too deeply, an unpaired surrogate, data after the array): the line
    # still finds an NDJSON record; an array's elements are found by their index.
    where = f" at line {exc.line}" if ndjson else ""
    return ApiError(f"Malformed JSON{where}: {exc.reason}.")
