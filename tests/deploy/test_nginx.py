"""The documented production setup survives slow clients: nginx (deploy/nginx-site.conf) in
front of gunicorn with sync workers. 20 connections that send one header byte a second do not
stop normal requests from answering in under a second."""

from __future__ import annotations

import http.client
import os
import socket
import threading
import time

import pytest

from tests.deploy.stack import NGINX, production_stack, tls_context

SLOW_CLIENTS = 20

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.path.exists(NGINX), reason="nginx is not installed (.ci/run installs it)"
    ),
]


def slow_client(port: int, stop: threading.Event) -> None:
    request = b"GET /api/schema/ HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 10_000
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            for byte in request:
                if stop.is_set():
                    return
                sock.sendall(bytes([byte]))
                time.sleep(1.0)
    except OSError:
        return  # nginx dropped it (client_header_timeout): what it is for


def test_slow_clients_do_not_freeze_the_server_behind_nginx(tmp_path):
    stop = threading.Event()
    with production_stack(tmp_path) as stack:
        slow = [
            threading.Thread(target=slow_client, args=(stack.http, stop))
            for _ in range(SLOW_CLIENTS)
        ]
        try:
            for thread in slow:
                thread.start()
            time.sleep(2)  # every slow client is connected and trickling
            latencies = []
            for _ in range(16):
                started = time.perf_counter()
                conn = http.client.HTTPSConnection(
                    "127.0.0.1", stack.https, timeout=10, context=tls_context()
                )
                conn.request("GET", "/analytics/ai-code/commits")  # a full trip through Django
                response = conn.getresponse()
                response.read()
                conn.close()
                assert response.status == 401  # no key: answered by the app, cheaply
                latencies.append(time.perf_counter() - started)
                time.sleep(0.25)
        finally:
            stop.set()
            for thread in slow:
                thread.join(timeout=5)
    print(f"normal requests with {SLOW_CLIENTS} slow clients: max {max(latencies) * 1000:.0f} ms")
    assert max(latencies) < 1.0, latencies
