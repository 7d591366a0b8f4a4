"""Measurement 4: ingestion over HTTP and through `manage.py ingest`, next to a bare COPY FROM."""

from __future__ import annotations

import csv
import json
import subprocess
import time
import uuid
from pathlib import Path

from bench import client
from bench.context import Context
from bench.env import DATA_DIR, PYTHON, RESULTS_DIR, ROOT
from bench.records import COPY_COLUMNS, member_emails, records, write_files
from bench.teams import fresh_team, purge_team

HTTP_TEAM = "bench-ingest-http"
FILE_TEAM = "bench-ingest-file"
COPY_TEAM = "bench-ingest-copy"
INGEST_MEMBERS = 500


def _bodies(ctx: Context) -> list[bytes]:
    s = ctx.sizes
    changes = list(
        records("changes", s.ingest_requests * s.ingest_batch, members=INGEST_MEMBERS, seed=7)
    )
    return [
        json.dumps(changes[i : i + s.ingest_batch], separators=(",", ":")).encode()
        for i in range(0, len(changes), s.ingest_batch)
    ]


def measure_http(ctx: Context) -> dict:
    bodies = _bodies(ctx)
    team, key = fresh_team(ctx, HTTP_TEAM, ingest=True)
    url = f"{ctx.server.base_url}/ingest/v1/changes"
    seconds, created = 0.0, 0
    for body in bodies:
        resp = client.post(url, key=key, body=body, content_type="application/json")
        if resp.status not in (200, 201):
            raise SystemExit(f"POST /ingest/v1/changes answered {resp.status}: {resp.body[:300]!r}")
        seconds += resp.seconds
        created += json.loads(resp.body).get("created", 0)
    records = ctx.sizes.ingest_requests * ctx.sizes.ingest_batch
    purge_team(ctx, team)
    return {
        "records": records,
        "created": created,
        "seconds": round(seconds, 3),
        "records_per_s": round(records / seconds),
    }


def _manage_ingest(ctx: Context, slug: str, path: Path, log_name: str) -> float:
    start = time.perf_counter()
    with open(RESULTS_DIR / log_name, "wb") as log:
        code = subprocess.call(
            [PYTHON, "manage.py", "ingest", "--team", slug, str(path)],
            cwd=ROOT,
            env=ctx.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    if code != 0:
        raise SystemExit(f"manage.py ingest failed ({code}); see bench/results/{log_name}")
    return time.perf_counter() - start


def _team_changes(ctx: Context, team_id: int) -> int:
    sql = "SELECT count(*) FROM tracking_change WHERE team_id = %s"
    return ctx.conn.execute(sql, [team_id]).fetchone()[0]


def bare_copy(ctx: Context, csv_path: Path) -> float:
    ctx.conn.execute("DROP TABLE IF EXISTS bench_copy_change")
    ctx.conn.execute(
        "CREATE TABLE bench_copy_change (change_id varchar(255), user_email varchar(254), "
        "source varchar(16), model varchar(255), accepted boolean, total_lines_added integer, "
        "total_lines_deleted integer, metadata jsonb, created_at timestamptz)"
    )
    columns = ", ".join(COPY_COLUMNS)
    copy = f"\\copy bench_copy_change ({columns}) FROM '{csv_path}' WITH (FORMAT csv)"
    start = time.perf_counter()
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", ctx.url, "-c", copy], check=True)
    seconds = time.perf_counter() - start
    ctx.conn.execute("DROP TABLE bench_copy_change")
    return seconds


def table_copy(ctx: Context, csv_path: Path) -> float:
    """The same rows COPied by psql straight into tracking_change, for a fresh team with the
    same members: the table's five indexes and two foreign keys, everything the ingestion
    pays on the database side, and none of its validation, member lookup or idempotency."""
    team, _key = fresh_team(ctx, COPY_TEAM, ingest=False)
    with ctx.conn.cursor().copy(
        "COPY teams_member (team_id, uuid, email, display_name, created_at) FROM STDIN"
    ) as copy:
        for email in member_emails(INGEST_MEMBERS):
            copy.write_row((team.pk, uuid.uuid4(), email, email.split("@")[0], "now"))
    members = dict(
        ctx.conn.execute("SELECT email, id FROM teams_member WHERE team_id = %s", [team.pk])
    )
    with_ids = csv_path.with_name(csv_path.stem + "-table.csv")
    with open(csv_path, newline="") as src, open(with_ids, "w", newline="") as out:
        writer = csv.writer(out)
        for change_id, email, *rest in csv.reader(src):
            writer.writerow([team.pk, members[email], change_id, *rest])
    columns = ", ".join(("team_id", "member_id", *(c for c in COPY_COLUMNS if c != "user_email")))
    copy = f"\\copy tracking_change ({columns}) FROM '{with_ids}' WITH (FORMAT csv)"
    start = time.perf_counter()
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", ctx.url, "-c", copy], check=True)
    seconds = time.perf_counter() - start
    purge_team(ctx, team)
    with_ids.unlink()
    return seconds


def measure_file(ctx: Context) -> dict:
    rows = ctx.sizes.ingest_file_rows
    ndjson, csv_path = DATA_DIR / f"changes-{rows}.ndjson", DATA_DIR / f"changes-{rows}.csv"
    write_files(ndjson=ndjson, csv_path=csv_path, count=rows, members=INGEST_MEMBERS)
    team, _key = fresh_team(ctx, FILE_TEAM, ingest=False)
    first = _manage_ingest(ctx, team.slug, ndjson, "ingest-first.log")
    loaded = _team_changes(ctx, team.pk)
    again = _manage_ingest(ctx, team.slug, ndjson, "ingest-again.log")
    after = _team_changes(ctx, team.pk)
    purge_team(ctx, team)
    copy = bare_copy(ctx, csv_path)
    table = table_copy(ctx, csv_path)
    # Three purges left ~3M dead rows: vacuum so that a second run starts where this one did.
    ctx.conn.execute("VACUUM (ANALYZE) tracking_change")
    return {
        "rows": rows,
        "loaded": loaded,
        "after_reingest": after,
        "first_s": round(first, 3),
        "again_s": round(again, 3),
        "first_per_s": round(rows / first),
        "again_per_s": round(rows / again),
        "reingest_ratio": round(again / first, 2),
        "copy_s": round(copy, 3),
        "copy_per_s": round(rows / copy),
        "ratio_to_copy": round(copy / first, 3),
        "table_copy_s": round(table, 3),
        "table_copy_per_s": round(rows / table),
        "ratio_to_table_copy": round(table / first, 3),
    }


def run(ctx: Context) -> dict:
    http = measure_http(ctx)
    file = measure_file(ctx)
    http["ratio_to_copy"] = round(http["records_per_s"] / file["copy_per_s"], 3)
    http["ratio_to_table_copy"] = round(http["records_per_s"] / file["table_copy_per_s"], 3)
    return {"http": http, "file": file}
