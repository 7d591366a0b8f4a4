"""Slow readers through nginx: do two clients reading a big CSV export slowly take the service
down? `python -m bench.slow_readers [--changes 400000] [--workers 4] [--readers 2]`.

The documented production stack, started here: gunicorn (gunicorn.conf.py, production
settings, sync workers, a SQLite file in a temporary directory) behind nginx with
deploy/nginx-site.conf (ports of 22000-22999, a self-signed certificate). One team is seeded
with `--changes` changes. `--readers` clients each request `/analytics/ai-code/changes.csv` and
read it at 4 KiB every 2 s (receive buffer 8 KiB), the case of issue 24; meanwhile normal
requests (`GET /analytics/ai-code/commits?pageSize=10`, one every 0.2 s, 5 s timeout) are
timed. Two site files are measured, the one shipped and the one before it:

- unbuffered: `proxy_max_temp_file_size 0` (responses only in nginx's 1 MiB of memory
  buffers: a worker waits for its slow client for the whole export);
- shipped: responses spooled to a temp file, so the worker is free once the app has produced
  the export.

Prints, per site file, the normal requests' p50, p99 and max (a timeout counts as 5 s) and how
many timed out, and writes them to bench/results/slow_readers.json.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.nginx import NGINX, ROOT, SITE, free_port, nginx_conf, tls_context

TIMEOUT = 5.0
READ_BYTES, READ_EVERY = 4096, 2.0
EXPORT = "/analytics/ai-code/changes.csv?startDate=30d&endDate=now"
NORMAL = "/analytics/ai-code/commits?startDate=7d&endDate=now&page=1&pageSize=10"


def variants() -> dict[str, str]:
    shipped = SITE.read_text()
    unbuffered = shipped.replace("proxy_max_temp_file_size 4096m;", "proxy_max_temp_file_size 0;")
    assert unbuffered != shipped, "the site file no longer sets proxy_max_temp_file_size 4096m"
    return {"unbuffered": unbuffered, "shipped": shipped}


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout


def seeded_environment(
    tmp: Path, *, changes: int, workers: int, data: Path | None = None
) -> tuple[dict, str]:
    """The server's environment and the team's key; the database seeded in `data` (kept, and
    reused by a later run with the same --data) or in `tmp`."""
    where = data or tmp
    where.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings_production", SECRET_KEY="slow-" + "x" * 40,
        PUBLIC_ID_KEY="slow-readers-public-id", DATABASE_URL=f"sqlite:///{where}/db.sqlite3",
        AI_CODE_RATE_LIMIT="1000000/m", GUNICORN_WORKERS=str(workers), GUNICORN_ACCESS_LOG="",
        LOG_LEVEL="WARNING", STATIC_ROOT=str(tmp / "static"),
    )  # fmt: skip
    saved = where / "key.txt"
    if saved.exists():
        print(f"reusing the seeded database in {where}", flush=True)
        return env, saved.read_text()
    manage(env, "migrate", "-v0")
    key = json.loads(manage(env, "create_team", "Slow", "--json"))["apiKey"]
    print(f"seeding {changes:,} changes ...", flush=True)
    manage(
        env, "seed_demo", "--team", "slow", "--days", "30", "--changes", str(changes),
        "--commits", str(max(changes // 10, 1)), "--messages", "0", "--members", "50",
    )  # fmt: skip
    saved.write_text(key)
    return env, key


def basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


def slow_reader(port: int, key: str, stop: threading.Event, read: list[int]) -> None:
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)  # before connect: a small window
    raw.connect(("127.0.0.1", port))
    with tls_context().wrap_socket(raw, server_hostname="127.0.0.1") as sock:
        sock.sendall(
            f"GET {EXPORT} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: {basic(key)}\r\nConnection: close\r\n\r\n".encode()
        )
        while not stop.is_set():
            data = sock.recv(READ_BYTES)
            if not data:
                return
            read.append(len(data))
            stop.wait(READ_EVERY)


def normal_request(port: int, key: str) -> float:
    started = time.perf_counter()
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=TIMEOUT, context=tls_context())
    try:
        conn.request("GET", NORMAL, headers={"Authorization": basic(key)})
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status
        return time.perf_counter() - started
    except TimeoutError:
        return TIMEOUT
    finally:
        conn.close()


def measure(
    tmp: Path, env: dict, key: str, site: str, *, readers: int, requests: int, settle: float
) -> dict:
    app, http_port, https = free_port(), free_port(), free_port()
    env = dict(env, GUNICORN_BIND=f"127.0.0.1:{app}")
    conf = nginx_conf(tmp, http=http_port, https=https, upstream=app, site=site)
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp)], stderr=subprocess.DEVNULL)
    stop, read = threading.Event(), []
    threads = [
        threading.Thread(target=slow_reader, args=(https, key, stop, read)) for _ in range(readers)
    ]
    try:
        _wait(https, key)
        for thread in threads:
            thread.start()
        time.sleep(settle)  # the exports are under way
        latencies = []
        for _ in range(requests):
            latencies.append(normal_request(https, key))
            time.sleep(0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        nginx.terminate()
        gunicorn.terminate()
        nginx.wait(timeout=20)
        gunicorn.wait(timeout=30)
    latencies.sort()
    return {
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "timeouts": sum(1 for s in latencies if s >= TIMEOUT),
        "requests": len(latencies),
        "slow_bytes_read": sum(read),
    }


def _wait(port: int, key: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            normal_request(port, key)
            return
        except (OSError, AssertionError):
            time.sleep(0.2)
    raise SystemExit("the stack did not answer")


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(prog="python -m bench.slow_readers", description=__doc__)
    p.add_argument("--changes", type=int, default=400_000)
    p.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    p.add_argument("--readers", type=int, default=2)
    p.add_argument("--requests", type=int, default=100)
    p.add_argument(
        "--settle",
        type=float,
        default=3.0,
        help="seconds between the slow readers' requests and the first timed request",
    )
    p.add_argument("--only", choices=("unbuffered", "shipped"))
    p.add_argument("--data", type=Path, help="keep the seeded database here and reuse it")
    args = p.parse_args(argv)
    results = {
        "changes": args.changes, "workers": args.workers, "readers": args.readers,
        "settle_s": args.settle,
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="aicode-slow-readers-") as tmp:
        env, key = seeded_environment(
            Path(tmp), changes=args.changes, workers=args.workers, data=args.data
        )
        for name, site in variants().items():
            if args.only and name != args.only:
                continue
            run_dir = Path(tmp) / name
            run_dir.mkdir()
            figures = measure(
                run_dir, env, key, site, readers=args.readers, requests=args.requests,
                settle=args.settle,
            )  # fmt: skip
            results[name] = figures
            print(
                f"{name:>10}: normal requests p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']}"
                f" ms, max {figures['max_ms']} ms, {figures['timeouts']} of {figures['requests']}"
                f" timed out ({args.readers} slow readers, {args.workers} workers, timed from"
                f" {args.settle:g} s after their requests)",
                flush=True,
            )
    out = ROOT / "bench" / "results" / f"slow_readers_w{args.workers}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
