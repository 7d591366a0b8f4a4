"""A JSON number of 5,000 digits is a 400 that says so in the sender's terms, at every door
that reads JSON, never Python's advice about sys.set_int_max_str_digits()."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from tests.conftest import basic
from tests.tracking.ingest.helpers import run_ingest

BIG = "9" * 5000
CLEAR = "a number has 5,000 digits; at most 4,300 are read"


def message(response) -> str:
    body = response.json()
    return body["error"]["message"] if body.get("success") is False else body["message"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('[{"changeId": "x", "totalLinesAdded": ' + BIG + "}]", "application/json"),
        ('{"changeId": "x", "totalLinesAdded": -' + BIG + "}\n", "application/x-ndjson"),
        ("[" + '{"changeId": "y"},\n' * 3 + '{"changeId": "x", "userId": ' + BIG + "}]",
         "application/json"),
    ],
)  # fmt: skip
def test_ingest_names_the_digits(ingest_key, body, content_type):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(ingest_key))
    response = client.post("/ingest/v1/changes", body, content_type=content_type)
    assert response.status_code == 400, response.content
    assert CLEAR in message(response) and "sys.set_int" not in message(response)


def test_a_qoder_json_body_names_the_digits(read_key, team):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {read_key}")
    url = f"/v1/organizations/{team.uuid}/ai-code-tracking/commits/detail"
    response = client.post(url, '{"commitHashes": [' + BIG + "]}", content_type="application/json")
    assert response.status_code == 400, response.content
    assert CLEAR in message(response) and "sys.set_int" not in message(response)


def test_manage_py_ingest_names_the_digits(team, tmp_path):
    path = tmp_path / "changes.ndjson"
    first = '{"changeId": "w", "userEmail": "dev@acme.example", "source": "AGENT"}\n'
    path.write_text(first + '{"changeId": "x", "totalLinesAdded": ' + BIG + "}\n")
    with pytest.raises(CommandError) as caught:
        run_ingest(path, team=team.slug)
    assert CLEAR in str(caught.value) and "sys.set_int" not in str(caught.value)


def test_a_huge_date_value_is_not_echoed_whole(api):
    response = api.get(f"/analytics/ai-code/commits?startDate={BIG}x")
    assert response.status_code == 400
    assert "(5,001 characters)" in message(response) and len(message(response)) < 400
