"""Synthetic NDJSON for load tests of `manage.py ingest` (no Django needed).

    python -m tracking.ingest.generate changes 1000000 > /tmp/changes.ndjson
    python -m tracking.ingest.generate commits 100000 --members 40 --seed 7 > /tmp/commits.ndjson

Deterministic for a given seed; records look like what IDE clients send (mixed sources and
extensions, privacy-mode metadata without fileName, a few unaccepted NEXT suggestions).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import UTC, datetime, timedelta

SOURCES = ("NEXT", "NEXT", "NEXT", "AGENT", "AGENT", "QUEST", "INLINECHAT")
EXTENSIONS = (".ts", ".tsx", ".py", ".go", ".java", ".md")
MODELS = ("gpt-4o", "claude-sonnet", "auto", None)
START = datetime(2025, 6, 1, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def change(i: int, rng: random.Random, members: int) -> dict:
    files = []
    for _ in range(rng.randint(1, 3)):
        item = {"fileExtension": rng.choice(EXTENSIONS), "linesAdded": rng.randint(0, 40),
                "linesDeleted": rng.randint(0, 10)}  # fmt: skip
        if rng.random() > 0.2:  # 20% privacy mode: no fileName
            item = {"fileName": f"src/mod{rng.randint(1, 300)}/f{item['fileExtension']}", **item}
        files.append(item)
    source = rng.choice(SOURCES)
    return {
        "changeId": f"gen-{i}",
        "userEmail": f"dev{rng.randrange(members)}@example.com",
        "source": source,
        "model": rng.choice(MODELS),
        "accepted": source != "NEXT" or rng.random() > 0.3,
        "totalLinesAdded": sum(f["linesAdded"] for f in files),
        "totalLinesDeleted": sum(f["linesDeleted"] for f in files),
        "metadata": files,
        "createdAt": _iso(START + timedelta(seconds=i * 7)),
    }


def commit(i: int, rng: random.Random, members: int) -> dict:
    added, deleted = rng.randint(1, 400), rng.randint(0, 100)
    return {
        "commitHash": f"{rng.getrandbits(160):040x}",
        "userEmail": f"dev{rng.randrange(members)}@example.com",
        "repoName": f"company/repo{rng.randrange(5)}",
        "branchName": rng.choice(("main", "develop", None)),
        "isPrimaryBranch": rng.choice((True, False, None)),
        "totalLinesAdded": added,
        "totalLinesDeleted": deleted,
        "ideNextLinesAdded": rng.randint(0, added // 3),
        "ideAgentLinesAdded": rng.randint(0, added // 3),
        "ideAgentLinesDeleted": rng.randint(0, deleted // 2),
        "message": f"change {i}",
        "commitTs": _iso(START + timedelta(seconds=i * 60)),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("changes", "commits"))
    parser.add_argument("rows", type=int)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    make = change if args.kind == "changes" else commit
    out = sys.stdout
    for i in range(args.rows):
        out.write(json.dumps(make(i, rng, args.members), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
