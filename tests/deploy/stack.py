"""The documented production stack, started by a test: gunicorn (gunicorn.conf.py, production
settings, a SQLite file) behind nginx with deploy/nginx-site.conf as shipped, its HTTP redirect
and its TLS server on ports of 22000-22999, with a self-signed certificate."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.nginx import NGINX, free_port, nginx_conf, tls_context

ROOT = Path(__file__).resolve().parents[2]
__all__ = ["NGINX", "Stack", "gunicorn_alone", "production_stack", "tls_context"]


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1, context=tls_context()).read()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


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


@contextlib.contextmanager
def gunicorn_alone(tmp_path: Path, *, setup: str = "", **extra):
    """gunicorn (gunicorn.conf.py, production settings) with no proxy in front; the Stack's
    `app` port is where it listens."""
    app = free_port()
    env = stack_env(tmp_path, GUNICORN_BIND=f"127.0.0.1:{app}", **extra)
    stack = Stack(app=app, http=0, https=0, tmp_path=tmp_path, env=env)
    stack.manage("migrate", "-v0")
    if setup:
        stack.manage("shell", "-c", setup)
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "gunicorn.log", "w"),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{app}/api/schema/", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("gunicorn did not answer") from None
                time.sleep(0.1)
        yield stack
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
