"""One table of every figure, ratio and target; the same as JSON in bench/results/latest.json."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from bench.context import Context
from bench.env import RESULTS_DIR, ROOT


def machine(ctx: Context) -> dict:
    meminfo = Path("/proc/meminfo").read_text().split("\n")[0].split()
    cpu = [ln for ln in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in ln]
    pg = ctx.conn.execute("SELECT version()").fetchone()[0]
    settings = dict(
        ctx.conn.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name IN "
            "('shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'random_page_cost')"
        ).fetchall()
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu[0].split(":", 1)[1].strip() if cpu else platform.processor(),
        "memory_gb": round(int(meminfo[1]) / 1024 / 1024, 1),
        "postgresql": pg.split(" on ")[0],
        "postgresql_settings": settings,
        "python": platform.python_version(),
        "git_commit": commit,
        "server": {
            "gunicorn_workers": ctx.sizes.workers,
            "worker_class": "sync",
            "rate_limit_store": "redis" if ctx.env.get("REDIS_URL") else "database",
        },
    }


def _status(ok: bool | None) -> str:
    return "-" if ok is None else ("met" if ok else "MISSED")


def _row(metric, value, reference="", ratio="", target="", ok=None) -> list[str]:
    return [metric, str(value), str(reference), str(ratio), target, _status(ok)]


def export_rows(exports: dict) -> list[list[str]]:
    rows = []
    for name, e in exports.items():
        api, pg = e["api"], e["copy"]
        rows.append(
            _row(
                f"{name}: rows/s (API vs psql COPY)",
                f"{api['rows_per_s']:,}",
                f"{pg['rows_per_s']:,}",
                e["ratio_rows"],
                ">= 0.5",
                e["ratio_rows"] >= 0.5,
            )
        )
        rows.append(
            _row(
                f"{name}: MB/s, {api['rows']:,} rows, {api['mb']} MB",
                api["mb_per_s"],
                pg["mb_per_s"],
            )
        )
        m = e["memory"]
        if m:
            rows.append(
                _row(
                    f"{name}: worker RSS start -> peak (MB)",
                    f"{m['rss_start_mb']} -> {m['rss_peak_mb']}",
                    f"growth {m['rss_growth_mb']}",
                    "",
                    "growth <= 100 MB",
                    m["rss_growth_mb"] <= 100,
                )
            )
    return rows


def page_rows(result: dict) -> list[list[str]]:
    floor, pages = result["floor"], result["pages"]
    rows = [
        _row("HTTP floor (empty page, unknown user)", f"{floor['p50_ms']} / {floor['p95_ms']} ms"),
        _row(
            "cold first changes page (fresh worker)",
            f"{floor.get('cold_first_page_ms')} ms",
        ),
    ]
    first = {(p["kind"], p["user"], p["page_size"]): p for p in pages if p["page"] == 1}
    for p in pages:
        user = " user" if p["user"] else ""
        label = f"{p['kind']} page {p['page']} size {p['page_size']}{user}"
        value = f"{p['api']['p50_ms']} / {p['api']['p95_ms']} ms"
        sql = f"{p['sql']['p50_ms']} / {p['sql']['p95_ms']} ms"
        target, ok = "", None
        if p["page_size"] == 1000:
            target, ok = "<= 2x SQL", p["ratio_p50"] <= 2
        if p["page"] == 1000:
            page1 = first[(p["kind"], p["user"], p["page_size"])]["api"]["p50_ms"]
            deep = p["api"]["p50_ms"] / max(page1, 0.1)
            target += f"{'; ' if target else ''}<= 3x page 1 (x{deep:.2f})"
            ok = (ok is not False) and deep <= 3
        if not p["exact"]:
            target, ok = target + "; totalCount/items NOT exact", False
        rows.append(_row(label, value, sql, p["ratio_p50"], target, ok))
    return rows


def ingest_rows(ing: dict) -> list[list[str]]:
    h, f = ing["http"], ing["file"]
    rows = []
    for label, value, figures in (
        (f"POST /ingest/v1/changes records/s ({h['records']:,})", h["records_per_s"], h),
        (f"manage.py ingest records/s ({f['rows']:,})", f["first_per_s"], f),
    ):
        for ref, per_s, ratio in (
            ("COPY into tracking_change", "table_copy_per_s", "ratio_to_table_copy"),
            ("COPY into a table without indexes", "copy_per_s", "ratio_to_copy"),
        ):
            rows.append(
                _row(
                    f"{label} vs {ref}",
                    f"{value:,}",
                    f"{f[per_s]:,}",
                    figures[ratio],
                    ">= 0.25 of COPY",
                    figures[ratio] >= 0.25,
                )
            )
    rows.append(
        _row(
            "manage.py ingest again (idempotent) records/s",
            f"{f['again_per_s']:,}",
            f"first {f['first_s']} s",
            f["reingest_ratio"],
            "<= 2x first load",
            f["reingest_ratio"] <= 2 and f["after_reingest"] == f["loaded"],
        )
    )
    return rows


HEADER = [
    "metric",
    "value (API: p50 / p95)",
    "reference (PostgreSQL alone)",
    "ratio",
    "target",
    "status",
]


def load_rows(load: dict) -> list[list[str]]:
    what = f"load: {load['clients']} clients x {load['seconds']} s, JSON pages (size 1000/200)"
    return [
        _row(f"{what}: requests/s", f"{load['requests_per_second']} ({load['requests']} requests)"),
        _row(f"{what}: p50 / p99", f"{load['p50_ms']} / {load['p99_ms']} ms"),
        _row(f"{what}: errors", str(load["errors"]), target="0", ok=load["errors"] == 0),
    ]


def table(results: dict) -> list[list[str]]:
    rows = []
    if "exports" in results:
        rows += export_rows(results["exports"])
    if "pages" in results:
        rows += page_rows(results["pages"])
    if "ingest" in results:
        rows += ingest_rows(results["ingest"])
    if "load" in results:
        rows += load_rows(results["load"])
    if "live" in results:
        from bench.live import rows as live_rows

        rows += live_rows(results["live"], _row)
    if "dashboard" in results:
        from bench.dashboard import rows as dashboard_rows

        rows += dashboard_rows(results["dashboard"], _row)
    for name, error in results.get("errors", {}).items():
        rows.append(_row(f"{name}: FAILED", error[:60], ok=False))
    return rows


def render(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"  # noqa: E731
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(HEADER), sep, *map(line, rows)])


def write(results: dict, ctx: Context) -> Path:
    results["machine"] = machine(ctx)
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["table"] = [dict(zip(HEADER, r, strict=True)) for r in table(results)]
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / "latest.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return path
