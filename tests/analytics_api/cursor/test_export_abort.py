"""A client that hangs up in the middle of a COPY export leaves the connection usable: the
WSGI server closes the response, which closes our generator inside the COPY block, and
psycopg cancels the COPY and drains it.

transaction=True: the server runs in autocommit, as here. Inside a test transaction the
cancel would abort the transaction (INERROR), which says nothing about production."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from analytics_api.cursor.copy_sql import commit_copy_chunks
from analytics_api.cursor.params import parse_filters
from tests.factories import CommitFactory
from tracking.models import Commit

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is the PostgreSQL fast path"
)
ROWS = 20_000  # several MB of CSV: far more than the socket buffers, so the COPY is mid-way


@pytest.mark.django_db(transaction=True)
def test_an_abandoned_copy_export_is_cancelled_and_the_connection_reused(team, owner):
    Commit.objects.bulk_create(
        CommitFactory.build_batch(ROWS, member=owner, message="x" * 300), batch_size=5_000
    )
    start = Commit.objects.earliest("created_at").created_at - timedelta(seconds=1)
    filters = parse_filters({"startDate": start.isoformat()}, now=timezone.now())
    chunks = commit_copy_chunks(team=team, filters=filters)

    next(chunks)  # the header
    assert next(chunks)  # the first rows: the COPY is now in progress
    chunks.close()  # GeneratorExit inside the COPY block

    assert connection.connection.info.transaction_status.name == "IDLE"
    assert Commit.objects.filter(team=team).count() == ROWS
