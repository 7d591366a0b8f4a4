"""A client that hangs up in the middle of a COPY export leaves the connection usable: the
WSGI server closes the response, which closes our generator inside the COPY block, and
psycopg cancels the COPY and drains it."""

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


def test_an_abandoned_copy_export_is_cancelled_and_the_connection_reused(team, owner):
    CommitFactory.create_batch(1_500, member=owner, message="x" * 200)
    start = Commit.objects.earliest("created_at").created_at - timedelta(seconds=1)
    filters = parse_filters({"startDate": start.isoformat()}, now=timezone.now())
    chunks = commit_copy_chunks(team=team, filters=filters)

    next(chunks)  # the header
    assert next(chunks)  # the first rows: the COPY is now in progress
    chunks.close()  # GeneratorExit inside the COPY block

    assert connection.connection.info.transaction_status.name == "INTRANS"  # test transaction
    assert Commit.objects.filter(team=team).count() == 1_500
