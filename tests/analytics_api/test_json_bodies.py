"""One JSON rule for every body: deep nesting and undecodable bytes are a 400, never a 500."""

from __future__ import annotations

import pytest

DETAIL = "/v1/organizations/{org}/ai-code-tracking/commits/detail"


@pytest.fixture
def bearer(client, read_key):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {read_key}")
    return client


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_on_commits_detail_is_a_400(bearer, team, depth):
    body = "[" * depth + "]" * depth
    response = bearer.post(DETAIL.format(org=team.uuid), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] in (
        "Malformed JSON: nested too deeply.",
        "The body must be a JSON object with commitHashes.",  # parsed: Python's limit not hit
    )


def test_malformed_json_names_line_and_column(bearer, team):
    response = bearer.post(
        DETAIL.format(org=team.uuid), '{"commitHashes": [1,}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Malformed JSON at line 1, column")


def test_bytes_that_are_not_utf8_are_a_400(bearer, team):
    response = bearer.post(
        DETAIL.format(org=team.uuid), b"\xff\xfe{", content_type="application/json"
    )
    assert response.status_code == 400
