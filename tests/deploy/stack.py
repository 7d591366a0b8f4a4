"""The documented production stack, started by a test: gunicorn (gunicorn.conf.py, production
settings, a SQLite file) behind nginx with deploy/nginx-site.conf as shipped, its HTTP redirect
and its TLS server on ports of 22000-22999, with a self-signed certificate."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PORTS = range(22000, 23000)  # the range this project's tests may listen on


def free_port() -> int:
    for port in random.sample(PORTS, len(PORTS)):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 22000-22999")


def tls_context() -> ssl.SSLContext:
    return ssl._create_unverified_context()  # the test's own self-signed certificate


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1, context=tls_context()).read()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def nginx_conf(tmp_path: Path, *, http: int, https: int, upstream: int, log_level: str) -> Path:
    """deploy/nginx-site.conf with only its ports, certificate and log paths changed."""
    cert, key = self_signed(tmp_path)
    site = (ROOT / "deploy" / "nginx-site.conf").read_text()
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
    temp.mkdir()
    conf.write_text(
        f"daemon off;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/nginx-error.log {log_level};\n"
        f"events {{ worker_connections 512; }}\n"
        f"http {{\n access_log off;\n client_body_temp_path {temp}/body;\n"
        f" proxy_temp_path {temp}/proxy;\n fastcgi_temp_path {temp}/fastcgi;\n"
        f" uwsgi_temp_path {temp}/uwsgi;\n scgi_temp_path {temp}/scgi;\n{site}\n}}\n"
    )
    return conf


@dataclass
class Stack:
    app: int  # gunicorn, direct
    http: int  # nginx's redirect
    https: int  # nginx's TLS server
    tmp_path: Path
    env: dict

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.https}"

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True,
            capture_output=True, text=True,
        )  # fmt: skip
        return done.stdout


def stack_env(tmp_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        SECRET_KEY="nginx-test-" + "x" * 40, PUBLIC_ID_KEY="nginx-test-public-" + "y" * 32,
        DJANGO_SETTINGS_MODULE="config.settings_production",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", GUNICORN_WORKERS="2",
        GUNICORN_ACCESS_LOG="", STATIC_ROOT=str(tmp_path / "static"),
    )  # fmt: skip
    env.update(extra)
    return env


@contextlib.contextmanager
def production_stack(tmp_path: Path, *, setup: str = "", log_level: str = "error", **extra):
    """Migrate, run `setup` (Python for `manage.py shell -c`), start gunicorn and nginx."""
    app, http, https = free_port(), free_port(), free_port()
    env = stack_env(tmp_path, GUNICORN_BIND=f"127.0.0.1:{app}", **extra)
    stack = Stack(app=app, http=http, https=https, tmp_path=tmp_path, env=env)
    stack.manage("migrate", "-v0")
    if setup:
        stack.manage("shell", "-c", setup)
    conf = nginx_conf(tmp_path, http=http, https=https, upstream=app, log_level=log_level)
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "gunicorn.log", "w"),
    )  # fmt: skip
    nginx = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(f"{stack.base}/api/schema/")
        yield stack
    finally:
        nginx.terminate()
        gunicorn.terminate()
        nginx.wait(timeout=20)
        gunicorn.wait(timeout=30)
