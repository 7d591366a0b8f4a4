"""The dashboard's server time: its pages rendered in-process (Django's test client, a signed-in
superuser) over the big team's last 90 days, p50/p95 per page and the queries each page runs.

`python -m bench --only dashboard` (a phase of `make bench`). In-process on purpose: the figure
is the server's work per page (views, figures, template), which the target is about; the HTTP
floor of the API pages is measured by the pages phase.
"""

from __future__ import annotations

import time
from datetime import timedelta

from bench.context import Context
from bench.pages import percentiles

TARGET_MS = 300


def _client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username="bench-dashboard@example.com", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    return client


def measure(client, url: str, reps: int) -> dict:
    from django.db import connection

    # Counted with a wrapper: Django empties connection.queries when a request starts.
    queries: list[str] = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        response = client.get(url)  # the first one, unmeasured: warms caches and counts queries
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
    return {"url": url, "queries": len(queries), **percentiles(samples)}


def pages(ctx: Context) -> dict[str, str]:
    from teams.models import Member
    from tracking.models import Commit

    end = ctx.end.date()
    window = f"start={end - timedelta(days=89)}&end={end}"
    member = Member.objects.get(pk=ctx.user_member_id)
    commit = Commit.objects.filter(team_id=ctx.team_id).order_by("-id").only("id").first()
    base = f"/dashboard/{ctx.team_slug}"
    return {
        "overview, 90 days": f"{base}/?{window}",
        "overview, 90 days, one member": f"{base}/?{window}&member={member.uuid}",
        "member page, 90 days": f"{base}/members/{member.uuid}/?{window}",
        "commit page": f"{base}/commits/{commit.pk}/",
    }


def run(ctx: Context) -> dict:
    from teams.models import Team

    if not ctx.team_slug:
        ctx.team_slug = Team.objects.get(pk=ctx.team_id).slug
    client = _client()
    results = {}
    for name, url in pages(ctx).items():
        results[name] = measure(client, url, max(ctx.sizes.page_reps // 2, 3))
        r = results[name]
        print(f"  dashboard {name:32} p50 {r['p50_ms']:8.1f} ms p95 {r['p95_ms']:8.1f} ms "
              f"{r['queries']} queries", flush=True)  # fmt: skip
    return results


def rows(results: dict, row) -> list[list[str]]:
    return [
        row(
            f"dashboard {name} (server, in-process)",
            f"{r['p50_ms']} / {r['p95_ms']} ms",
            f"{r['queries']} queries",
            "",
            f"p50 <= {TARGET_MS} ms",
            r["p50_ms"] <= TARGET_MS,
        )
        for name, r in results.items()
    ]
