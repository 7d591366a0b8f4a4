"""The OpenAPI schema does not allow what the service refuses, where one value can say it: each
case below is refused by the schema (validated with jsonschema against /api/schema/) and by
the service (a 400 naming the problem); the last ones are accepted by both. Rules across
parameters or records (startDate <= endDate, a userId of a known member) stay the service's."""

from __future__ import annotations

import json

import pytest
import yaml
from jsonschema import Draft4Validator
from rest_framework.test import APIClient

from tests.conftest import basic

GOOD_CHANGE = {"changeId": "c-1", "userEmail": "dev@acme.example", "source": "AGENT"}
GOOD_MESSAGE = {"messageId": "m-1", "userEmail": "dev@acme.example", "source": "AGENT"}
ORG = "/v1/organizations/{org}"
WINDOW = {"start_date": "2026-11-01", "end_date": "2026-11-02"}


@pytest.fixture
def doc(db):
    return yaml.safe_load(APIClient().get("/api/schema/").content)


def _validator(doc, schema: dict) -> Draft4Validator:
    return Draft4Validator({**schema, "components": doc["components"]})


def query_schema(doc, path: str, name: str) -> Draft4Validator:
    operation = doc["paths"][path]["get"] if "get" in doc["paths"][path] else None
    [param] = [p for p in operation["parameters"] if p["name"] == name]
    return _validator(doc, param["schema"])


def body_schema(doc, path: str) -> Draft4Validator:
    body = doc["paths"][path]["post"]["requestBody"]
    assert body.get("required") is True, path
    return _validator(doc, body["content"]["application/json"]["schema"])


@pytest.fixture
def clients(read_key, ingest_key):
    qoder, cursor, ingest = APIClient(), APIClient(), APIClient()
    qoder.credentials(HTTP_AUTHORIZATION=f"Bearer {read_key}")
    cursor.credentials(HTTP_AUTHORIZATION=basic(read_key))
    ingest.credentials(HTTP_AUTHORIZATION=basic(ingest_key))
    return {"qoder": qoder, "cursor": cursor, "ingest": ingest}


@pytest.mark.parametrize(
    "metric",
    ["ai-code/stats/overview", "ai-code/stats/daily-trend", "ai-code/stats/member-ranking"],
)
@pytest.mark.parametrize("value", ["", "   "])
def test_a_blank_required_start_date(doc, clients, team, metric, value):
    assert not query_schema(doc, f"{ORG.replace('{org}', '{organization_id}')}/{metric}",
                            "start_date").is_valid(value)  # fmt: skip
    url = f"{ORG.format(org=team.uuid)}/{metric}"
    response = clients["qoder"].get(url, {**WINDOW, "start_date": value})
    assert response.status_code == 400 and "start_date" in response.content.decode()


DETAIL = "/v1/organizations/{organization_id}/ai-code-tracking/commits/detail"


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({"commitHashes": ["   "]}, "blank"),
        ({"commitHashes": ["\u3000"]}, "blank"),
        ({"commitHashes": ["abc\u0001"]}, "control"),
        ({"commitHashes": ["a" * 65]}, "64"),
        ({"commitHashes": ["abc"], "branch": "main\r"}, "control"),
    ],
)
def test_a_qoder_detail_body_the_service_refuses(doc, clients, team, body, word):
    assert not body_schema(doc, DETAIL).is_valid(body)
    url = f"{ORG.format(org=team.uuid)}/ai-code-tracking/commits/detail"
    response = clients["qoder"].post(url, body, format="json")
    assert response.status_code == 400 and word in response.json()["error"]["message"]


@pytest.mark.parametrize("hashes", ["   ", "abc,  ", " " * 3 + "," + "a" * 65])
def test_a_blank_cursor_detail_hash(doc, clients, hashes):
    path = doc["paths"]["/analytics/ai-code/commits/{hashes}"]["get"]
    [param] = [p for p in path["parameters"] if p["name"] == "hashes"]
    assert not _validator(doc, param["schema"]).is_valid(hashes)
    response = clients["cursor"].get(f"/analytics/ai-code/commits/{hashes}")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    ("kind", "record", "field"),
    [
        ("changes", {**GOOD_CHANGE, "changeId": None}, "changeId"),
        ("changes", {**GOOD_CHANGE, "changeId": "  "}, "changeId"),
        ("changes", {**GOOD_CHANGE, "changeId": 2**60}, "changeId"),
        ("messages", {**GOOD_MESSAGE, "messageId": None}, "messageId"),
        ("messages", {**GOOD_MESSAGE, "messageId": {"id": 1}}, "messageId"),
        ("changes", {**GOOD_CHANGE, "totalLinesAded": 3}, "totalLinesAded"),
        ("changes", {**GOOD_CHANGE, "metadata": [{"fileExtension": "ts", "lines": 1}]},
         "metadata[0].lines"),
        ("changes", {**GOOD_CHANGE, "metadata": "src/a.ts"}, "metadata"),
        ("commits", {"commitHash": "abc", "userEmail": "dev@acme.example",
                     "createdAt": 253402300799999}, "createdAt"),
        ("commits", {"commitHash": "abc", "userEmail": "dev@acme.example",
                     "files": [{"filePath": "a.py", "path": "a.py"}]}, "files[0].path"),
    ],
)  # fmt: skip
def test_an_ingest_record_the_service_refuses(doc, clients, kind, record, field):
    assert not body_schema(doc, f"/ingest/v1/{kind}").is_valid([record])
    response = clients["ingest"].post(f"/ingest/v1/{kind}", [record], format="json")
    assert response.status_code == 400, response.content
    assert response.json()["problems"][0]["field"] == field


@pytest.mark.parametrize("kind", ["commits", "changes", "messages"])
def test_an_ingest_request_without_a_body(doc, clients, kind):
    body_schema(doc, f"/ingest/v1/{kind}")  # asserts the body is required
    response = clients["ingest"].post(f"/ingest/v1/{kind}")
    assert response.status_code == 400 and "empty" in response.json()["message"]


def test_what_the_service_accepts_the_schema_allows(doc, clients):
    """The other direction (schemathesis's negative check): a blank page is absent, and an
    integer id and a far but supported createdAt are stored."""
    page = query_schema(doc, "/analytics/ai-code/commits", "page")
    assert page.is_valid("") and page.is_valid(2)
    assert clients["cursor"].get("/analytics/ai-code/commits?page=").status_code == 200
    records = [
        {**GOOD_CHANGE, "changeId": 2**53 - 1},
        {**GOOD_CHANGE, "changeId": "c-2", "createdAt": "9999-12-30T23:59:59.999999Z",
         "metadata": [{"fileName": "a.ts"}]},
    ]  # fmt: skip
    assert body_schema(doc, "/ingest/v1/changes").is_valid(json.loads(json.dumps(records)))
    response = clients["ingest"].post("/ingest/v1/changes", records, format="json")
    assert response.status_code == 200, response.content
