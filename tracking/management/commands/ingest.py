"""python manage.py ingest --team TEAM FILE... [--kind K] [--skip-invalid] [--progress]

Loads NDJSON, a JSON array, or one of the four CSV exports (recognised by the header) through
the same readers and service as POST /ingest/v1/*. Each file is one transaction: a bad row stops
that file ("FILE:LINE: field: message") and nothing of it is stored, unless --skip-invalid.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from teams.management.options import team_option
from teams.models import Team
from tracking.ingest import activity, readers
from tracking.ingest.fidelity import FULL
from tracking.ingest.records import CHANGES, COMMITS, KIND_NAMES, MESSAGES
from tracking.ingest.services import (
    BATCH_SIZE,
    IngestInvalid,
    Problem,
    WriteConflict,
    stream_ingest,
)

MAX_REPORTED = 20  # problems printed for a failed file
MAX_SKIPS_PRINTED = 1000
PROGRESS_EVERY = 1.0  # seconds
KIND_MARKERS = (
    ("commitHash", COMMITS),
    ("changeId", CHANGES),
    ("messageId", MESSAGES),
    # Cursor's Admin API rows: every daily usage row has isActive, every usage event timestamp.
    ("isActive", activity.CURSOR_DAILY_USAGE),
    ("timestamp", activity.CURSOR_USAGE_EVENTS),
)


class FileFailed(Exception):
    pass


AGENT_TRACES = "agent-traces"


class Command(BaseCommand):
    help = (
        "Load commits, changes or messages from NDJSON, JSON array or CSV export files, or "
        "Cursor's Admin API daily usage rows and usage events from NDJSON or a JSON array."
    )

    def add_arguments(self, parser):
        parser.add_argument("--team", required=True, help="The team's slug or UUID.")
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--kind",
            choices=(*KIND_NAMES, *activity.KIND_NAMES, AGENT_TRACES),
            help="Record kind of JSON files (agent-traces: Agent Trace JSONL, docs/tools.md).",
        )
        parser.add_argument(
            "--repo",
            type=Path,
            help="agent-traces: the repository's clone, to find each trace's landing commit.",
        )
        parser.add_argument(
            "--repo-name",
            help="agent-traces: the repository's name (default: the --repo folder's name).",
        )
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Report bad rows and load the rest."
        )
        parser.add_argument(
            "--progress", action="store_true", help="Show progress even when stderr is no TTY."
        )
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help="Records per bulk write."
        )

    def handle(self, *args, team, files, kind, skip_invalid, progress, batch_size, **options):
        team_obj = team_option(team)
        missing = [name for name in files if not Path(name).is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        if kind == AGENT_TRACES:
            from tracking.management.traces import load_traces

            load_traces(self, team_obj, files, options.get("repo"), options.get("repo_name"))
            return
        self.show_progress = progress or sys.stderr.isatty()
        self.batch_size = max(1, batch_size)
        failed = []
        for name in files:
            try:
                self._load(team_obj, Path(name), kind, skip_invalid)
            except FileFailed as exc:
                self.stderr.write(str(exc))
                failed.append(name)
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(files)} file(s) not loaded (nothing of them was "
                f"stored): {', '.join(failed)}"
            )

    def _load(self, team: Team, path: Path, kind: str | None, skip_invalid: bool) -> None:
        started = time.monotonic()
        with path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            try:
                kind, rows, field_name, fidelity = _open_rows(text, kind)
                counted = self._progress(path, raw, rows)
                result = stream_ingest(
                    team=team,
                    kind=kind,
                    rows=counted,
                    skip_invalid=skip_invalid,
                    on_skip=self._skip_reporter(path, field_name),
                    batch_size=self.batch_size,
                    fidelity=fidelity,
                )
            except readers.ReadError as exc:
                raise FileFailed(f"{path}:{exc.line}: {exc.message}") from None
            except UnicodeDecodeError as exc:
                raise FileFailed(f"{path}: not UTF-8 text ({exc.reason})") from None
            except IngestInvalid as exc:
                raise FileFailed(_failure(path, exc.problems, field_name)) from None
            except WriteConflict as exc:
                raise FileFailed(
                    f"{path}: nothing stored: another writer wrote the same records at the "
                    f"same time ({exc}); run the command again"
                ) from None
            finally:
                self._end_progress()
        elapsed = max(time.monotonic() - started, 1e-6)
        self.stdout.write(
            f"{path}: {kind}: received {result.received}, created {result.created}, "
            f"updated {result.updated}, skipped {result.skipped} in {elapsed:.1f}s "
            f"({result.received / elapsed:,.0f} rows/s)"
        )
        if result.kept:
            self.stdout.write(
                f"{path}: kept the richer stored values of {result.kept} records that this "
                "format cannot carry (docs/ingestion.md, Importing an export again)"
            )

    def _skip_reporter(self, path: Path, field_name):
        printed = 0

        def report(problem: Problem) -> None:
            nonlocal printed
            printed += 1
            if printed <= MAX_SKIPS_PRINTED:
                self.stderr.write(f"{_where(path, problem, field_name)} (skipped)")
            elif printed == MAX_SKIPS_PRINTED + 1:
                self.stderr.write(f"{path}: more bad rows skipped; not printing them")

        return report

    def _progress(self, path: Path, raw, rows: Iterator) -> Iterator:
        if not self.show_progress:
            yield from rows
            return
        size = max(path.stat().st_size, 1)
        started = last = time.monotonic()
        for count, row in enumerate(rows, start=1):
            yield row
            if count % 1000 == 0 and (now := time.monotonic()) - last >= PROGRESS_EVERY:
                last = now
                percent = min(100.0, 100.0 * raw.tell() / size)
                rate = count / (now - started)
                sys.stderr.write(f"\r{path}: {count:,} rows, {percent:5.1f}% ({rate:,.0f}/s)")
                sys.stderr.flush()

    def _end_progress(self) -> None:
        if self.show_progress:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _open_rows(text, kind: str | None):
    """(kind, rows, field namer, fidelity) for a file, by its first character and header."""
    first = _peek(text)
    if first == "[":
        return (*_json_rows(readers.read_json_array(text), kind), FULL)
    if first == "{":
        return (*_json_rows(readers.read_ndjson(text.buffer), kind), FULL)
    if first == "":
        raise readers.ReadError(1, "the file is empty")
    fmt, rows, fidelity = readers.read_csv(text)
    if kind and kind != fmt.kind:
        raise readers.ReadError(1, f"the header is a {fmt.name} header, not {kind}")
    return fmt.kind, rows, lambda field: readers.csv_field(fmt, field), fidelity


def _peek(text) -> str:
    """The first non-blank character, leaving the stream where it was."""
    buffer = text.buffer
    head = buffer.peek(4096)[:4096].decode("utf-8-sig", errors="replace")
    return head.lstrip()[:1]


def _json_rows(rows: Iterator, kind: str | None):
    if kind:
        return kind, rows, None
    first = next(rows, None)
    if first is None:
        raise readers.ReadError(1, "no records in the file")
    line, raw = first
    found = [k for marker, k in KIND_MARKERS if isinstance(raw, dict) and marker in raw]
    if len(found) != 1:
        markers = ", ".join(marker for marker, _ in KIND_MARKERS)
        raise readers.ReadError(
            line, f"cannot tell the record kind (no single one of {markers}): use --kind"
        )
    return found[0], chain([(line, raw)], rows), None


def _where(path: Path, problem: Problem, field_name) -> str:
    field = field_name(problem.field) if field_name and problem.field else problem.field
    return f"{path}:{problem.index}: {field + ': ' if field else ''}{problem.message}"


def _failure(path: Path, problems: list[Problem], field_name) -> str:
    lines = [_where(path, p, field_name) for p in problems[:MAX_REPORTED]]
    if len(problems) > MAX_REPORTED:
        lines.append(f"{path}: ... {len(problems) - MAX_REPORTED} more problems")
    lines.append(f"{path}: nothing of this file was stored (use --skip-invalid to load the rest)")
    return "\n".join(lines)
