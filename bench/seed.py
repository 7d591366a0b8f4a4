"""Seeding through the ingest service (the tracking.demo records via `manage.py seed_demo`),
reused when the team already holds the requested counts."""

from __future__ import annotations

import subprocess
import time

from bench.context import Context
from bench.env import PYTHON, RESULTS_DIR, ROOT
from bench.teams import BIG_TEAM, get_or_create_team, purge_records, team_counts


def _seed_demo(ctx: Context, slug: str, *, members: int, commits: int, changes: int) -> float:
    args = {
        "members": members,
        "repos": max(5, members // 100),
        "days": ctx.sizes.days,
        "commits": commits,
        "changes": changes,
        "messages": changes // 50,
    }
    cmd = [PYTHON, "manage.py", "seed_demo", "--team", slug]
    cmd += [f"--{k}={v}" for k, v in args.items()]
    start = time.perf_counter()
    with open(RESULTS_DIR / f"seed-{slug}.log", "wb") as log:
        code = subprocess.call(cmd, cwd=ROOT, env=ctx.env, stdout=log, stderr=subprocess.STDOUT)
    if code != 0:
        raise SystemExit(f"seed_demo failed for {slug}; see bench/results/seed-{slug}.log")
    return time.perf_counter() - start


def ensure_team(ctx: Context, slug: str, *, members: int, commits: int, changes: int) -> dict:
    team = get_or_create_team(slug)
    counts = team_counts(ctx, team.pk)
    if counts == {"commits": commits, "changes": changes}:
        return {"team_id": team.pk, "reused": True, "seconds": 0.0}
    if any(counts.values()):
        print(f"  {slug}: {counts} differs from the requested size; reseeding", flush=True)
        purge_records(ctx, team.pk)
    print(f"  seeding {slug}: {commits:,} commits, {changes:,} changes ...", flush=True)
    seconds = _seed_demo(ctx, slug, members=members, commits=commits, changes=changes)
    vacuum(ctx)
    return {"team_id": team.pk, "reused": False, "seconds": round(seconds, 1)}


def vacuum(ctx: Context) -> None:
    """A bulk load leaves the visibility map empty, so index-only scans would still visit the
    heap until autovacuum ran: vacuum now, like a database that has been running for a while."""
    for table in ("tracking_commit", "tracking_change", "tracking_commitfile"):
        ctx.conn.execute(f"VACUUM (ANALYZE) {table}")


def seed_all(ctx: Context) -> dict:
    s = ctx.sizes
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    small = [
        ensure_team(
            ctx, f"bench-small-{i}", members=20, commits=s.small_commits, changes=s.small_changes
        )  # fmt: skip
        for i in range(1, s.small_teams + 1)
    ]
    big = ensure_team(ctx, BIG_TEAM, members=s.members, commits=s.commits, changes=s.changes)
    ctx.team_id, ctx.team_slug = big["team_id"], BIG_TEAM
    return {"big": big, "small": small}
