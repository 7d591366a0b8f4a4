"""The OpenAPI schema covers the Qoder dialect: every endpoint, its parameters and errors."""

from __future__ import annotations

import pytest
import yaml

BASE = "/v1/organizations/{organization_id}/"
OPERATIONS = {
    ("ai-code/stats/overview", "get"): "qoder_stats_overview",
    ("ai-code/stats/daily-trend", "get"): "qoder_stats_daily_trend",
    ("ai-code/stats/member-ranking", "get"): "qoder_stats_member_ranking",
    ("ai-code/repos", "get"): "qoder_repos",
    ("ai-code/file-extensions", "get"): "qoder_file_extensions",
    ("ai-code-tracking/commits/detail", "post"): "qoder_commits_detail",
    ("ai-code-tracking/commits", "get"): "qoder_commits_list",
    ("ai-code-tracking/commits/export", "get"): "qoder_commits_export",
    ("ai-code-tracking/changes", "get"): "qoder_changes_list",
    ("ai-code-tracking/changes/export", "get"): "qoder_changes_export",
}


@pytest.fixture
def schema(db, client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


@pytest.mark.parametrize("path, method", OPERATIONS)
def test_every_qoder_endpoint_is_described_with_its_errors(schema, path, method):
    operation = schema["paths"][BASE + path][method]

    assert operation["operationId"] == OPERATIONS[(path, method)]
    assert operation["tags"][0].startswith("Qoder")
    assert {"200", "400", "401", "403", "429"} <= set(operation["responses"])
    assert {"apiKeyBearer": []} in operation["security"]
    assert ("organization_id", "path") in {(p["name"], p["in"]) for p in operation["parameters"]}


def test_commit_detail_lists_body_errors_and_no_304(schema):
    responses = set(schema["paths"][BASE + "ai-code-tracking/commits/detail"]["post"]["responses"])

    assert {"413", "415"} <= responses
    assert "304" not in responses


def test_get_endpoints_list_304(schema):
    assert "304" in schema["paths"][BASE + "ai-code-tracking/commits"]["get"]["responses"]


def test_metrics_parameters_are_described(schema):
    operation = schema["paths"][BASE + "ai-code/stats/member-ranking"]["get"]
    names = {p["name"] for p in operation["parameters"]}

    assert {
        "start_date",
        "end_date",
        "user_id",
        "repo_name",
        "primary_branch_only",
        "file_extensions",
        "limit",
    } <= names


def test_tracking_parameters_are_described(schema):
    operation = schema["paths"][BASE + "ai-code-tracking/changes"]["get"]
    names = {p["name"] for p in operation["parameters"]}

    assert {"startDate", "endDate", "userId", "userEmail", "page", "pageSize", "source"} <= names


def test_the_error_body_is_the_qoder_envelope(schema):
    error = schema["components"]["schemas"]["QoderError"]

    assert set(error["properties"]) == {"success", "error"}
