"""Error pages: HTML in the dashboard's style for people's paths, the API's JSON shapes under
/analytics/, /v1/ and /ingest/; a lost database connection is a 503 on both sides.
(In Chromium: tests/dashboard/test_browser_errors.py.)"""

from __future__ import annotations

import pytest
from django.db import OperationalError, connections
from django.test import Client

from tests.dashboard.test_access import signed_in

STYLED = '<link rel="stylesheet" href="/static/dashboard/dashboard.css">'


def connection_drops(monkeypatch) -> None:
    """Every query from now on fails as psycopg does when the server went away mid-session."""

    def lost(*_args, **_kwargs):
        raise OperationalError("consuming input failed: server closed the connection unexpectedly")

    monkeypatch.setattr(type(connections["default"]), "create_cursor", lost)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/no-such-page/", "/dashboard/", "/accounts/nope/", "/favicon.png"]
)
def test_an_unknown_browser_path_is_the_dashboards_404_page(path):
    response = Client().get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert STYLED in response.text and "<h1>Not found</h1>" in response.text


@pytest.mark.django_db
def test_unknown_api_paths_keep_their_json_shapes():
    cursor = Client().get("/analytics/ai-code/nope")
    assert cursor.status_code == 404
    assert cursor.json() == {"error": "Not Found", "message": "Not found: no such endpoint."}
    qoder = Client().get("/v1/nope")
    assert qoder.json()["error"]["code"] == "NotFound"
    assert Client().get("/ingest/v1/nope").json()["error"] == "Not Found"


@pytest.mark.django_db
def test_a_failing_dashboard_page_is_an_html_500_and_an_api_path_json(teammate_user, monkeypatch):
    def broken(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr("dashboard.views.team_for_user", broken)
    client = signed_in(teammate_user)
    client.raise_request_exception = False
    response = client.get("/dashboard/acme/")
    assert response.status_code == 500
    assert STYLED in response.text and "Something went wrong" in response.text
    assert "boom" not in response.text and "Traceback" not in response.text


@pytest.mark.django_db
def test_a_lost_database_connection_on_a_dashboard_page_is_an_html_503(teammate_user, monkeypatch):
    client = signed_in(teammate_user)
    client.raise_request_exception = False
    connection_drops(monkeypatch)
    response = client.get("/dashboard/acme/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert STYLED in response.text and "Temporarily unavailable" in response.text


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_is_the_styled_403_page(teammate_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teammate_user)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert STYLED in response.text and "security token" in response.text
