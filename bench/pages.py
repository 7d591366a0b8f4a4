"""Measurement 3: JSON page latency at growing offsets, next to the bare SQL for the same page."""

from __future__ import annotations

import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from bench import client
from bench.context import Context
from bench.sql import count_select, rows_select

PAGES = (1, 10, 100, 1000)
SIZES = (100, 1000)
ID_FIELD = {"commits": "commitHash", "changes": "changeId"}
SLOW_SECONDS = 1.0
SLOW_REPS = 5


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1)}


def _api_page(ctx: Context, kind: str, page: int, size: int, user: bool) -> client.Response:
    extra = {"page": page, "pageSize": size} | ({"user": ctx.user_email} if user else {})
    url = f"{ctx.server.base_url}/analytics/ai-code/{kind}?{ctx.range_query(**extra)}"
    resp = client.get(url, key=ctx.read_key)
    if resp.status != 200:
        raise SystemExit(f"{url} answered {resp.status}: {resp.body[:300]!r}")
    return resp


def _sql_page(ctx: Context, kind: str, page: int, size: int, user: bool) -> tuple[float, list, int]:
    window = ctx.window(member=user)
    start = time.perf_counter()
    rows = ctx.conn.execute(rows_select(kind, window, limit=size, offset=(page - 1) * size))
    rows = rows.fetchall()
    total = ctx.conn.execute(count_select(kind, window)).fetchone()[0]
    return time.perf_counter() - start, rows, total


def _check(resp: client.Response, kind: str, rows: list, total: int) -> dict:
    body = json.loads(resp.body)
    items = body["items"]
    same_first = not rows or (items and str(items[0][ID_FIELD[kind]]) == str(rows[0][0]))
    return {
        "total_count": body["totalCount"],
        "items": len(items),
        "exact": body["totalCount"] == total and len(items) == len(rows) and bool(same_first),
    }


def _reps(ctx: Context, first_seconds: float) -> int:
    """Fewer repetitions for slow figures (deep offsets at full size), to bound the run."""
    reps = ctx.sizes.page_reps
    return reps if first_seconds < SLOW_SECONDS else min(reps, SLOW_REPS)


def measure_page(ctx: Context, kind: str, page: int, size: int, user: bool) -> dict:
    warm = _api_page(ctx, kind, page, size, user)  # warm-up: connections, caches
    api = [_api_page(ctx, kind, page, size, user) for _ in range(_reps(ctx, warm.seconds))]
    first_sql = _sql_page(ctx, kind, page, size, user)
    sql = [_sql_page(ctx, kind, page, size, user) for _ in range(_reps(ctx, first_sql[0]))]
    result = {"kind": kind, "page": page, "page_size": size, "user": user}
    result["api"] = percentiles([r.seconds for r in api]) | {"n": len(api)}
    result["sql"] = percentiles([s[0] for s in sql]) | {"n": len(sql)}
    result["ratio_p50"] = round(result["api"]["p50_ms"] / max(result["sql"]["p50_ms"], 0.1), 2)
    result |= _check(api[-1], kind, sql[-1][1], sql[-1][2])
    return result


def http_floor(ctx: Context) -> dict:
    """The fixed cost of one request (connect, auth, ETag, rate limit, render): a page for a
    user with no records, so the SQL is next to nothing."""
    query = ctx.range_query(user="nobody@bench.invalid", pageSize=1)
    url = f"{ctx.server.base_url}/analytics/ai-code/changes?{query}"
    client.get(url, key=ctx.read_key)
    return percentiles([client.get(url, key=ctx.read_key).seconds for _ in range(20)])


def warm_workers(ctx: Context) -> dict:
    """First one request on its own: a worker's first page after a start or a write (a fresh
    connection and, on big tables, the count histogram to build), reported as
    `cold_first_page_ms`. Then concurrent first pages, so every worker is in the steady state
    the figures describe."""
    urls = {
        kind: f"{ctx.server.base_url}/analytics/ai-code/{kind}?{ctx.range_query(pageSize=1)}"
        for kind in ("commits", "changes")
    }
    cold = client.get(urls["changes"], key=ctx.read_key).seconds
    many = [url for url in urls.values() for _ in range(2 * ctx.sizes.workers)]
    with ThreadPoolExecutor(2 * ctx.sizes.workers) as pool:
        list(pool.map(lambda url: client.get(url, key=ctx.read_key), many))
    return {"cold_first_page_ms": round(cold * 1000, 1)}


def run(ctx: Context) -> dict:
    warm = warm_workers(ctx)
    print(f"  cold first page {warm['cold_first_page_ms']} ms")
    floor = http_floor(ctx) | warm
    print(f"  HTTP floor p50 {floor['p50_ms']} ms p95 {floor['p95_ms']} ms", flush=True)
    results = []
    for kind in ("commits", "changes"):
        for user in (False, True):
            for size in SIZES:
                for page in PAGES:
                    results.append(measure_page(ctx, kind, page, size, user))
                    print(_line(results[-1]), flush=True)
    return {"floor": floor, "pages": results}


def _line(r: dict) -> str:
    return (
        f"  {r['kind']:7} user={str(r['user']):5} size={r['page_size']:4} page={r['page']:4}  "
        f"api p50 {r['api']['p50_ms']:8.1f} ms p95 {r['api']['p95_ms']:8.1f} ms  "
        f"sql p50 {r['sql']['p50_ms']:8.1f} ms  x{r['ratio_p50']:.2f}  exact={r['exact']}"
    )
