"""Benchmark the Cursor CSV exports on PostgreSQL: the Python path (keyset batches of 10,000,
csv.writer) against COPY (SELECT ...) TO STDOUT, and check both give identical bytes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aicode_cursor \\
        .venv/bin/python -m bench.cursor_csv --rows 500000

Seeds a team "bench-cursor" with --rows commits and --rows changes (generate_series, seconds)
the first time, then streams each export through the real view code and reports rows/s, MB/s
and the process's peak RSS growth.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _setup():
    import django

    django.setup()
    from django.core.management import call_command

    from common.db import is_postgresql

    if not is_postgresql():
        sys.exit("Set DATABASE_URL to a PostgreSQL database: COPY is PostgreSQL only.")
    call_command("migrate", verbosity=0)


SEED_COMMITS = """
INSERT INTO tracking_commit (
    team_id, member_id, commit_hash, repo_name, branch_name, is_primary_branch,
    total_lines_added, total_lines_deleted,
    ide_next_lines_added, ide_next_lines_deleted, plugin_next_lines_added,
    plugin_next_lines_deleted, ide_agent_lines_added, ide_agent_lines_deleted,
    plugin_agent_lines_added, plugin_agent_lines_deleted, cli_agent_lines_added,
    cli_agent_lines_deleted, ide_quest_lines_added, ide_quest_lines_deleted,
    ide_inline_chat_lines_added, ide_inline_chat_lines_deleted, jb_inline_chat_lines_added,
    jb_inline_chat_lines_deleted, message, commit_ts, created_at)
SELECT %(team)s, (%(members)s::bigint[])[1 + g %% %(n_members)s], md5(g::text), 'company/repo',
    CASE WHEN g %% 3 = 0 THEN 'main' ELSE 'feature-' || (g %% 50) END,
    CASE g %% 3 WHEN 0 THEN TRUE WHEN 1 THEN FALSE END,
    100 + g %% 50, 30, g %% 40, 5, 3, 1, g %% 30, 4, 0, 0, 2, 1, 1, 0, 1, 1, 0, 0,
    'refactor: extract the analytics client, part ' || g || CASE WHEN g %% 10 = 0
        THEN E', with "quotes"\nand a second line' ELSE '' END,
    now() - (g || ' seconds')::interval - interval '5 minutes',
    now() - (g || ' seconds')::interval
FROM generate_series(1, %(rows)s) AS g
"""
SEED_CHANGES = """
INSERT INTO tracking_change (team_id, member_id, change_id, source, model, accepted,
    total_lines_added, total_lines_deleted, metadata, created_at)
SELECT %(team)s, (%(members)s::bigint[])[1 + g %% %(n_members)s], 'bench-' || g,
    (ARRAY['NEXT', 'AGENT', 'QUEST', 'INLINECHAT'])[1 + g %% 4],
    CASE WHEN g %% 4 = 0 THEN NULL ELSE 'gpt-4o' END, TRUE, 18, 4,
    CASE WHEN g %% 5 = 0
        THEN '[{"fileExtension": ".go", "linesAdded": 12, "linesDeleted": 3}]'::jsonb
        ELSE jsonb_build_array(
            jsonb_build_object('fileName', 'src/analytics/report' || g || '.ts',
                'fileExtension', '.ts', 'linesAdded', 12, 'linesDeleted', 3),
            jsonb_build_object('fileName', 'src/analytics/ui.tsx',
                'fileExtension', '.tsx', 'linesAdded', 6, 'linesDeleted', 1)) END,
    now() - (g || ' seconds')::interval
FROM generate_series(1, %(rows)s) AS g
"""


def seed(rows: int):
    from django.db import connection, transaction

    from teams.models import Member, Team
    from tracking.models import Change, Commit

    team, _ = Team.objects.get_or_create(slug="bench-cursor", defaults={"name": "bench-cursor"})
    if Commit.objects.filter(team=team).count() == rows:
        return team
    started = time.perf_counter()
    with transaction.atomic():
        Commit.objects.filter(team=team).delete()
        Change.objects.filter(team=team).delete()
        members = [
            Member.objects.get_or_create(team=team, email=f"dev{i}@bench.example")[0].pk
            for i in range(25)
        ]
        params = {"team": team.pk, "members": members, "n_members": len(members), "rows": rows}
        with connection.cursor() as cursor:
            cursor.execute(SEED_COMMITS, params)
            cursor.execute(SEED_CHANGES, params)
            cursor.execute("ANALYZE tracking_commit; ANALYZE tracking_change")
    print(f"seeded {rows:,} commits and {rows:,} changes in {time.perf_counter() - started:.1f}s")
    return team


def measure(stream, *, team, filters, method: str, rows: int) -> str:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    digest, size = hashlib.sha256(), 0
    started = time.perf_counter()
    for chunk in stream(team=team, filters=filters, method=method).streaming_content:
        digest.update(chunk)
        size += len(chunk)
    seconds = time.perf_counter() - started
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    print(
        f"  {method:6} {rows / seconds:>10,.0f} rows/s {size / seconds / 1e6:>7.1f} MB/s "
        f"{seconds:6.2f}s {size / 1e6:7.1f} MB  peak RSS +{rss_growth / 1024:.0f} MiB"
    )
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    args = parser.parse_args()
    _setup()
    from django.utils import timezone

    from analytics_api.cursor.exports import COPY, PYTHON, change_csv_stream, commit_csv_stream
    from analytics_api.cursor.params import parse_filters

    team = seed(args.rows)
    filters = parse_filters({"startDate": "3650d"}, now=timezone.now())
    for name, stream in (("commits.csv", commit_csv_stream), ("changes.csv", change_csv_stream)):
        print(f"{name}, {args.rows:,} rows:")
        digests = {m: measure(stream, team=team, filters=filters, method=m, rows=args.rows)
                   for m in (PYTHON, COPY)}  # fmt: skip
        print(f"  identical bytes: {digests[PYTHON] == digests[COPY]}")


if __name__ == "__main__":
    main()
