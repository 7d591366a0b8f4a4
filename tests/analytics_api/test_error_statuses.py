"""Django-level failures that are not bugs get their own status in the view's dialect, not 500."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError

from tests.analytics_api.cursor.utils import COMMITS

DETAIL = "/v1/organizations/{org}/ai-code-tracking/commits/detail"


def test_a_body_over_the_upload_limit_is_a_413_naming_the_limit(api, team, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"commitHashes": ["a" * 40] * 30})
    response = api.post(DETAIL.format(org=team.uuid), body, content_type="application/json")
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "BadRequest"
    assert "limit of 1000 bytes" in error["message"]


def test_a_3_mb_detail_request_is_a_413_with_the_default_limit(api, team):
    body = json.dumps({"commitHashes": ["a" * 40] * 70_000})
    response = api.post(DETAIL.format(org=team.uuid), body, content_type="application/json")
    assert response.status_code == 413
    assert "2621440 bytes" in response.json()["error"]["message"]


def _locked(**kwargs):
    raise OperationalError("database is locked")


@pytest.fixture
def locked_counter(monkeypatch):
    """The rate-limit counter write waiting out SQLite's lock held by `manage.py ingest`."""
    monkeypatch.setattr("analytics_api.base.enforce_rate_limit", _locked)


def test_a_locked_sqlite_database_is_a_503_with_retry_after_in_cursors_shape(api, locked_counter):
    response = api.get(COMMITS)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"] == "Service Unavailable"
    assert "busy" in response.json()["message"]


def test_a_locked_sqlite_database_is_a_503_in_qoders_shape(api, team, locked_counter):
    response = api.get(f"/v1/organizations/{team.uuid}/ai-code-tracking/commits")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "InternalError"


def test_other_operational_errors_are_still_a_logged_500(api, monkeypatch):
    def broken(**kwargs):
        raise OperationalError("no such table: x")

    monkeypatch.setattr("analytics_api.base.enforce_rate_limit", broken)
    response = api.get(COMMITS)
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/analytics/ai-code/commits", lambda body: body["message"]),
        ("/v1/organizations/x/ai-code/repos", lambda body: body["error"]["message"]),
    ],
)
def test_a_host_outside_allowed_hosts_is_a_json_400_in_the_dialect(client, path, message):
    response = client.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert message(response.json()).startswith("Invalid Host header")
