"""deploy/nginx-site.conf as shipped, in a throwaway nginx: only its ports, certificate and log
paths replaced (a self-signed certificate made with openssl). Used by the slow-readers
benchmark (bench/slow_readers.py) and by the tests of the production stack
(tests/deploy/stack.py). Ports are taken from 22000-22999."""

from __future__ import annotations

import random
import shutil
import socket
import ssl
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx-site.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PORTS = range(22000, 23000)


_handed_out: set[int] = set()  # free now but maybe not bound yet: never hand out one twice


def free_port() -> int:
    for port in random.sample(PORTS, len(PORTS)):
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            _handed_out.add(port)
            return port
    raise RuntimeError("no free port in 22000-22999")


def tls_context() -> ssl.SSLContext:
    return ssl._create_unverified_context()  # our own self-signed certificate


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def nginx_conf(
    tmp_path: Path, *, http: int, https: int, upstream: int, log_level: str = "error",
    site: str | None = None,
) -> Path:  # fmt: skip
    """A whole nginx.conf around the site file (or `site`, a variant of it)."""
    cert, key = self_signed(tmp_path)
    site = SITE.read_text() if site is None else site
    for old, new in (
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;"),
        ("/etc/ssl/certs/aicode.pem", str(cert)),
        ("/etc/ssl/private/aicode.key", str(key)),
        ("/var/log/nginx/aicode-error.log", str(tmp_path / "site-error.log")),
    ):
        assert old in site, old
        site = site.replace(old, new)
    conf = tmp_path / "nginx.conf"
    temp = tmp_path / "nginx-temp"
    temp.mkdir(exist_ok=True)
    conf.write_text(
        f"daemon off;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/nginx-error.log {log_level};\n"
        f"events {{ worker_connections 512; }}\n"
        f"http {{\n access_log off;\n client_body_temp_path {temp}/body;\n"
        f" proxy_temp_path {temp}/proxy;\n fastcgi_temp_path {temp}/fastcgi;\n"
        f" uwsgi_temp_path {temp}/uwsgi;\n scgi_temp_path {temp}/scgi;\n{site}\n}}\n"
    )
    return conf
