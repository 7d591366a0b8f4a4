"""The database helpers every layer may use: which engine this is, and writing many rows at once.

`is_postgresql()` is the one place the code asks which database it runs on (PostgreSQL in
production, SQLite as the embedded default); `copy_rows` is COPY on PostgreSQL and batched
executemany elsewhere, so the COPY plumbing and its error wrapping exist once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime

from django.db import connection


def is_postgresql(using=None) -> bool:
    """Whether the connection (default: the default one) is PostgreSQL."""
    return (connection if using is None else using).vendor == "postgresql"


def copy_rows(table: str, columns: Iterable[str], rows: Iterable[tuple]) -> int:
    """Write rows with COPY (PostgreSQL) or executemany in batches (SQLite and others)."""
    columns = tuple(columns)
    n = 0
    with connection.cursor() as cursor:
        if is_postgresql():
            # The raw psycopg cursor: wrap its errors so callers see django.db exceptions.
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
            return n
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        adapt = connection.ops.adapt_datetimefield_value
        rows = (tuple(adapt(v) if isinstance(v, datetime) else v for v in r) for r in rows)
        while batch := list(itertools.islice(rows, 5_000)):
            cursor.executemany(sql, batch)
            n += len(batch)
    return n
