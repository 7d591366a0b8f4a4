"""Streaming CSV responses shared by both dialects' exports (API.md section 3).

Rows are written as they are read (the selectors read the database in batches of 10,000), in
chunks of about 64 KiB, so memory does not grow with the export. Cells: None -> empty,
True/False -> true/false, everything else str(). Lines end in "\\n" and quoting is minimal,
the same bytes PostgreSQL's COPY ... CSV writes, so a COPY fast path can stand in for this one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse

CONTENT_TYPE = "text/csv; charset=utf-8"
CHUNK_BYTES = 64 * 1024


def csv_response(
    *, header: list[str], rows: Iterable[Sequence], filename: str | None = None
) -> StreamingHttpResponse:
    return stream_response(csv_chunks(header=header, rows=rows), filename=filename)


def stream_response(chunks: Iterable[bytes], *, filename: str | None) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_chunks(*, header: list[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _cell(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)
