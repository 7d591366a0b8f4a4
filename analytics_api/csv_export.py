"""Streaming CSV responses shared by both dialects' exports (API.md section 3).

Rows are written as they are read (the selectors read the database in batches of 10,000), in
chunks of about 64 KiB, so memory does not grow with the export. Cells: None and "" ->
empty, True/False -> true/false, everything else str(). Lines end in "\\n"; a field is quoted
when it holds a comma, a quote, CR or LF: the bytes PostgreSQL's COPY ... CSV writes (with
empty strings sent as NULL), so a COPY fast path can stand in for this one.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence

from django.http import FileResponse, StreamingHttpResponse

from analytics_api.errors import ApiError
from tracking import downloads

CONTENT_TYPE = "text/csv; charset=utf-8"
CHUNK_BYTES = 64 * 1024


def csv_response(
    *,
    header: list[str],
    rows: Iterable[Sequence],
    filename: str | None = None,
    cells_ready: bool = False,
) -> StreamingHttpResponse:
    """`cells_ready=True`: rows hold only str, int and None (booleans already text), written
    as they are (Optimization: no per-cell conversion on large exports)."""
    chunks = csv_chunks(header=header, rows=rows, cells_ready=cells_ready)
    return stream_response(chunks, filename=filename)


def stream_response(chunks: Iterable[bytes], *, filename: str | None) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_chunks(
    *, header: list[str], rows: Iterable[Sequence], cells_ready: bool = False
) -> Iterator[bytes]:
    buffer = io.StringIO()
    # "\r\n" so the writer quotes fields holding either character, as COPY does; each line's
    # "\r\n" is then turned into the "\n" COPY writes.
    writer = csv.writer(buffer, lineterminator="\r\n")
    _write_line(buffer, writer, header)
    for row in rows:
        _write_line(buffer, writer, row if cells_ready else [_cell(value) for value in row])
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _write_line(buffer: io.StringIO, writer, cells) -> None:
    writer.writerow(cells)
    buffer.seek(buffer.tell() - 2)
    buffer.write("\n")
    buffer.truncate()


def _cell(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...),
# +cmd|..., @SUM(...)). The exports stay byte-exact by default (the Cursor and Qoder formats);
# `neutralizeFormulas=true` prefixes such text cells with "'", the usual neutralisation.
FORMULA_START = downloads.FORMULA_START  # one list of the characters a spreadsheet runs


def formula_option(query) -> bool:
    """The `neutralizeFormulas` query parameter: true/1, or false/0/absent."""
    value = (query.get("neutralizeFormulas") or "").strip().lower()
    if value in ("", "false", "0"):
        return False
    if value in ("true", "1"):
        return True
    raise ApiError(f"neutralizeFormulas must be true or false, got {value[:50]!r}.")


def neutralize_formulas(rows: Iterable[Sequence]) -> Iterator[list]:
    for row in rows:
        yield [
            "'" + cell if type(cell) is str and cell.startswith(FORMULA_START) else cell
            for cell in row
        ]


def for_client(request, response):
    """An export as this client can check it. HTTP/1.1 clients get the stream (chunked: a cut
    stream lacks its last chunk, which curl and every HTTP library report). HTTP/1.0 has no
    chunked encoding: a stream cut by a lost database connection ended like a complete file
    (51,938 of 261,341 lines, exit 0). So for HTTP/1.0 the export is written to a temporary
    file first and sent with Content-Length; a failure while writing it is an error status.
    Behind nginx the app speaks HTTP/1.1 to nginx: deploy/nginx-site.conf passes the client's
    protocol in X-Client-Protocol."""
    protocol = request.META.get("HTTP_X_CLIENT_PROTOCOL") or request.META.get("SERVER_PROTOCOL")
    if (protocol or "").upper() != "HTTP/1.0" or not response.streaming:
        return response
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    size = 0
    for chunk in response.streaming_content:
        spool.write(chunk)
        size += len(chunk)
    spool.seek(0)
    spooled = FileResponse(spool, content_type=response["Content-Type"])
    if response.has_header("Content-Disposition"):
        spooled["Content-Disposition"] = response["Content-Disposition"]
    spooled["Content-Length"] = str(size)
    return spooled
