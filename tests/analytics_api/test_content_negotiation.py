"""The API does not negotiate, like Cursor's: Accept and `?format=` never change the answer."""

from __future__ import annotations

import pytest

from tests.analytics_api.cursor.utils import CHANGES_CSV, COMMITS, COMMITS_CSV, csv_body

QODER_COMMITS = "/v1/organizations/{org}/ai-code-tracking/commits"


@pytest.mark.parametrize("path", [COMMITS_CSV, CHANGES_CSV])
@pytest.mark.parametrize("accept", ["text/csv", "text/html", "application/xml"])
def test_a_csv_export_is_served_whatever_accept_says(api, path, accept):
    response = api.get(path, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert csv_body(response).startswith(("commit_hash,", "change_id,"))


@pytest.mark.parametrize("accept", ["text/html", "text/csv", "application/xml"])
def test_a_json_list_is_served_whatever_accept_says(api, accept):
    response = api.get(COMMITS, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["items"] == []


def test_an_error_on_a_csv_export_with_accept_csv_is_json(client):
    response = client.get(COMMITS_CSV, HTTP_ACCEPT="text/csv")
    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized"


@pytest.mark.parametrize("fmt", ["xml", "csv", "json", "api"])
def test_the_format_parameter_is_an_ignored_unknown_parameter(api, team, fmt):
    response = api.get(COMMITS, {"format": fmt})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    qoder = api.get(QODER_COMMITS.format(org=team.uuid), {"format": fmt})
    assert qoder.status_code == 200
    assert qoder.json()["success"] is True
