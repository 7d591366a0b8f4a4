"""The OpenAPI 3 schema (/api/schema/) and its docs pages, served without internet access."""

from __future__ import annotations

import pytest
import yaml

CURSOR_PATHS = {
    "/analytics/ai-code/commits": "cursor_commits_list",
    "/analytics/ai-code/changes": "cursor_changes_list",
    "/analytics/ai-code/commits.csv": "cursor_commits_csv",
    "/analytics/ai-code/changes.csv": "cursor_changes_csv",
}


@pytest.fixture
def schema(db, client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_it_is_openapi_3_and_lists_the_cursor_endpoints(schema):
    assert schema["openapi"].startswith("3.")
    for path, operation_id in CURSOR_PATHS.items():
        assert schema["paths"][path]["get"]["operationId"] == operation_id


@pytest.mark.parametrize("path", CURSOR_PATHS)
def test_parameters_and_auth_are_described(schema, path):
    operation = schema["paths"][path]["get"]
    names = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
    expected = {"startDate", "endDate", "user"}
    if not path.endswith(".csv"):
        expected |= {"page", "pageSize"}
    else:
        expected |= {"neutralizeFormulas"}
    assert names == expected
    assert operation["security"] == [{"apiKeyBasic": []}, {"apiKeyBearer": []}]
    assert {"200", "304", "400", "401", "429"} <= set(operation["responses"])
    assert "ETag" in operation["responses"]["200"]["headers"]
    assert "Retry-After" in operation["responses"]["429"]["headers"]
    assert {"name": "If-None-Match"}.items() <= next(
        p for p in operation["parameters"] if p["in"] == "header"
    ).items()


def test_the_commit_item_has_the_seed_fields_in_order_then_commit_source(schema):
    item = schema["components"]["schemas"]["AiCommitMetric"]
    assert list(item["properties"]) == [
        "commitHash", "userId", "userEmail", "repoName", "branchName", "isPrimaryBranch",
        "totalLinesAdded", "totalLinesDeleted", "tabLinesAdded", "tabLinesDeleted",
        "composerLinesAdded", "composerLinesDeleted", "nonAiLinesAdded", "nonAiLinesDeleted",
        "message", "commitTs", "createdAt", "commitSource",
    ]  # fmt: skip
    assert item["properties"]["repoName"]["nullable"] is True


def test_the_change_metadata_file_name_is_optional(schema):
    metadata = schema["components"]["schemas"]["ChangeMetadata"]
    assert "fileName" not in metadata["required"]
    assert schema["components"]["schemas"]["AiCodeChangeMetric"]["properties"]["source"]


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_their_assets_locally(db, client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn." not in html


def test_the_ui_assets_are_installed_locally():
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert finders.find("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")


def test_the_whole_schema_generates_without_warnings(db):
    """Warnings from drf-spectacular mean a part of the schema may be wrong (e.g. two security
    components with one name); `--fail-on-warn` turns them into a failing exit."""
    from django.core.management import call_command

    try:
        call_command("spectacular", "--fail-on-warn", "--file", "/dev/null")
    except SystemExit as exit_:  # the command exits non-zero on warnings
        pytest.fail(f"drf-spectacular reported warnings (exit {exit_.code})")


def test_both_security_schemes_are_defined(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["apiKeyBasic"]["scheme"] == "basic"
    assert schemes["apiKeyBearer"]["scheme"] == "bearer"
