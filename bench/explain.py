"""EXPLAIN (ANALYZE, BUFFERS) of the queries one Cursor JSON page runs, through the real
reads (tracking.reads) and rendering, on the benchmark's big team:

    .venv/bin/python -m bench.explain changes --page 1000 --size 1000 [--user] [--runs 3]

Prints each run's time, then every query of the last run with its plan.
"""

from __future__ import annotations

import argparse
import time

from bench import env as benv


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("kind", choices=("commits", "changes"))
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--size", type=int, default=1000)
    p.add_argument("--user", action="store_true", help="filter on the busiest member")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--team", default="bench-big")
    args = p.parse_args()
    url = benv.database_url()
    benv.setup_django(benv.server_environment(url))
    run(args)


def _query(args) -> tuple:
    from django.db.models import Count

    from teams.models import Team
    from tracking.models import Change

    team = Team.objects.get(slug=args.team)
    q = {"startDate": "2000-01-01", "endDate": "2100-01-01", "page": str(args.page)}
    q["pageSize"] = str(args.size)
    if args.user:
        busiest = (
            Change.objects.filter(team=team, accepted=True)
            .values("member__email")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        q["user"] = busiest["member__email"]
    return team, q


def run(args) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from analytics_api.cursor import serialization as render
    from analytics_api.cursor.params import parse_list_params
    from tracking import reads

    team, query = _query(args)
    p = parse_list_params(query, now=timezone.now())
    if args.kind == "commits":
        read, columns, items = reads.commit_page, render.commit_list_rows, render.commit_items
    else:
        read, columns = reads.accepted_change_page, render.change_list_rows
        items = render.change_items
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            rows, total = read(team=team, filters=p.filters, columns=columns,
                               offset=(p.page - 1) * p.page_size, limit=p.page_size)  # fmt: skip
            page = items(rows)
            seconds = time.perf_counter() - start
        print(f"{seconds * 1000:.1f} ms  totalCount={total} items={len(page)}")
    for q in captured.captured_queries:
        print(f"\n-- {q['time']} s: {q['sql'][:400]}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
