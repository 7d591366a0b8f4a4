"""A method without a handler is a 405 before any parameter check, and neither a 405 nor an
OPTIONS request spends rate-limit budget (API.md sections 4 and 5)."""

from __future__ import annotations

import pytest

from tests.analytics_api.cursor.utils import COMMITS, COMMITS_CSV

DETAIL = "/v1/organizations/{org}/ai-code-tracking/commits/detail"
QODER_COMMITS = "/v1/organizations/{org}/ai-code-tracking/commits"


@pytest.fixture
def three_per_minute(settings):
    settings.AI_CODE_RATE_LIMIT = "3/m"


def test_get_on_the_post_only_detail_endpoint_is_a_405_not_a_400(api, team):
    response = api.get(DETAIL.format(org=team.uuid))
    assert response.status_code == 405
    body = response.json()
    assert body["success"] is False
    assert "GET" in body["error"]["message"]
    assert "POST" in response["Allow"]


def test_post_on_a_get_endpoint_is_a_405_in_cursors_shape(api):
    response = api.post(COMMITS, {}, format="json")
    assert response.status_code == 405
    assert response.json() == {
        "error": "Method Not Allowed",
        "message": 'Method "POST" not allowed.',
    }


@pytest.mark.parametrize("path", [COMMITS, COMMITS_CSV])
def test_405s_and_options_do_not_spend_the_rate_limit(api, three_per_minute, path):
    for _ in range(5):
        assert api.post(path, {}, format="json").status_code == 405
        assert api.delete(path).status_code == 405
        assert api.options(path).status_code == 200
    assert [api.get(path).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_options_with_bad_parameters_is_not_a_400(api):
    assert api.options(COMMITS, QUERY_STRING="page=zero").status_code == 200


def test_a_405_still_requires_a_valid_key(client):
    assert client.post(COMMITS, {}, format="json").status_code == 401
