"""nginx's error log keeps no query strings (emails in `?user=`) at info level: the site file
sets its own error_log at warn, so clients that hang up early (logged at info, with their
request line) are not written even where the operator runs nginx's log at info."""

from __future__ import annotations

import os
import socket
import struct
import time

import pytest

from tests.deploy.stack import NGINX, production_stack, tls_context

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(NGINX), reason="nginx is not installed"),
]

EMAIL = "alice.secret@example.com"


def hang_up_early(port: int, path: str) -> None:
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock = tls_context().wrap_socket(raw, server_hostname="127.0.0.1")
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()  # a reset, before the answer: nginx logs it at info


def test_the_error_log_at_info_level_holds_no_query_string(tmp_path):
    with production_stack(tmp_path, log_level="info") as stack:
        for _ in range(20):
            hang_up_early(stack.https, f"/analytics/ai-code/commits?user={EMAIL}&startDate=7d")
        time.sleep(1)
        logs = {p.name: p.read_text() for p in tmp_path.glob("*error.log")}
    assert "nginx-error.log" in logs  # the server-wide log, at info
    assert all(EMAIL not in text for text in logs.values()), logs
