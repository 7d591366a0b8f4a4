"""A cut export is detectable by every client: HTTP/1.1 gets the chunked stream, HTTP/1.0 (no
chunked encoding) gets the export written out first and sent with Content-Length, and an
error while writing it is an error status, not a clean-looking file."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.utils import timezone

from analytics_api.cursor import exports
from tests.analytics_api.cursor.utils import CHANGES_CSV, COMMITS_CSV
from tests.factories import ChangeFactory, CommitFactory
from tracking import reads

QODER_EXPORT = "/v1/organizations/{org}/ai-code-tracking/commits/export"


@pytest.fixture
def rows(owner):
    for _ in range(5):
        CommitFactory(member=owner, created_at=timezone.now())
        ChangeFactory(member=owner, team=owner.team, created_at=timezone.now())


@pytest.fixture(autouse=True)
def python_path(monkeypatch):
    monkeypatch.setattr(exports, "export_method", lambda: exports.PYTHON)


@pytest.mark.parametrize("path", [COMMITS_CSV, CHANGES_CSV])
def test_http_11_clients_get_the_chunked_stream(api, rows, path):
    response = api.get(path)
    assert response.streaming
    assert not response.has_header("Content-Length")


@pytest.mark.parametrize("path", [COMMITS_CSV, CHANGES_CSV])
@pytest.mark.parametrize(
    "how", [{"SERVER_PROTOCOL": "HTTP/1.0"}, {"HTTP_X_CLIENT_PROTOCOL": "HTTP/1.0"}]
)
def test_http_10_clients_get_a_content_length(api, rows, path, how):
    streamed = b"".join(api.get(path).streaming_content)
    response = api.get(path, **how)
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body) == len(streamed)
    assert body == streamed
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_qoder_exports_too(client, read_key, team, rows):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {read_key}")
    response = client.get(QODER_EXPORT.format(org=team.uuid), SERVER_PROTOCOL="HTTP/1.0")
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body) > 0
    assert response["Content-Disposition"] == 'attachment; filename="ai-code-commits.csv"'


def test_a_connection_lost_mid_export_is_an_error_status_for_http_10(api, rows, monkeypatch):
    real = reads.keyset_rows

    def dies_after_two(*args, **kwargs):
        for n, row in enumerate(real(*args, **kwargs)):
            if n == 2:
                raise OperationalError("server closed the connection unexpectedly")
            yield row

    monkeypatch.setattr(reads, "keyset_rows", dies_after_two)
    response = api.get(COMMITS_CSV, SERVER_PROTOCOL="HTTP/1.0")
    assert response.status_code == 503
    assert response.json()["message"].startswith("The database connection was lost")
