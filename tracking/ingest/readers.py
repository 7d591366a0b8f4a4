"""Streaming readers for `manage.py ingest`: NDJSON, a JSON array, and the four CSV exports.

Each reader yields (line number, raw camelCase record or BadRow) and never holds the file:
NDJSON and CSV go line by line; a JSON array is decoded element by element from a sliding
buffer. A problem that makes the rest of the file unreadable (an unknown CSV header, a broken
JSON array) raises ReadError; a problem confined to one row is yielded as a BadRow so that
`--skip-invalid` can skip it.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from tracking import formats
from tracking.formats import PAIR_FIELDS, camel
from tracking.ingest import jsonfast
from tracking.ingest.records import CHANGES, COMMITS
from tracking.ingest.services import BadRow

CHUNK = 1 << 20
MAX_RECORD_CHARS = 64 << 20  # one JSON array element larger than this is refused
_INT = re.compile(r"-?\d+")


class ReadError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(f"{line}: {message}")
        self.line = line
        self.message = message


# -- CSV ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvFormat:
    name: str
    kind: str
    columns: tuple[str, ...]
    # column -> record field (None: ignored, e.g. the exporting team's user ids)
    fields: dict[str, str | None]
    # Columns a file may add to the header (commit_source, beyond the seed's commits.csv).
    optional: frozenset[str] = frozenset()


_IGNORED = {"userId", "nonAiLinesAdded", "nonAiLinesDeleted"}


def _format(name: str, kind: str, header: list[str], optional: tuple[str, ...] = ()) -> CsvFormat:
    """The headers come from tracking/formats.py, the exports' own lists: a round trip cannot
    drift. Cursor's snake_case columns map to the camelCase record fields."""
    fields = {column: camel(column) for column in (*header, *optional)}
    return CsvFormat(
        name,
        kind,
        tuple(header),
        {c: None if n in _IGNORED else n for c, n in fields.items()},
        frozenset(optional),
    )


CSV_FORMATS = (
    _format("Cursor commits.csv", COMMITS, formats.CURSOR_COMMIT_CSV_HEADER, ("commit_source",)),
    _format("Cursor changes.csv", CHANGES, formats.CURSOR_CHANGE_CSV_HEADER),
    _format("Qoder ai-code-commits.csv", COMMITS, formats.QODER_COMMIT_CSV_HEADER),
    _format("Qoder ai-code-changes.csv", CHANGES, formats.QODER_CHANGE_CSV_HEADER),
)
# Fields whose CSV cell is typed: integers and booleans are converted here, so the record
# validator sees what a JSON sender would send (and rejects "1.5" the same way it rejects 1.5).
_INT_FIELDS = {"totalLinesAdded", "totalLinesDeleted", *PAIR_FIELDS} | {
    "tabLinesAdded", "tabLinesDeleted", "composerLinesAdded", "composerLinesDeleted",
}  # fmt: skip


def csv_format(header: list[str]) -> CsvFormat:
    cleaned = [h.strip() for h in header]
    for fmt in CSV_FORMATS:
        core = [h for h in cleaned if h not in fmt.optional]
        extra = len(cleaned) - len(core)
        if set(core) == set(fmt.columns) and len(core) == len(fmt.columns) and extra <= 1:
            return fmt
    expected = "\n".join(f"  {fmt.name}: {','.join(fmt.columns)}" for fmt in CSV_FORMATS)
    raise ReadError(1, f"unknown CSV header {','.join(cleaned)!r}; expected one of:\n{expected}")


# Whatever we export we must read back: a commit message may hold 1,000,000 characters and a
# change's metadata_json up to 1,000 entries; the csv module's default cell limit is 131,072.
CSV_FIELD_LIMIT = 64 << 20


def read_csv(stream: IO[str]) -> tuple[CsvFormat, Iterator[tuple[int, Any]]]:
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(stream, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ReadError(1, "the file is empty") from None
    except csv.Error as exc:
        raise ReadError(1, f"malformed CSV: {exc}") from None
    fmt = csv_format(header)
    return fmt, _csv_rows(reader, fmt, [h.strip() for h in header])


def _csv_rows(reader, fmt: CsvFormat, header: list[str]) -> Iterator[tuple[int, Any]]:
    line = reader.line_num
    while True:
        start = line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ReadError(reader.line_num, f"malformed CSV: {exc}") from None
        line = reader.line_num
        if not row:
            continue
        if len(row) != len(header):
            yield start, BadRow("", f"has {len(row)} cells, the header has {len(header)}")
            continue
        yield start, _csv_record(fmt, header, row)


def _csv_record(fmt: CsvFormat, header: list[str], row: list[str]):
    record: dict[str, Any] = {}
    for column, cell in zip(header, row, strict=True):
        name = fmt.fields[column]
        if name is None or cell == "":
            continue  # empty cell = null
        if name == "metadataJson":
            try:
                record["metadata"] = jsonfast.loads(cell)
            except ValueError as exc:
                return BadRow(column, f"is not valid JSON: {exc}")
        elif name in _INT_FIELDS and _INT.fullmatch(cell.strip()):
            record[name] = int(cell)
        elif name == "isPrimaryBranch" and cell.strip().lower() in ("true", "false"):
            record[name] = cell.strip().lower() == "true"
        else:
            record[name] = cell
    return record


def csv_field(fmt: CsvFormat, field: str) -> str:
    """The CSV column a record field came from, for error messages."""
    head = field.split(".")[0].split("[")[0]
    head = "metadataJson" if head == "metadata" else head
    for column, name in fmt.fields.items():
        if name == head:
            return column + field[len(field.split(".")[0].split("[")[0]) :]
    return field


# -- JSON -----------------------------------------------------------------------------------


def read_ndjson(stream: IO[bytes]) -> Iterator[tuple[int, Any]]:
    """Lines of a binary stream. Optimization: bytes go to the JSON parser undecoded."""
    for number, line in enumerate(stream, start=1):
        if number == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        if not line.strip():
            continue
        try:
            record = jsonfast.loads(line.rstrip(b"\r\n"))
        except (ValueError, RecursionError) as exc:
            record = BadRow("", f"malformed JSON: {_json_reason(exc)}")
        yield number, record


def _json_reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc)


def read_json_array(stream: IO[str]) -> Iterator[tuple[int, Any]]:
    """Elements of a top-level JSON array, one at a time, with the line each starts on."""
    return _ArrayReader(stream).elements()


class _ArrayReader:
    def __init__(self, stream: IO[str]):
        self.stream, self.buf, self.pos, self.line, self.eof = stream, "", 0, 1, False
        self.decoder = json.JSONDecoder()

    def elements(self) -> Iterator[tuple[int, Any]]:
        if self._next_char() != "[":
            raise ReadError(self.line, "malformed JSON: a JSON array must start with '['")
        self.pos += 1
        if self._next_char() == "]":
            return self._end()
        while True:
            self._next_char()
            line, value = self.line, self._decode()
            yield line, value
            sep = self._next_char()
            self.pos += 1
            if sep == "]":
                return self._end()
            if sep != ",":
                raise ReadError(self.line, f"malformed JSON: expected ',' or ']', got {sep!r}")

    def _end(self) -> None:
        if self._next_char() != "":
            raise ReadError(self.line, "malformed JSON: extra data after the array")

    def _next_char(self) -> str:
        """Skip whitespace (counting lines) and return the next character ('' at the end)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.line += self.buf[self.pos] == "\n"
                self.pos += 1
            if self.pos < len(self.buf) or not self._fill():
                return self.buf[self.pos : self.pos + 1]

    def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(CHUNK)
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        self.eof = not chunk
        return bool(chunk)

    def _decode(self) -> Any:
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._grow():
                    continue
                line = self.line + self.buf.count("\n", self.pos, exc.pos)
                raise ReadError(line, f"malformed JSON: {exc.msg}") from None
            except (ValueError, RecursionError) as exc:
                raise ReadError(self.line, f"malformed JSON: {_json_reason(exc)}") from None
            # A value that ends exactly at the buffer's end may be cut short (a number).
            if end == len(self.buf) and self._grow():
                continue
            text = self.buf[self.pos : end]
            self.line += text.count("\n")
            self.pos = end
            if "\\u" in text:
                try:
                    jsonfast.refuse_lone_surrogates(value)
                except ValueError as exc:
                    return BadRow("", f"malformed JSON: {exc}")
            return value

    def _grow(self) -> bool:
        if len(self.buf) - self.pos > MAX_RECORD_CHARS:
            raise ReadError(self.line, f"a record is larger than {MAX_RECORD_CHARS} characters")
        return self._fill()
