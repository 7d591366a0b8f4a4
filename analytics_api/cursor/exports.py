"""The two CSV exports: the Python path (any database) and, on PostgreSQL, the COPY path.

Both write identical bytes (tests/analytics_api/cursor/test_csv_copy.py). COPY is used on PostgreSQL
because it measured faster (bench/cursor_csv.py, docs/cursor-api.md); the Python path reads in
keyset batches of 10,000 rows everywhere else.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.http import StreamingHttpResponse

from analytics_api.csv_export import csv_response, neutralize_formulas, stream_response
from analytics_api.cursor.copy_sql import change_copy_chunks, commit_copy_chunks
from analytics_api.cursor.serialization import (
    CHANGE_COLUMNS,
    CHANGE_CSV_HEADER,
    COMMIT_COLUMNS,
    COMMIT_CSV_HEADER,
    PublicIds,
    change_cells,
    change_csv_cells,
    commit_cells,
    commit_csv_cells,
)
from common.db import is_postgresql
from teams.models import Team
from tracking import reads
from tracking.reads import Filters

PYTHON, COPY = "python", "copy"


def export_method() -> str:
    return COPY if is_postgresql() else PYTHON


def commit_csv_stream(
    *, team: Team, filters: Filters, method: str | None = None, neutralize: bool = False
) -> StreamingHttpResponse:
    if (method or export_method()) == COPY and not neutralize:
        return stream_response(commit_copy_chunks(team=team, filters=filters), filename=None)
    rows = map(commit_csv_cells, commit_export_cells(team=team, filters=filters))
    if neutralize:
        rows = neutralize_formulas(rows)
    return csv_response(header=COMMIT_CSV_HEADER, rows=rows, cells_ready=True)


def change_csv_stream(
    *, team: Team, filters: Filters, method: str | None = None, neutralize: bool = False
) -> StreamingHttpResponse:
    if (method or export_method()) == COPY and not neutralize:
        return stream_response(change_copy_chunks(team=team, filters=filters), filename=None)
    rows = map(change_csv_cells, change_export_cells(team=team, filters=filters))
    if neutralize:
        rows = neutralize_formulas(rows)
    return csv_response(header=CHANGE_CSV_HEADER, rows=rows, cells_ready=True)


def commit_export_cells(*, team: Team, filters: Filters) -> Iterator[tuple]:
    ids = PublicIds()
    qs = reads.commits(team=team, filters=filters)
    for row in reads.keyset_rows(qs, reads.values(*COMMIT_COLUMNS)):
        yield commit_cells(row, ids)


def change_export_cells(*, team: Team, filters: Filters) -> Iterator[tuple]:
    ids = PublicIds()
    qs = reads.accepted_changes(team=team, filters=filters)
    for row in reads.keyset_rows(qs, reads.values(*CHANGE_COLUMNS)):
        yield change_cells(row, ids)
