"""Measurement 7: figures while data arrives (issue 9's targets).

- `qoder`: every Qoder metrics endpoint over 90 days, unfiltered and with each filter, and the
  Qoder tracking lists' first page, p50 over HTTP next to the figures measured before the
  summary tables (the reference column). Targets: metrics p50 <= 100 ms, lists <= 50 ms.
- `steady`: one client POSTs 10 changes every second for STEADY_SECONDS while another reads
  Cursor `changes` and `commits` pages and the Qoder overview; the reads' p50 is compared with
  the same reads with nothing written. Targets: live p50 within 2x of idle, no read > 250 ms.
- `verify`: `rollups verify` of the big team (in this process): differences and its run time.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from bench import client
from bench.context import Context, iso

REPS = 7
STEADY_SECONDS = 60.0
IDLE_SECONDS = 20.0
# Measured before the summary tables (issue 9, same team and server), p50 over HTTP.
BEFORE_MS = {
    "stats/overview": 1700,
    "stats/daily-trend": 6700,
    "stats/member-ranking": 8700,
    "repos": 1000,
    "file-extensions": 17900,
    "tracking commits page 1": 490,
}
METRICS = ("stats/overview", "stats/daily-trend", "stats/member-ranking", "repos",
           "file-extensions")  # fmt: skip


def _p50(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def _get(url: str, key: str) -> float:
    resp = client.get(url, key=key, timeout=120)
    if resp.status != 200:
        raise SystemExit(f"{url} answered {resp.status}: {resp.body[:300]!r}")
    return resp.seconds


def _filters(ctx: Context) -> dict[str, dict]:
    member = ctx.conn.execute(
        "SELECT uuid FROM teams_member WHERE id = %s", [ctx.user_member_id]
    ).fetchone()[0]
    repo = ctx.conn.execute(
        "SELECT repo_name FROM tracking_commit WHERE team_id = %s AND repo_name IS NOT NULL "
        "GROUP BY repo_name ORDER BY count(*) DESC LIMIT 1",
        [ctx.team_id],
    ).fetchone()[0]
    return {
        "unfiltered": {},
        "user_id": {"user_id": str(member)},
        "repo_name": {"repo_name": repo},
        "primary_branch_only": {"primary_branch_only": "true"},
        "file_extensions": {"file_extensions": ".py,.ts"},
    }


def qoder(ctx: Context) -> dict:
    base = f"{ctx.server.base_url}/v1/organizations/{ctx.team_uuid()}/"
    end = ctx.end
    window = {"start_date": iso(end - timedelta(days=90)), "end_date": iso(end)}
    results = []
    for path in METRICS:
        for name, extra in _filters(ctx).items():
            query = window | extra | ({"limit": 100} if path == "stats/member-ranking" else {})
            url = f"{base}ai-code/{path}?{urlencode(query)}"
            first = _get(url, ctx.read_key)
            samples = [_get(url, ctx.read_key) for _ in range(REPS)]
            results.append({"path": path, "filter": name, "first_ms": round(first * 1000, 1),
                            "p50_ms": _p50(samples), "target_ms": 100})  # fmt: skip
            print(f"  qoder {path:22} {name:20} p50 {results[-1]['p50_ms']:8.1f} ms "
                  f"(first {results[-1]['first_ms']} ms)", flush=True)  # fmt: skip
    tracking = {"startDate": iso(end - timedelta(days=90)), "endDate": iso(end), "page": 1,
                "pageSize": 200}  # fmt: skip
    for kind in ("commits", "changes"):
        url = f"{base}ai-code-tracking/{kind}?{urlencode(tracking)}"
        _get(url, ctx.read_key)
        samples = [_get(url, ctx.read_key) for _ in range(REPS)]
        results.append({"path": f"tracking {kind} page 1", "filter": "pageSize 200",
                        "p50_ms": _p50(samples), "target_ms": 50})  # fmt: skip
        print(f"  qoder tracking {kind} page 1 p50 {results[-1]['p50_ms']} ms", flush=True)
    return {"endpoints": results}


def _reads(ctx: Context) -> dict[str, str]:
    base = ctx.server.base_url
    cursor = urlencode({"startDate": iso(ctx.start), "endDate": "now", "page": 1,
                        "pageSize": 100})  # fmt: skip
    overview = urlencode({"start_date": iso(ctx.end - timedelta(days=89)), "end_date": "now"})
    return {
        "cursor changes page 1": f"{base}/analytics/ai-code/changes?{cursor}",
        "cursor commits page 1": f"{base}/analytics/ai-code/commits?{cursor}",
        "qoder overview 90 days": (
            f"{base}/v1/organizations/{ctx.team_uuid()}/ai-code/stats/overview?{overview}"
        ),
    }


def _read_loop(ctx: Context, urls: dict[str, str], seconds: float) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name in urls}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for name, url in urls.items():
            samples[name].append(_get(url, ctx.read_key))
    return samples


def steady(ctx: Context, *, seconds: float = STEADY_SECONDS) -> dict:
    from teams.models import ApiKey, Team

    key_obj, ingest_key = ApiKey.objects.create_key(
        team=Team.objects.get(pk=ctx.team_id), name="bench-steady", can_ingest=True
    )
    urls = _reads(ctx)
    try:
        for url in urls.values():
            _get(url, ctx.read_key)
        idle = _read_loop(ctx, urls, IDLE_SECONDS)
        writes: list[float] = []
        stop = threading.Event()
        email = ctx.user_email

        def writer() -> None:
            n = 0
            while not stop.is_set():
                tick = time.monotonic()
                now = datetime.now(UTC)
                body = [
                    {"changeId": f"steady-{uuid.uuid4().hex}", "userEmail": email,
                     "source": ("NEXT", "AGENT")[i % 2], "totalLinesAdded": 3,
                     "createdAt": now.isoformat(),
                     "metadata": [{"fileExtension": ".py", "linesAdded": 3}]}
                    for i in range(10)
                ]  # fmt: skip
                resp = client.post(f"{ctx.server.base_url}/ingest/v1/changes", key=ingest_key,
                                   body=json.dumps(body).encode(),
                                   content_type="application/json")  # fmt: skip
                if resp.status != 200:
                    raise SystemExit(f"POST answered {resp.status}: {resp.body[:300]!r}")
                writes.append(resp.seconds)
                n += 1
                stop.wait(max(0.0, 1.0 - (time.monotonic() - tick)))

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        live = _read_loop(ctx, urls, seconds)
        stop.set()
        thread.join()
    finally:
        key_obj.delete()
        _forget_steady(ctx)
    reads = []
    for name in urls:
        worst = max(live[name]) * 1000
        ratio = _p50(live[name]) / max(_p50(idle[name]), 0.1)
        reads.append({"read": name, "idle_p50_ms": _p50(idle[name]), "live_p50_ms":
                      _p50(live[name]), "live_max_ms": round(worst, 1), "ratio": round(ratio, 2),
                      "n": len(live[name])})  # fmt: skip
        print(f"  steady {name:24} idle p50 {reads[-1]['idle_p50_ms']} ms, live p50 "
              f"{reads[-1]['live_p50_ms']} ms (x{reads[-1]['ratio']}), max {worst:.1f} ms "
              f"over {len(live[name])} reads", flush=True)  # fmt: skip
    return {"seconds": seconds, "posts": len(writes), "post_p50_ms": _p50(writes),
            "reads": reads}  # fmt: skip


def _forget_steady(ctx: Context) -> None:
    """Delete what the steady phase wrote (through the rollups, like the admin's delete), so
    the big team keeps the size the next run checks for (else it is seeded again)."""
    from django.db import transaction

    from teams.models import Team
    from tracking import rollups
    from tracking.models import Change

    with transaction.atomic():
        written = Change.objects.filter(team_id=ctx.team_id, change_id__startswith="steady-")
        rollups.forget(written)
        written.delete()
        Team.objects.get(pk=ctx.team_id).bump_data_version()


def verify(ctx: Context) -> dict:
    from tracking import rollups

    started = time.perf_counter()
    lines = rollups.differences(ctx.team_id)
    seconds = time.perf_counter() - started
    for line in lines[:10]:
        print(f"  verify: {line}", flush=True)
    print(f"  rollups verify: {len(lines)} differences in {seconds:.1f} s", flush=True)
    return {"differences": len(lines), "seconds": round(seconds, 1)}


def run(ctx: Context) -> dict:
    return {"qoder": qoder(ctx), "steady": steady(ctx), "verify": verify(ctx)}


def rows(result: dict, row) -> list[list[str]]:
    out = []
    for e in result["qoder"]["endpoints"]:
        label = f"Qoder {e['path']} ({e['filter']})"
        before = BEFORE_MS.get(e["path"]) if e["filter"] in ("unfiltered", "pageSize 200") else ""
        before = BEFORE_MS.get("tracking commits page 1") if e["path"] == (
            "tracking commits page 1") else before  # fmt: skip
        out.append(row(label, f"{e['p50_ms']} ms", f"before: {before} ms" if before else "", "",
                       f"<= {e['target_ms']} ms", e["p50_ms"] <= e["target_ms"]))  # fmt: skip
    s = result["steady"]
    for r in s["reads"]:
        out.append(row(
            f"steady ingest (10 changes/s, {s['posts']} POSTs): {r['read']} live p50 / max",
            f"{r['live_p50_ms']} / {r['live_max_ms']} ms", f"idle p50 {r['idle_p50_ms']} ms",
            r["ratio"], "<= 2x idle, max <= 250 ms",
            r["ratio"] <= 2 and r["live_max_ms"] <= 250,
        ))  # fmt: skip
    v = result["verify"]
    out.append(row("rollups verify (big team)", f"{v['differences']} differences",
                   f"{v['seconds']} s", "", "0", v["differences"] == 0))  # fmt: skip
    return out
