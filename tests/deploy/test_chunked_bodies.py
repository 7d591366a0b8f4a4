"""A body sent with `Transfer-Encoding: chunked` straight to gunicorn (no nginx, which would
send a Content-Length) is read, not taken for empty; over its path's limit it is a 413."""

from __future__ import annotations

import base64
import http.client
import json

import pytest

from tests.deploy.stack import gunicorn_alone

pytestmark = pytest.mark.slow

SETUP = (
    "from teams.models import ApiKey, Team\n"
    "team = Team.objects.create(name='Acme', slug='acme')\n"
    "_k, plain = ApiKey.objects.create_key(team=team, can_ingest=True)\n"
    "open('key.txt', 'w').write(plain)\n"
)


def record(i: int) -> dict:
    return {
        "changeId": f"c-{i}", "userEmail": "dev@acme.example", "source": "AGENT",
        "model": "gpt-4o", "totalLinesAdded": 3, "totalLinesDeleted": 1,
        "metadata": [
            {"fileName": "a.ts", "fileExtension": "ts", "linesAdded": 3, "linesDeleted": 1}
        ],
        "createdAt": "2025-07-30T15:10:12.000Z",
    }  # fmt: skip


def post_chunked(port: int, key: str, body: bytes, chunk: int = 4096):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    conn.putrequest("POST", "/ingest/v1/changes")
    for name, value in (("Authorization", auth), ("Content-Type", "application/x-ndjson"),
                        ("Transfer-Encoding", "chunked")):  # fmt: skip
        conn.putheader(name, value)
    conn.endheaders()
    for start in range(0, len(body), chunk):
        piece = body[start : start + chunk]
        conn.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
    conn.send(b"0\r\n\r\n")
    response = conn.getresponse()
    payload = json.loads(response.read())
    conn.close()
    return response.status, payload


def test_a_chunked_ingest_body_is_read_and_an_oversized_one_refused(tmp_path):
    ndjson = b"".join(json.dumps(record(i)).encode() + b"\n" for i in range(1000))
    with gunicorn_alone(
        tmp_path, setup=f"import os; os.chdir({str(tmp_path)!r})\n" + SETUP,
        INGEST_MAX_BODY_BYTES=str(len(ndjson) + 100),
    ) as stack:  # fmt: skip
        key = (tmp_path / "key.txt").read_text()
        status, payload = post_chunked(stack.app, key, ndjson)
        assert (status, payload) == (200, {"received": 1000, "created": 1000, "updated": 0})
        status, payload = post_chunked(stack.app, key, ndjson + ndjson)
    assert status == 413
    assert payload["error"] == "Content Too Large" or payload["error"] == "Request Entity Too Large"
    assert f"limit of {len(ndjson) + 100} bytes (INGEST_MAX_BODY_BYTES)" in payload["message"]
