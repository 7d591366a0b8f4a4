"""The COPY export does not overflow on large line counts, and closing it unread or never
reading it (HEAD) leaves the connection usable."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from analytics_api.cursor import copy_sql
from analytics_api.cursor.params import parse_filters
from tests.analytics_api.cursor.utils import COMMITS_CSV, at, csv_rows
from tests.factories import CommitFactory
from tracking.models import Commit

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is the PostgreSQL fast path"
)

MAX_INT = 2**31 - 1
WINDOW = {"startDate": "2025-07-01", "endDate": "2025-07-31"}


def test_derived_sums_beyond_a_postgres_integer_are_exact(api, owner):
    CommitFactory(
        member=owner,
        created_at=at("2025-07-10T00:00:00"),
        total_lines_added=MAX_INT,
        ide_next_lines_added=MAX_INT,
        plugin_next_lines_added=MAX_INT,
        ide_agent_lines_added=MAX_INT,
        plugin_agent_lines_added=MAX_INT,
    )
    response = api.get(COMMITS_CSV, WINDOW)
    assert response.status_code == 200
    (row,) = csv_rows(response)
    assert row["tab_lines_added"] == str(2 * MAX_INT)
    assert row["composer_lines_added"] == str(2 * MAX_INT)
    assert row["non_ai_lines_added"] == "0"


def test_an_export_never_read_is_cancelled_when_closed(team, owner):
    CommitFactory.create_batch(50, member=owner, created_at=at("2025-07-10T00:00:00"))
    filters = parse_filters(WINDOW, now=timezone.now())
    copy_sql.commit_copy_chunks(team=team, filters=filters).close()  # as after a HEAD
    assert Commit.objects.filter(team=team).count() == 50


def test_a_head_request_on_a_copy_export_leaves_the_connection_usable(api, owner):
    CommitFactory.create_batch(20, member=owner, created_at=at("2025-07-10T00:00:00"))
    response = api.head(COMMITS_CSV, WINDOW)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b""  # the test client closes it after
    assert api.get(COMMITS_CSV.removesuffix(".csv"), WINDOW).json()["totalCount"] == 20
