"""Measurement: peak memory of reading an ingest body at the size limit (issue: a 127 MiB body
of junk raised a worker to 3.6x its size). `python -m bench.body [--mib N]`: no database, no
server; tracemalloc's peak of analytics_api.ingest.body.read_records over a body of N MiB (default
64) of junk, of valid NDJSON, and of a JSON array, next to the body's size."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class FakeRequest:
    def __init__(self, body: bytes, content_type: str):
        self.stream = io.BytesIO(body)
        self.content_type = content_type
        self.META = {"CONTENT_LENGTH": str(len(body))}


def bodies(size: int) -> dict[str, tuple[bytes, str]]:
    record = json.dumps({
        "changeId": "c-000000", "userEmail": "dev@acme.example", "source": "AGENT",
        "model": "gpt-4o", "totalLinesAdded": 12, "totalLinesDeleted": 3,
        "metadata": [{"fileName": "src/app.ts", "fileExtension": "ts", "linesAdded": 12,
                      "linesDeleted": 3}],
    }).encode()  # fmt: skip
    lines = size // (len(record) + 1)
    ndjson = b"\n".join([record] * lines) + b"\n"
    array = b"[" + b",".join([record] * lines) + b"]"
    junk = (b"x" * 1023 + b"\n") * (size // 1024)
    # What a body at the limit looks like within INGEST_MAX_RECORDS (10,000): big records.
    long = json.dumps({"commitHash": "a1b2", "userEmail": "dev@acme.example",
                       "message": "m" * (size // 10_000 - 80)}).encode()  # fmt: skip
    commits = b"\n".join([long] * 10_000) + b"\n"
    return {
        "10,000 commits with long messages (NDJSON)": (commits, "application/x-ndjson"),
        "junk (NDJSON content type)": (junk, "application/x-ndjson"),
        f"valid NDJSON ({lines:,} records)": (ndjson, "application/x-ndjson"),
        f"valid JSON array ({lines:,} records)": (array, "application/json"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.body")
    parser.add_argument("--mib", type=int, default=64)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    from analytics_api.ingest.body import read_records

    size = args.mib << 20
    settings.INGEST_MAX_BODY_BYTES = size + (1 << 20)
    # INGEST_MAX_RECORDS stays 10,000: an NDJSON body stops at record 10,001.
    # The body's own bytes are not counted (BytesIO hands them over without a copy): the
    # figures are what reading adds on top of the body a worker has received.
    print(f"| body ({args.mib} MiB) | allocated on top of the body | / body size |")
    print("|---|---|---|")
    for name, (body, content_type) in bodies(size).items():
        request = FakeRequest(body, content_type)
        tracemalloc.start()
        try:
            read_records(request)
        except Exception:  # noqa: BLE001 - junk is refused; the peak is what we measure
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"| {name} | {peak / 2**20:,.0f} MiB | {peak / len(body):.2f}x |")


if __name__ == "__main__":
    main()
