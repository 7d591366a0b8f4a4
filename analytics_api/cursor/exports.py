"""The two CSV exports: the Python path (any database) and, on PostgreSQL, COPY when faster."""

from __future__ import annotations

from django.http import StreamingHttpResponse

from analytics_api.csv_export import csv_response
from analytics_api.cursor.params import Filters
from analytics_api.cursor.selectors import change_export_cells, commit_export_cells
from analytics_api.cursor.serialization import (
    CHANGE_CSV_HEADER,
    COMMIT_CSV_HEADER,
    change_csv_cells,
)
from teams.models import Team


def commit_csv_stream(*, team: Team, filters: Filters) -> StreamingHttpResponse:
    return csv_response(
        header=COMMIT_CSV_HEADER, rows=commit_export_cells(team=team, filters=filters)
    )


def change_csv_stream(*, team: Team, filters: Filters) -> StreamingHttpResponse:
    rows = (change_csv_cells(c) for c in change_export_cells(team=team, filters=filters))
    return csv_response(header=CHANGE_CSV_HEADER, rows=rows)
