"""Figures for docs/sync.md: a 90-day backfill from the fake upstream, as a real process.

    .venv/bin/python -m tests.tracking.sync.measure [COMMITS CHANGES] [DATABASE_URL]

Prints, per upstream and format, the requests per endpoint, the seconds and the records/s of
an unpaced run, and what pacing at 5/min per endpoint adds (each endpoint's requests beyond
the first 5 wait a minute per 5).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()  # the fake upstream uses tracking.formats, which imports the models

from tests.tracking.sync.upstream import KEY, ORG, Upstream, make_records  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]


def main() -> None:
    commits_n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    changes_n = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
    url = sys.argv[3] if len(sys.argv) > 3 else "sqlite:////tmp/aicode_i10_measure.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "measure-" + "x" * 40,
        "CURSOR_API_KEY": KEY,
        "QODER_API_KEY": KEY,
    }
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    commits, changes = make_records(now, commits=commits_n, changes=changes_n, days=89)
    with Upstream(commits, changes) as upstream:
        for name, extra in (
            ("cursor", ["--format", "csv"]),
            ("cursor", ["--format", "json"]),
            ("qoder", ["--organization", ORG]),
        ):
            _fresh(env, url)
            upstream.log.clear()
            started = time.monotonic()
            done = subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "sync",
                    name,
                    "--team",
                    "acme",
                    "--max-rpm",
                    "0",
                    "--base-url",
                    upstream.url,
                    *extra,
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            seconds = time.monotonic() - started
            assert done.returncode == 0, done.stderr
            counts = upstream.counts()
            paced = sum(math.ceil(n / 5) - 1 for n in counts.values())
            print(
                f"{name} {' '.join(extra)}: {sum(counts.values())} requests {dict(counts)}; "
                f"{seconds:.1f}s unpaced, {(commits_n + changes_n) / seconds:.0f} records/s; "
                f"at 5/min per endpoint about {paced} min more"
            )
            print("   ", done.stdout.strip())


# fmt: skip


def _fresh(env: dict, url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        subprocess.run(
            [sys.executable, "manage.py", "flush", "--noinput"],
            cwd=ROOT,
            env=env,
            check=False,
            capture_output=True,
        )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from teams.models "
            "import Team; Team.objects.get_or_create(name='Acme', slug='acme')",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )


if __name__ == "__main__":
    main()
