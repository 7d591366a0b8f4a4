"""Deterministic change records for the ingestion measurements (NDJSON and the CSV twin)."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

SOURCES = ("NEXT", "AGENT", "QUEST", "INLINECHAT")
MODELS = ("gpt-4o", "claude-sonnet-4", "gpt-5", None)
EXTENSIONS = ("ts", "tsx", "py", "go", "java", "rs")
# Columns of the plain table the bare COPY FROM loads (bench_copy_change).
COPY_COLUMNS = (
    "change_id",
    "user_email",
    "source",
    "model",
    "accepted",
    "total_lines_added",
    "total_lines_deleted",
    "metadata",
    "created_at",
)
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def member_email(n: int) -> str:
    """The email of bench member n (1-based): the records' userEmail, and the members that
    bench.ingest.table_copy creates for psql's COPY."""
    return f"dev{n}@bench.example"


def _metadata(rnd: random.Random, n: int) -> list[dict]:
    files = []
    for _ in range(rnd.randint(1, 3)):
        ext = rnd.choice(EXTENSIONS)
        item = {"fileName": f"src/mod{rnd.randint(1, 400)}/file{rnd.randint(1, 50)}.{ext}"}
        item |= {"fileExtension": ext, "linesAdded": rnd.randint(0, n), "linesDeleted": 0}
        files.append(item)
    return files


def change_records(*, prefix: str, count: int, members: int, seed: int) -> Iterator[dict]:
    rnd = random.Random(seed)
    for i in range(count):
        metadata = _metadata(rnd, 40)
        moment = EPOCH + timedelta(seconds=rnd.randint(0, 90 * 86400), microseconds=i % 1000)
        yield {
            "changeId": f"{prefix}-{i}",
            "userEmail": member_email(rnd.randint(1, members)),
            "source": rnd.choice(SOURCES),
            "model": rnd.choice(MODELS),
            "totalLinesAdded": sum(m["linesAdded"] for m in metadata),
            "totalLinesDeleted": rnd.randint(0, 10),
            "createdAt": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "metadata": metadata,
        }


def _copy_row(rec: dict) -> list:
    return [
        rec["changeId"],
        rec["userEmail"],
        rec["source"],
        rec["model"] or "",
        "true",
        rec["totalLinesAdded"],
        rec["totalLinesDeleted"],
        json.dumps(rec["metadata"], separators=(",", ":")),
        rec["createdAt"],
    ]


def write_files(*, ndjson: Path, csv_path: Path, count: int, members: int) -> None:
    """The NDJSON file for `manage.py ingest` and the same rows as CSV for the bare COPY."""
    if ndjson.exists() and csv_path.exists():
        return
    ndjson.parent.mkdir(parents=True, exist_ok=True)
    tmp_json = ndjson.with_name(ndjson.name + ".tmp")
    tmp_csv = csv_path.with_name(csv_path.name + ".tmp")
    with open(tmp_json, "w") as fj, open(tmp_csv, "w", newline="") as fc:
        writer = csv.writer(fc)
        for rec in change_records(prefix="file", count=count, members=members, seed=count):
            fj.write(json.dumps(rec, separators=(",", ":")) + "\n")
            writer.writerow(_copy_row(rec))
    tmp_json.rename(ndjson)
    tmp_csv.rename(csv_path)
