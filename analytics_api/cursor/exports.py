"""The two CSV exports: the Python path (any database) and, on PostgreSQL, the COPY path.

Both write identical bytes (tests/analytics_api/test_csv_copy.py). COPY is used on PostgreSQL
because it measured faster (bench/cursor_csv.py, docs/cursor-api.md); the Python path reads in
keyset batches of 10,000 rows everywhere else.
"""

from __future__ import annotations

from django.http import StreamingHttpResponse

from analytics_api.csv_export import csv_response, neutralize_formulas, stream_response
from analytics_api.cursor.copy_sql import change_copy_chunks, commit_copy_chunks
from analytics_api.cursor.params import Filters
from analytics_api.cursor.selectors import change_export_cells, commit_export_cells
from analytics_api.cursor.serialization import (
    CHANGE_CSV_HEADER,
    COMMIT_CSV_HEADER,
    change_csv_cells,
    commit_csv_cells,
)
from common.db import is_postgresql
from teams.models import Team

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
