"""Measurement 5: a bounded load run. CLIENTS concurrent clients for SECONDS seconds read JSON
list pages with the page size set high (Cursor commits and changes at 1,000 rows, Qoder
tracking commits at 200) from gunicorn (`--workers`, default 4) on PostgreSQL. The target is 0
errors; p50/p99 are reported."""

from __future__ import annotations

import random
import threading
import time
from urllib.parse import urlencode

from bench import client
from bench.context import Context, iso

CLIENTS = 20
SECONDS = 30.0
PAGES = 10


def _url(ctx: Context, rng: random.Random) -> str:
    page = rng.randint(1, PAGES)
    base = ctx.server.base_url
    kind = rng.choice(("cursor-commits", "cursor-changes", "qoder-commits"))
    if kind == "qoder-commits":
        query = urlencode({"startDate": iso(ctx.start), "endDate": iso(ctx.end),
                           "page": page, "pageSize": 200})  # fmt: skip
        return f"{base}/v1/organizations/{ctx.team_uuid()}/ai-code-tracking/commits?{query}"
    which = kind.split("-")[1]
    return f"{base}/analytics/ai-code/{which}?{ctx.range_query(page=page, pageSize=1000)}"


def run(ctx: Context, *, clients: int = CLIENTS, seconds: float = SECONDS) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(n: int) -> None:
        rng = random.Random(n)
        while time.monotonic() < deadline:
            url = _url(ctx, rng)
            started = time.perf_counter()
            try:
                status = client.get(url, key=ctx.read_key, timeout=60).status
            except OSError as exc:
                status, url = 0, f"{url}: {exc}"
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(f"{status} {url}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))] * 1000, 1)

    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": len(ordered),
        "requests_per_second": round(len(ordered) / wall, 1),
        "errors": len(errors),
        "first_errors": errors[:5],
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": pct(1.0),
    }
