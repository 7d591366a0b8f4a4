"""Per team, per endpoint rate limit (API.md section 5) with the database counter in-process.

The multi-process proof (gunicorn workers, database and Redis counters) is in
test_rate_limit_workers.py.
"""

from __future__ import annotations

import pytest
from django.core.checks import ERROR
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_ratelimit.checks import check_caches

from tests.analytics_api.cursor.utils import CHANGES, CHANGES_CSV, COMMITS, COMMITS_CSV
from tests.conftest import basic

RATE_LIMITED = {
    "error": "Too Many Requests",
    "message": "Rate limit exceeded. Please try again later.",
}


@pytest.fixture
def five_per_minute(settings):
    settings.AI_CODE_RATE_LIMIT = "5/m"


def statuses(client, path, n, **extra):
    return [client.get(path, **extra).status_code for _ in range(n)]


def test_the_sixth_request_in_a_minute_is_a_429_in_cursors_shape(api, five_per_minute):
    assert statuses(api, COMMITS, 5) == [200] * 5
    response = api.get(COMMITS)
    assert response.status_code == 429
    assert response.json() == RATE_LIMITED
    assert 1 <= int(response["Retry-After"]) <= 60


@pytest.mark.parametrize("path", [CHANGES, COMMITS_CSV, CHANGES_CSV])
def test_every_endpoint_has_its_own_budget(api, five_per_minute, path):
    assert statuses(api, COMMITS, 6)[-1] == 429
    assert statuses(api, path, 5) == [200] * 5
    assert api.get(path).status_code == 429


def test_two_teams_never_share_a_budget(api, client, five_per_minute, outsider_key):
    from rest_framework.test import APIClient

    assert statuses(api, COMMITS, 6)[-1] == 429
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=basic(outsider_key))
    assert statuses(other, COMMITS, 5) == [200] * 5


def test_two_keys_of_one_team_share_its_budget(api, team, five_per_minute):
    from rest_framework.test import APIClient

    from tests.factories import make_key

    assert statuses(api, COMMITS, 3) == [200] * 3
    second = APIClient()
    second.credentials(HTTP_AUTHORIZATION=basic(make_key(team)[1]))
    assert statuses(second, COMMITS, 3) == [200, 200, 429]


def test_a_conditional_hit_is_not_counted(api, settings):
    settings.AI_CODE_RATE_LIMIT = "2/m"
    etag = api.get(COMMITS)["ETag"]
    assert statuses(api, COMMITS, 5, HTTP_IF_NONE_MATCH=etag) == [304] * 5
    assert statuses(api, COMMITS, 2) == [200, 429]


def test_a_400_is_not_counted(api, settings):
    settings.AI_CODE_RATE_LIMIT = "2/m"
    assert statuses(api, COMMITS + "?page=0", 4) == [400] * 4
    assert statuses(api, COMMITS, 3) == [200, 200, 429]


def test_a_rejected_request_does_no_query_work(api, settings):
    settings.AI_CODE_RATE_LIMIT = "1/m"
    api.get(COMMITS)
    with CaptureQueriesContext(connection) as queries:
        assert api.get(COMMITS).status_code == 429
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "tracking_commit" not in tables
    assert len(queries.captured_queries) == 3  # key lookup, counter add, counter incr


def test_django_ratelimit_accepts_the_configured_cache():
    assert [e for e in check_caches(None) if e.level >= ERROR] == []
