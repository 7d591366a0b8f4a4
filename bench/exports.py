"""Measurement 1 and 2: the CSV exports against psql's COPY TO STDOUT, and the worker's RSS."""

from __future__ import annotations

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlencode

from bench import client
from bench.context import Context, iso
from bench.memory import RssSampler
from bench.sql import Window, copy_statement

MB = 1_000_000


def _psql_copy(ctx: Context, kind: str, window: Window) -> dict:
    """psql writing the same rows as CSV; its output is read and counted like the HTTP body."""
    statement = copy_statement(kind, window, ctx.conn)
    start = time.perf_counter()
    proc = subprocess.Popen(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", ctx.url, "-c", statement],
        stdout=subprocess.PIPE,
    )
    size = newlines = 0
    while chunk := proc.stdout.read1(client.CHUNK):
        size += len(chunk)
        newlines += chunk.count(b"\n")
    if proc.wait() != 0:
        raise SystemExit(f"psql COPY for {kind} failed")
    return {"seconds": time.perf_counter() - start, "bytes": size, "lines": newlines}


def _http_csv(ctx: Context, kind: str, *, sample_memory: bool) -> tuple[client.Response, dict]:
    url = f"{ctx.server.base_url}/analytics/ai-code/{kind}.csv?{ctx.range_query()}"
    if not sample_memory:
        return client.stream(url, key=ctx.read_key), {}
    with RssSampler(ctx.server.worker_pids()) as sampler:
        resp = client.stream(url, key=ctx.read_key)
    return resp, sampler.result()


def _figures(rows: int, seconds: float, size: int) -> dict:
    return {
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds),
        "mb_per_s": round(size / MB / seconds, 2),
        "mb": round(size / MB, 1),
    }


def measure_export(ctx: Context, kind: str, *, sample_memory: bool) -> dict:
    rows = ctx.expected_rows[kind]
    # One unmeasured pass first, so that both measured passes read a warm page cache. Without
    # it the API, measured first, paid the disk reads (pg_stat_activity: DataFileRead) and
    # psql did not: commits.csv measured 0.46-0.51 of psql in some runs, 0.85 in others.
    _psql_copy(ctx, kind, ctx.window())
    resp, memory = _http_csv(ctx, kind, sample_memory=sample_memory)
    if resp.status != 200:
        raise SystemExit(f"{kind}.csv answered {resp.status}")
    ceiling = _psql_copy(ctx, kind, ctx.window())
    api = _figures(rows, resp.seconds, resp.size)
    api["first_byte_s"] = round(resp.first_byte_seconds, 3)
    api["lines"] = resp.newlines
    pg = _figures(rows, ceiling["seconds"], ceiling["bytes"])
    pg["lines"] = ceiling["lines"]
    return {
        "api": api,
        "copy": pg,
        "ratio_rows": round(api["rows_per_s"] / pg["rows_per_s"], 3),
        "row_count_matches": resp.newlines == ceiling["lines"],
        "memory": memory,
    }


def warm_workers(ctx: Context) -> None:
    """A few concurrent one-hour exports, so every worker has loaded its code and opened its
    database connection before its memory is watched."""
    start = ctx.end - timedelta(hours=1)
    query = urlencode({"startDate": iso(start), "endDate": iso(ctx.end)})
    urls = [f"{ctx.server.base_url}/analytics/ai-code/{kind}.csv?{query}"
            for kind in ("commits", "changes")] * ctx.sizes.workers  # fmt: skip
    with ThreadPoolExecutor(len(urls)) as pool:
        list(pool.map(lambda url: client.stream(url, key=ctx.read_key), urls))


def run(ctx: Context) -> dict:
    warm_workers(ctx)
    # changes.csv is the largest export (10M rows at full size): sample the memory there.
    return {
        "commits_csv": measure_export(ctx, "commits", sample_memory=True),
        "changes_csv": measure_export(ctx, "changes", sample_memory=True),
    }
