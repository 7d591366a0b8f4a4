"""What every Qoder endpoint shares: Bearer keys, the organization in the path, the Qoder
error envelope, the per-team per-endpoint rate limit and ETags."""

from __future__ import annotations

import time
import uuid

import pytest
from rest_framework.test import APIClient

from analytics_api import base
from tests.conftest import basic
from tests.factories import CommitFactory, make_key
from tracking import figures

from .conftest import RANGE, assert_qoder_error, at, qoder_url

GET_PATHS = [
    ("ai-code/stats/overview", RANGE),
    ("ai-code/stats/daily-trend", RANGE),
    ("ai-code/stats/member-ranking", RANGE),
    ("ai-code/repos", {}),
    ("ai-code/file-extensions", {}),
    ("ai-code-tracking/commits", {}),
    ("ai-code-tracking/commits/export", {}),
    ("ai-code-tracking/changes", {}),
    ("ai-code-tracking/changes/export", {}),
]
DETAIL = "ai-code-tracking/commits/detail"
OVERVIEW = "ai-code/stats/overview"


def request(client, org, path, query=None):
    if path == DETAIL:
        return client.post(qoder_url(org, path), {"commitHashes": ["abc"]}, format="json")
    return client.get(qoder_url(org, path, **(query or {})))


ALL_PATHS = [*GET_PATHS, (DETAIL, {})]


@pytest.mark.parametrize("path, query", ALL_PATHS)
def test_every_endpoint_answers_the_teams_bearer_key(qoder, team, path, query):
    assert request(qoder, team, path, query).status_code == 200


def test_basic_auth_with_the_same_key_works_too(client, team, read_key):
    client.credentials(HTTP_AUTHORIZATION=basic(read_key))

    assert client.get(qoder_url(team, OVERVIEW, **RANGE)).status_code == 200


@pytest.mark.parametrize("path, query", ALL_PATHS)
def test_a_missing_key_is_401_unauthorized(team, path, query):
    response = request(APIClient(), team, path, query)

    assert_qoder_error(response, 401, "Unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_key_is_401_unauthorized(team):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer ak_notarealkey0000000000000000000000000000")

    assert_qoder_error(client.get(qoder_url(team, OVERVIEW, **RANGE)), 401, "Unauthorized", "key")


@pytest.mark.parametrize("path, query", ALL_PATHS)
def test_another_teams_organization_is_403_forbidden(qoder, outsider_team, path, query):
    response = request(qoder, outsider_team, path, query)

    assert_qoder_error(response, 403, "Forbidden", str(outsider_team.uuid))


def test_another_teams_key_on_our_organization_is_403(client, team, world, outsider_key):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {outsider_key}")

    assert_qoder_error(client.get(qoder_url(team, OVERVIEW, **RANGE)), 403, "Forbidden")


def test_an_unknown_organization_uuid_is_403(qoder):
    assert_qoder_error(qoder.get(qoder_url(uuid.uuid4(), OVERVIEW, **RANGE)), 403, "Forbidden")


@pytest.mark.parametrize("path, query", ALL_PATHS)
def test_a_malformed_organization_id_is_400_naming_it(qoder, path, query):
    response = request(qoder, "org_xxx", path, query)

    assert_qoder_error(response, 400, "BadRequest", "organization_id")


def test_the_organization_is_checked_before_the_parameters(qoder, outsider_team):
    response = qoder.get(qoder_url(outsider_team, OVERVIEW))  # dates missing too

    assert_qoder_error(response, 403, "Forbidden")


def test_a_key_that_may_not_read_is_403(client, team):
    _key, plain = make_key(team, can_read=False, can_ingest=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")

    assert_qoder_error(client.get(qoder_url(team, OVERVIEW, **RANGE)), 403, "Forbidden", "read")


def test_an_unknown_path_is_404_in_the_qoder_envelope(qoder, team):
    response = qoder.get(qoder_url(team, "ai-code/stats/nothing"))

    assert_qoder_error(response, 404, "NotFound")


def test_an_unexpected_failure_is_500_without_internals(qoder, team, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("SELECT secret FROM somewhere")

    monkeypatch.setattr(figures, "overview_stats", explode)
    response = qoder.get(qoder_url(team, OVERVIEW, **RANGE))

    body = assert_qoder_error(response, 500, "InternalError")
    assert "SELECT" not in body["error"]["message"]


# --- rate limit ---------------------------------------------------------------------------


def test_over_the_limit_is_429_rate_limited_with_retry_after(qoder, team, settings):
    settings.AI_CODE_RATE_LIMIT = "2/m"
    url = qoder_url(team, OVERVIEW, **RANGE)
    assert [qoder.get(url).status_code for _ in range(2)] == [200, 200]

    response = qoder.get(url)

    assert_qoder_error(response, 429, "RateLimited")
    assert 1 <= int(response["Retry-After"]) <= 60


def test_each_endpoint_has_its_own_budget(qoder, team, settings):
    settings.AI_CODE_RATE_LIMIT = "1/m"
    assert qoder.get(qoder_url(team, OVERVIEW, **RANGE)).status_code == 200
    assert qoder.get(qoder_url(team, OVERVIEW, **RANGE)).status_code == 429

    assert qoder.get(qoder_url(team, "ai-code/stats/daily-trend", **RANGE)).status_code == 200
    assert qoder.get(qoder_url(team, "ai-code-tracking/commits")).status_code == 200
    assert qoder.get(qoder_url(team, "ai-code-tracking/commits/export")).status_code == 200


def test_two_teams_never_share_a_budget(qoder, team, outsider_team, outsider_key, settings):
    settings.AI_CODE_RATE_LIMIT = "1/m"
    assert qoder.get(qoder_url(team, OVERVIEW, **RANGE)).status_code == 200

    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {outsider_key}")
    assert other.get(qoder_url(outsider_team, OVERVIEW, **RANGE)).status_code == 200


def test_the_commit_detail_post_is_rate_limited_too(qoder, team, settings):
    settings.AI_CODE_RATE_LIMIT = "1/m"
    assert request(qoder, team, DETAIL).status_code == 200

    assert_qoder_error(request(qoder, team, DETAIL), 429, "RateLimited")


# --- ETags ------------------------------------------------------------------------------------


@pytest.fixture
def slow_clock_buckets(monkeypatch):
    """ETags of moving windows change once a minute; keep a test from crossing a boundary."""
    monkeypatch.setattr(base, "MOVING_WINDOW_ETAG_SECONDS", 10**9)


@pytest.mark.parametrize("path, query", GET_PATHS)
def test_a_matching_if_none_match_is_a_304_with_no_body(
    qoder, team, path, query, slow_clock_buckets
):
    first = qoder.get(qoder_url(team, path, **query))
    assert first["Cache-Control"] == "private"

    again = qoder.get(qoder_url(team, path, **query), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""


def test_a_304_does_not_count_against_the_rate_limit(qoder, team, settings):
    settings.AI_CODE_RATE_LIMIT = "1/m"
    url = qoder_url(team, OVERVIEW, **RANGE)
    etag = qoder.get(url)["ETag"]

    assert [qoder.get(url, HTTP_IF_NONE_MATCH=etag).status_code for _ in range(3)] == [304] * 3


def test_new_data_changes_the_etag(qoder, team, owner):
    url = qoder_url(team, OVERVIEW, **RANGE)
    etag = qoder.get(url)["ETag"]
    CommitFactory(member=owner, commit_ts=at(2))
    team.bump_data_version()

    response = qoder.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["committedTotalLinesEdit"] > 0


def test_a_moving_window_gets_a_new_etag_when_the_clock_bucket_turns(qoder, team, monkeypatch):
    monkeypatch.setattr(base, "MOVING_WINDOW_ETAG_SECONDS", 1)
    url = qoder_url(team, "ai-code-tracking/commits", startDate="7d")
    etag = qoder.get(url)["ETag"]
    time.sleep(1.05)

    assert qoder.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_fixed_window_keeps_its_etag_across_clock_buckets(qoder, team, monkeypatch):
    monkeypatch.setattr(base, "MOVING_WINDOW_ETAG_SECONDS", 1)
    url = qoder_url(team, OVERVIEW, **RANGE)
    etag = qoder.get(url)["ETag"]
    time.sleep(1.05)

    assert qoder.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_other_parameters_have_another_etag(qoder, team):
    first = qoder.get(qoder_url(team, OVERVIEW, **RANGE))["ETag"]
    filtered = qoder.get(qoder_url(team, OVERVIEW, repo_name="x", **RANGE))["ETag"]

    assert first != filtered
