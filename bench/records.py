"""The benchmark's ingest data: the demo's records (tracking.demo), as request bodies, as an
NDJSON file for `manage.py ingest`, and the same changes as CSV for psql's bare COPY.

Load-test files on the command line (deterministic for a --seed):

    python -m bench.records changes 1000000 > /tmp/changes.ndjson
    python -m bench.records commits 100000 --members 40 --seed 7 > /tmp/commits.ndjson
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson

DOMAIN = "bench.example"
# A fixed "now": the files are generated once and reused, and must be the same every time.
NOW = datetime(2026, 4, 1, tzinfo=UTC)
# Columns of the plain table the bare COPY loads (bench_copy_change), in _copy_row's order.
COPY_COLUMNS = (
    "change_id", "user_email", "source", "model", "accepted", "total_lines_added",
    "total_lines_deleted", "metadata", "created_at",
)  # fmt: skip


def records(kind: str, count: int, *, members: int, seed: int) -> Iterator[dict]:
    """`count` demo records of one kind (commits, changes or messages) by `members` people."""
    from tracking.demo import DemoRecords, DemoSize  # Django is set up by the caller

    size = DemoSize(members=members, repos=max(5, members // 100), seed=seed)
    return getattr(DemoRecords(size=size, now=NOW, domain=DOMAIN), kind)(count)


def member_emails(members: int) -> list[str]:
    """The emails `records` uses: bench.ingest.table_copy creates these members for psql."""
    from tracking.demo import member_names

    return [email for email, _name in member_names(members, DOMAIN)]


def _copy_row(rec: dict) -> list:
    return [
        rec["changeId"], rec["userEmail"], rec["source"], rec["model"], rec["accepted"],
        rec["totalLinesAdded"], rec["totalLinesDeleted"], orjson.dumps(rec["metadata"]).decode(),
        rec["createdAt"],
    ]  # fmt: skip


def write_files(*, ndjson: Path, csv_path: Path, count: int, members: int) -> None:
    """The NDJSON file for `manage.py ingest` and the same rows as CSV for the bare COPY."""
    if ndjson.exists() and csv_path.exists():
        return
    ndjson.parent.mkdir(parents=True, exist_ok=True)
    tmp_json = ndjson.with_name(ndjson.name + ".tmp")
    tmp_csv = csv_path.with_name(csv_path.name + ".tmp")
    with open(tmp_json, "wb") as fj, open(tmp_csv, "w", newline="") as fc:
        writer = csv.writer(fc)
        for rec in records("changes", count, members=members, seed=count):
            fj.write(orjson.dumps(rec) + b"\n")
            writer.writerow(_copy_row(rec))
    tmp_json.rename(ndjson)
    tmp_csv.rename(csv_path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("commits", "changes", "messages"))
    parser.add_argument("rows", type=int)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    from bench.env import setup_django

    setup_django({})
    out = sys.stdout.buffer
    for rec in records(args.kind, args.rows, members=args.members, seed=args.seed):
        out.write(orjson.dumps(rec) + b"\n")


if __name__ == "__main__":
    main()
