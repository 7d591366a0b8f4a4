"""The real server for the measurements: gunicorn on config.wsgi, sync workers, loopback only."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import client as http
from bench.env import PYTHON, RESULTS_DIR, ROOT


@dataclass
class Server:
    proc: subprocess.Popen
    base_url: str
    workers: int

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _command(port: int, workers: int) -> list[str]:
    # Sync workers, the gunicorn default; a long timeout because a 10M-row export is one
    # request that streams for minutes.
    return [
        PYTHON, "-m", "gunicorn", "config.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--worker-class", "sync",
        "--timeout", "3600",
        "--log-level", "warning",
    ]  # fmt: skip


def _wait_ready(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.proc.returncode}; see its log.")
        try:
            http.get(server.base_url + "/analytics/ai-code/commits", key=None, timeout=2)
            if len(server.worker_pids()) >= server.workers:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within a minute.")


@contextmanager
def running_server(*, env: dict[str, str], workers: int) -> Iterator[Server]:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with open(RESULTS_DIR / "gunicorn.log", "ab") as log:
        proc = subprocess.Popen(
            _command(port, workers), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    server = Server(proc=proc, base_url=f"http://127.0.0.1:{port}", workers=workers)
    try:
        _wait_ready(server)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
