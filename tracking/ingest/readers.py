"""One reader per format, for every door: NDJSON, a JSON array, and the four CSV exports.

`manage.py ingest` reads files with them, the HTTP door (analytics_api/ingest/body.py) a
request's body, the sync a CSV export. Each reader yields (line number, raw camelCase record or
BadRow) and never holds its input: NDJSON and CSV go line by line; a JSON array is decoded
element by element from a sliding buffer. A problem that makes the rest of the input unreadable
(an unknown CSV header, a broken JSON array) raises ReadError; a problem confined to one row is
yielded as a BadRow, so that `--skip-invalid` can skip it and the HTTP door refuse the body.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import repeat
from typing import IO, Any

import orjson

from tracking import formats
from tracking.formats import PAIR_FIELDS, camel
from tracking.ingest import jsonfast
from tracking.ingest.fidelity import MILLISECOND, SECOND, Fidelity
from tracking.ingest.records import CHANGES, COMMITS
from tracking.ingest.services import BadRow

CHUNK = 1 << 20
MAX_RECORD_CHARS = 64 << 20  # one JSON array element larger than this is refused
_INT = re.compile(r"-?\d+")


class ReadError(ValueError):
    """Input that cannot be read on from `line` (an unknown CSV header, a broken JSON array)."""

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
    # What the format cannot say, so an import never overwrites richer stored values with it.
    fidelity: Fidelity = Fidelity()

    def fidelity_with(self, header: list[str]) -> Fidelity:
        """The format's fidelity for a file whose header has these columns: an optional
        column present (commit_source, named as its model column) is carried."""
        present = self.optional & set(header)
        return replace(self.fidelity, absent=self.fidelity.absent - present)


_IGNORED = {"userId", "nonAiLinesAdded", "nonAiLinesDeleted"}


def _format(
    name: str, kind: str, header: list[str], fidelity: Fidelity, optional: tuple[str, ...] = ()
) -> CsvFormat:
    """The headers come from tracking/formats.py, the exports' own lists: a round trip cannot
    drift. Cursor's snake_case columns map to the camelCase record fields."""
    fields = {column: camel(column) for column in (*header, *optional)}
    return CsvFormat(
        name,
        kind,
        tuple(header),
        {c: None if n in _IGNORED else n for c, n in fields.items()},
        frozenset(optional),
        fidelity,
    )


# What each export cannot say (tracking/ingest/fidelity.py): no CSV says whether a change was
# accepted (Qoder's lists rejected suggestions too), none but a commits.csv with that column
# gives commitSource, and an empty cell is "" or null; Cursor's files round timestamps to
# milliseconds and give the pairs and sources as tab/composer, Qoder's round to seconds.
_CURSOR_COMMITS = Fidelity(
    absent=frozenset({"commit_source"}),
    cursor_split=True,
    precision=MILLISECOND,
    empty_is_null=True,
)
_CURSOR_CHANGES = Fidelity(
    absent=frozenset({"accepted"}),
    cursor_sources=True,
    precision=MILLISECOND,
    empty_is_null=True,
)
_QODER_COMMITS = Fidelity(absent=frozenset({"commit_source"}), precision=SECOND, empty_is_null=True)
_QODER_CHANGES = Fidelity(absent=frozenset({"accepted"}), precision=SECOND, empty_is_null=True)
CSV_FORMATS = (
    _format(
        "Cursor commits.csv", COMMITS, formats.CURSOR_COMMIT_CSV_HEADER, _CURSOR_COMMITS,
        ("commit_source",),
    ),
    _format("Cursor changes.csv", CHANGES, formats.CURSOR_CHANGE_CSV_HEADER, _CURSOR_CHANGES),
    _format("Qoder ai-code-commits.csv", COMMITS, formats.QODER_COMMIT_CSV_HEADER, _QODER_COMMITS),
    _format("Qoder ai-code-changes.csv", CHANGES, formats.QODER_CHANGE_CSV_HEADER, _QODER_CHANGES),
)  # fmt: skip
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


def read_csv(stream: IO[str]) -> tuple[CsvFormat, Iterator[tuple[int, Any]], Fidelity]:
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(stream, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ReadError(1, "the file is empty") from None
    except csv.Error as exc:
        raise ReadError(1, f"malformed CSV: {exc}") from None
    fmt = csv_format(header)
    cleaned = [h.strip() for h in header]
    return fmt, _csv_rows(reader, fmt, cleaned), fmt.fidelity_with(cleaned)


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
        yield start, csv_record(fmt, header, row)


def csv_record(fmt: CsvFormat, header: list[str], row: list[str]):
    """One CSV row as a raw record (the file reader's and the sync's CSV exports')."""
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


class JsonError(ReadError):
    """Malformed JSON: `reason` as the parser words it, at `line` (and `column` when known)."""

    def __init__(self, line: int, reason: str, *, column: int | None = None):
        super().__init__(line, f"malformed JSON: {reason}")
        self.reason = reason
        self.column = column


@dataclass(frozen=True)
class MalformedRow(BadRow):
    """One NDJSON line or array element that is not usable JSON (the rest of the input may be);
    `error` says where and why, for a caller that refuses the whole input (the HTTP door)."""

    error: JsonError


def _malformed_row(error: JsonError) -> MalformedRow:
    where = f" at column {error.column}" if error.column is not None else ""
    return MalformedRow("", error.message + where, error)


def _reason(exc: Exception) -> str:
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc)


def read_ndjson(stream: IO[bytes]) -> Iterator[tuple[int, Any]]:
    """(line number, record) for each non-blank line of a binary stream; a line that is not
    JSON is a MalformedRow and the lines after it are still read. Only b"\n" ends a line (what
    iterating a binary stream splits on): U+2028, \x85, \x1e... may stand unescaped in JSON
    strings, and str.splitlines() would cut records there.

    Optimization: the lines go to the parser as bytes, never decoded to str."""
    for number, line in enumerate(stream, start=1):
        if number == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        if not line.strip():
            continue
        try:
            record = jsonfast.loads(line.rstrip(b"\r\n"))
        except json.JSONDecodeError as exc:
            record = _malformed_row(JsonError(number, exc.msg, column=exc.colno))
        except (ValueError, RecursionError) as exc:  # a 5,000-digit number, [[[[...]]]]
            record = _malformed_row(JsonError(number, _reason(exc)))
        yield number, record


# Optimization (speed): an array that fits in one read and has no line break (what programs
# send) is parsed whole by orjson: 10,000 bench changes (3.7 MB) in 15 ms, against 29 ms for
# json element by element. Its elements all start on line 1. Whatever orjson refuses is read
# again element by element, which decides and words every error.
# Optimization (memory): a whole parse holds every element at once, about 15x the text's size
# for an array of tiny elements; above this size elements are yielded as they are read, so a
# caller with a record limit (HTTP) stops at the first one too many.
ARRAY_WHOLE_MAX_CHARS = 8 << 20
# A decode error this close to the buffer's end may only mean the buffer ends mid-value (a cut
# number or escape): read more and try again. Further back the error stands as it is, except
# an unterminated string, which may end beyond the buffer.
_CUT_MARGIN = 16


def read_json_array(stream: IO[str]) -> Iterator[tuple[int, Any]]:
    """(line the element starts on, element) for each element of a top-level JSON array, read
    from a sliding buffer: memory holds one read of the text, not the whole of it."""
    return _ArrayReader(stream).elements()


class _ArrayReader:
    def __init__(self, stream: IO[str]):
        self.stream, self.buf, self.pos, self.line, self.eof = stream, "", 0, 1, False
        self.line_start = 0  # where self.line starts in buf (negative: before the buffer)
        self.decoder = jsonfast.decoder()

    def elements(self) -> Iterator[tuple[int, Any]]:
        self._fill(ARRAY_WHOLE_MAX_CHARS + 1)
        if len(self.buf) <= ARRAY_WHOLE_MAX_CHARS and "\n" not in self.buf and not self._fill():
            whole = _orjson_list(self.buf)
            if whole is not None:
                yield from zip(repeat(1), whole)
                return
        if self._next_char() != "[":
            raise JsonError(self.line, "a JSON array must start with '['")
        self.pos += 1
        if self._next_char() == "]":
            self.pos += 1
            return self._end()
        while True:
            self._next_char()
            line, value = self.line, self._decode()
            yield line, value
            sep = self._next_char()
            if sep == "]":
                self.pos += 1
                return self._end()
            if sep != ",":
                raise JsonError(
                    self.line, f"expected ',' or ']', got {sep!r}", column=self._where(self.pos)[1]
                )
            self.pos += 1

    def _end(self) -> None:
        if self._next_char() != "":
            raise JsonError(self.line, "extra data after the array")

    def _next_char(self) -> str:
        """Skip whitespace (counting lines) and return the next character ('' at the end)."""
        while True:
            char = self.buf[self.pos : self.pos + 1]
            if char and char not in " \t\n\r":  # Optimization: compact JSON, no whitespace
                return char
            self._advance(_WS.match(self.buf, self.pos).end())
            if self.pos < len(self.buf) or not self._fill():
                return self.buf[self.pos : self.pos + 1]

    def _advance(self, end: int) -> None:
        newlines = self.buf.count("\n", self.pos, end)
        if newlines:
            self.line += newlines
            self.line_start = self.buf.rfind("\n", self.pos, end) + 1
        self.pos = end

    def _where(self, at: int) -> tuple[int, int]:
        """(line, column) of buffer position `at`, at or after self.pos."""
        newlines = self.buf.count("\n", self.pos, at)
        if not newlines:
            return self.line, at - self.line_start + 1
        return self.line + newlines, at - self.buf.rfind("\n", self.pos, at)

    def _fill(self, size: int = CHUNK) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(size)
        if not chunk:
            self.eof = True  # the buffer stays as it is: positions in it stay true
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.line_start -= self.pos
        self.pos = 0
        return True

    def _decode(self) -> Any:
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._maybe_cut(exc) and self._grow():
                    continue
                line, column = self._where(exc.pos)
                raise JsonError(line, exc.msg, column=column) from None
            except (ValueError, RecursionError) as exc:
                raise JsonError(self.line, _reason(exc)) from None
            # A value that ends exactly at the buffer's end may be cut short (a number).
            if end == len(self.buf) and self._grow():
                continue
            line, escaped = self.line, self.buf.find("\\u", self.pos, end) != -1
            self._advance(end)
            if escaped:
                try:
                    jsonfast.refuse_lone_surrogates(value)
                except ValueError as exc:
                    return _malformed_row(JsonError(line, str(exc)))
            return value

    def _maybe_cut(self, exc: json.JSONDecodeError) -> bool:
        return exc.pos >= len(self.buf) - _CUT_MARGIN or exc.msg.startswith("Unterminated")

    def _grow(self) -> bool:
        if len(self.buf) - self.pos > MAX_RECORD_CHARS:
            raise ReadError(self.line, f"a record is larger than {MAX_RECORD_CHARS} characters")
        return self._fill()


_WS = re.compile(r"[ \t\n\r]*")


def _orjson_list(text: str) -> list | None:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return value if type(value) is list else None
