"""A minimal HTTP client on http.client: no dependency, and streaming reads in large chunks."""

from __future__ import annotations

import base64
import http.client
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

CHUNK = 1 << 20


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    size: int = 0
    newlines: int = 0
    first_byte_seconds: float = 0.0
    extra: dict = field(default_factory=dict)


def _auth(key: str | None) -> dict[str, str]:
    if key is None:
        return {}
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout), path


def request(
    method: str,
    url: str,
    *,
    key: str | None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 600,
    sink: Callable[[bytes], None] | None = None,
) -> Response:
    """One request on a fresh connection; with `sink` the body is streamed to it, not kept."""
    conn, path = _connection(url, timeout)
    start = time.perf_counter()
    try:
        conn.request(method, path, body=body, headers={**_auth(key), **(headers or {})})
        resp = conn.getresponse()
        first = time.perf_counter() - start
        if sink is None:
            data = resp.read()
            return Response(
                resp.status,
                dict(resp.getheaders()),
                data,
                time.perf_counter() - start,
                len(data),
                first_byte_seconds=first,
            )
        size = newlines = 0
        while chunk := resp.read1(CHUNK) if hasattr(resp, "read1") else resp.read(CHUNK):
            size += len(chunk)
            newlines += chunk.count(b"\n")
            sink(chunk)
        return Response(
            resp.status,
            dict(resp.getheaders()),
            b"",
            time.perf_counter() - start,
            size,
            newlines,
            first,
        )
    finally:
        conn.close()


def get(url: str, *, key: str | None, timeout: float = 600) -> Response:
    return request("GET", url, key=key, timeout=timeout)


def stream(url: str, *, key: str, sink: Callable[[bytes], None] = lambda _c: None) -> Response:
    return request("GET", url, key=key, timeout=3600, sink=sink)


def post(url: str, *, key: str, body: bytes, content_type: str) -> Response:
    return request("POST", url, key=key, body=body, headers={"Content-Type": content_type})
