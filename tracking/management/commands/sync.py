"""python manage.py sync {cursor,qoder} --team SLUG [options]: mirror a vendor's API.

  sync cursor --team acme                      # CURSOR_API_KEY, CURSOR_API_BASE_URL
  sync qoder --team acme --organization ORG    # QODER_API_KEY, QODER_API_BASE_URL

Incremental and resumable (tracking/sync/runs.py); docs/sync.md. The key comes from the
environment only and is never printed.
"""

from __future__ import annotations

import os
import re
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from teams.selectors import team_from_arg
from tracking.models import SyncState
from tracking.sync.http import Stats, SyncError, Upstream
from tracking.sync.runs import CursorSource, Options, QoderSource, RunResult, sync

DEFAULTS = {
    "cursor": ("CURSOR_API_KEY", "CURSOR_API_BASE_URL", "https://api.cursor.com", "basic"),
    "qoder": ("QODER_API_KEY", "QODER_API_BASE_URL", "https://api.qoder.com", "bearer"),
}
_DURATION = re.compile(r"^([0-9]+)([dh])$")


def duration(text: str) -> timedelta:
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise CommandError(f"--since must look like 90d or 12h, got {text!r}")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(days=amount) if unit == "d" else timedelta(hours=amount)


class Command(BaseCommand):
    help = "Mirror Cursor's or Qoder's AI code tracking API into a team, incrementally."

    def add_arguments(self, parser):
        parser.add_argument("source", choices=sorted(DEFAULTS))
        parser.add_argument("--team", required=True, help="The team's slug or UUID.")
        parser.add_argument("--organization", help="Qoder: the organization id upstream.")
        parser.add_argument("--base-url", help="Overrides *_API_BASE_URL.")
        parser.add_argument("--since", default="90d", help="First run: how far back (90d).")
        parser.add_argument("--window-days", type=int, default=30)
        parser.add_argument("--overlap-minutes", type=int, default=60)
        parser.add_argument("--max-rpm", type=int, default=5, help="Requests/min per endpoint.")
        parser.add_argument("--timeout", type=float, default=60.0, help="Seconds per request.")
        parser.add_argument("--retries", type=int, default=5)
        parser.add_argument("--dry-run", action="store_true", help="Read and validate only.")
        parser.add_argument("--reset", action="store_true", help="Forget the checkpoints.")
        parser.add_argument("--watch", type=int, metavar="SECONDS", help="Sync every SECONDS.")

    def handle(self, *args, **opts):
        team = team_from_arg(opts["team"])
        source_name = opts["source"]
        key_var, url_var, default_url, scheme = DEFAULTS[source_name]
        key = os.environ.get(key_var, "").strip()
        if not key:
            raise CommandError(f"Set {key_var} to the {source_name} API key (environment only).")
        if source_name == "qoder" and not opts["organization"]:
            raise CommandError("sync qoder needs --organization (the upstream organization id).")
        if opts["window_days"] < 1 or opts["max_rpm"] < 1:
            raise CommandError("--window-days and --max-rpm must be at least 1.")
        if opts["reset"]:
            SyncState.objects.filter(team=team, source=source_name).delete()
        upstream = Upstream(
            base_url=opts["base_url"] or os.environ.get(url_var) or default_url,
            key=key, scheme=scheme, max_rpm=opts["max_rpm"], timeout=opts["timeout"],
            retries=opts["retries"],
        )  # fmt: skip
        source = (
            CursorSource("cursor", upstream)
            if source_name == "cursor"
            else QoderSource("qoder", upstream, opts["organization"])
        )
        options = Options(
            since=duration(opts["since"]),
            window=timedelta(days=opts["window_days"]),
            overlap=timedelta(minutes=opts["overlap_minutes"]),
            dry_run=opts["dry_run"],
            progress=lambda line: self.stderr.write(line),
        )
        while True:
            started = time.monotonic()
            upstream.stats = Stats()  # each run's own figures
            try:
                result = sync(team=team, source=source, options=options)
            except SyncError as exc:
                if not opts["watch"]:
                    raise CommandError(f"sync {source_name} stopped: {exc}") from None
                self.stderr.write(f"sync {source_name} stopped: {exc}")
            else:
                self.stdout.write(self.summary(result, upstream, time.monotonic() - started))
            if not opts["watch"]:
                return
            time.sleep(opts["watch"])

    def summary(self, result: RunResult, upstream: Upstream, seconds: float) -> str:
        lines = []
        for s in result.streams:
            unchanged = s.records - s.created - s.updated
            lines.append(
                f"{result.source} {s.stream}: {s.records} records in {s.windows} window(s): "
                f"{s.created} created, {s.updated} updated, {unchanged} unchanged; "
                f"checkpoint {s.checkpoint.isoformat() if s.checkpoint else '-'}"
            )
        stats = upstream.stats
        lines.append(
            f"{stats.requests} requests ({stats.retries} retried, {stats.waited_429} 429s "
            f"waited, {stats.seconds_paced:.0f} s paced) in {seconds:.1f} s"
        )
        return "\n".join(lines)
