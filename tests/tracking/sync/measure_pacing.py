"""Full-size pacing figure for docs/sync.md: a paced `manage.py sync cursor` of 10 one-day
windows against the fake upstream limiting each endpoint to a strict 5 requests in any 60 s
(a sliding window; a refused request is not counted), each request reaching the limiter up to
0.2 s after it was sent (connect, TLS, a proxy), as a real process.

    .venv/bin/python -m tests.tracking.sync.measure_pacing [CODE_ROOT] [DATABASE_URL]

CODE_ROOT is the checkout whose manage.py runs (default: this one; another one measures the
code before a change: `git archive main | tar -x -C /tmp/main`). Prints the elapsed time, the
429s the upstream answered, and the minimum: the 10th request to an endpoint can reach it no
sooner than 60 s after its 5th (plus the time the first five windows took).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from tests.tracking.sync.measure import _fresh  # noqa: E402
from tests.tracking.sync.upstream import KEY, Upstream, make_records  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
WINDOW = 60.0


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT
    url = sys.argv[2] if len(sys.argv) > 2 else "sqlite:////tmp/aicode_sync_pacing.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "measure-" + "x" * 40,
        "CURSOR_API_KEY": KEY,
        "PYTHONPATH": str(root),
    }
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    commits, changes = make_records(now, commits=500, changes=2000, days=10)
    with Upstream(commits, changes) as upstream:
        upstream.rate_limit = (5, WINDOW)
        upstream.jitter = 0.2
        _fresh(env, url)
        upstream.log.clear()
        upstream.arrivals.clear()
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, str(root / "manage.py"), "sync", "cursor", "--team", "acme",
             "--base-url", upstream.url, "--since", "10d", "--window-days", "1"],
            cwd=root, env=env, capture_output=True, text=True,
        )  # fmt: skip
        elapsed = time.monotonic() - started
        print(f"code: {root}")
        print("   ", done.stdout.strip(), done.stderr.strip()[-600:])
        fifth = max((a[4] for a in upstream.arrivals.values() if len(a) > 5), default=started)
        minimum = fifth + WINDOW - started
        print(f"exit {done.returncode}; {elapsed:.1f}s; minimum {minimum:.1f}s "
              f"({elapsed / minimum:.3f}x); 429s answered: {len(upstream.rejected)}; "
              f"requests {dict(upstream.counts())}")  # fmt: skip


if __name__ == "__main__":
    main()
