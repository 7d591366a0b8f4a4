"""python manage.py sync cursor|qoder --team SLUG [--organization ORG] [options]

Mirrors the vendor's AI code tracking API into the team, incrementally (docs/sync.md). The key
comes from CURSOR_API_KEY / QODER_API_KEY only and is never printed.
"""

from __future__ import annotations

import base64
import os
import re
import sys
import time
import urllib.parse
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from teams.management.options import team_option
from tracking.sync.engine import (
    Options,
    SyncFailed,
    Totals,
    Verified,
    sync_streams,
    verify_streams,
)
from tracking.sync.http import Client, Pacer
from tracking.sync.sources import cursor_streams, qoder_streams

UPSTREAMS = {
    "cursor": ("CURSOR_API_KEY", "CURSOR_API_BASE_URL", "https://api.cursor.com"),
    "qoder": ("QODER_API_KEY", "QODER_API_BASE_URL", "https://api.qoder.com"),
}
# Cursor selects by createdAt, the time a record reached it: an hour covers records stamped
# at the checkpoint's instant and late writes. Qoder selects commits by commitTs, the commit's
# own time, and a commit reaches Qoder when it is pushed: up to ~90 min after it was made in
# the measured case (docs/sync.md), so twice that.
OVERLAP = {"cursor": "1h", "qoder": "3h"}
_DURATION = re.compile(r"^(\d+)([dhms])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def duration(value: str) -> timedelta:
    """`90d`, `12h`, `30m`, `45s`."""
    match = _DURATION.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a duration like 90d, 12h, 30m or 45s")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


class Command(BaseCommand):
    help = "Mirror Cursor's or Qoder's AI code tracking API into a team, incrementally."

    def add_arguments(self, parser):
        parser.add_argument("upstream", choices=sorted(UPSTREAMS))
        parser.add_argument("--team", required=True, help="The team's slug or UUID.")
        parser.add_argument("--organization", help="Qoder: the organization id (required).")
        parser.add_argument("--base-url", help="Overrides CURSOR_/QODER_API_BASE_URL.")
        parser.add_argument(
            "--format",
            choices=("csv", "json"),
            default="csv",
            help="Cursor: the .csv exports (default, fewer requests) or JSON.",
        )
        parser.add_argument("--since", default="90d", help="First run: how far back (90d).")
        parser.add_argument(
            "--window-days",
            type=int,
            default=30,
            help="Days per upstream request range (default 30).",
        )
        parser.add_argument(
            "--overlap",
            help="Re-read this much before the checkpoint (default: cursor 1h, qoder 3h).",
        )
        parser.add_argument(
            "--max-rpm",
            type=float,
            default=5.0,
            help="Requests per minute per endpoint (default 5; 0 = unpaced).",
        )
        parser.add_argument("--timeout", type=float, default=30.0, help="Seconds per request.")
        parser.add_argument("--retries", type=int, default=6, help="Attempts per request.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and validate, write nothing (checkpoints unchanged).",
        )
        parser.add_argument(
            "--reset", action="store_true", help="Forget the checkpoints: backfill --since again."
        )
        parser.add_argument(
            "--verify",
            action="store_true",
            help="After the sync, compare the upstream's counts with the team's over --since "
            "(halving ranges that differ down to a day) and read again the days that differ.",
        )
        parser.add_argument(
            "--watch", type=float, metavar="SECONDS", help="Keep running: sync again every SECONDS."
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Progress lines even when stderr is not a terminal.",
        )

    def handle(self, *args, **o):
        team = team_option(o["team"])
        client, streams = self._upstream(o)
        try:
            options = Options(
                since=duration(o["since"]),
                window=timedelta(days=o["window_days"]),
                overlap=duration(o["overlap"] or OVERLAP[o["upstream"]]),
                dry_run=o["dry_run"],
                reset=o["reset"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if options.window <= timedelta(0):
            raise CommandError("--window-days must be at least 1")
        show = o["progress"] or sys.stderr.isatty()
        while True:
            watching = o["watch"] is not None
            failed = self._run(
                o["upstream"], team, streams, client, options, show, watching, o["verify"]
            )
            if o["watch"] is None:
                break
            options.reset = False  # only the first pass of a --watch forgets the checkpoints
            time.sleep(o["watch"])
            close_old_connections()
        if failed:
            raise CommandError(f"sync {o['upstream']} failed: {failed}")

    def _upstream(self, o) -> tuple[Client, list]:
        key_var, url_var, default_url = UPSTREAMS[o["upstream"]]
        key = os.environ.get(key_var, "")
        if not key:
            raise CommandError(f"Set {key_var} to the upstream's API key.")
        base_url = o["base_url"] or os.environ.get(url_var) or default_url
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise CommandError(
                f"the base URL must be http:// or https:// and a host, got {base_url!r}"
            )
        if o["upstream"] == "cursor":
            auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
            streams = cursor_streams(o["format"])
        else:
            if not o["organization"]:
                raise CommandError("sync qoder needs --organization ORG_ID.")
            auth, streams = f"Bearer {key}", qoder_streams(o["organization"])
        client = Client(
            base_url=base_url,
            auth_header=auth,
            secret=key,
            pacer=Pacer(o["max_rpm"], window=float(getattr(settings, "SYNC_RATE_WINDOW", 60.0))),
            timeout=o["timeout"],
            max_attempts=max(1, o["retries"]),
            on_wait=lambda line: self.stderr.write(line),
        )
        return client, streams

    def _run(self, upstream, team, streams, client, options, show, watching, verify) -> str:
        before = client.stats.requests, client.stats.waited_429
        write = self.stderr.write if show else (lambda line: None)
        try:
            totals = sync_streams(
                team=team,
                source=upstream,
                streams=streams,
                client=client,
                options=options,
                progress=write,
            )
        except SyncFailed as exc:
            message = client.redact(str(exc))
            if watching:  # printed here, once per failed pass; otherwise by CommandError
                self.stderr.write(f"sync {upstream} failed: {message}")
            return message
        self.stdout.write(self._summary(upstream, totals, client, before, options.dry_run))
        if verify:
            try:
                verified = verify_streams(
                    team=team, source=upstream, streams=streams, client=client,
                    options=options, progress=write,
                )  # fmt: skip
            except SyncFailed as exc:
                message = client.redact(str(exc))
                if watching:
                    self.stderr.write(f"sync {upstream} --verify failed: {message}")
                return message
            self.stdout.write(self._verified(upstream, verified))
            if verified.differ:
                # Records the upstream no longer serves: named, never deleted; not a failure.
                self.stderr.write(f"sync {upstream} --verify: still different after a re-read "
                                  f"(stored, the upstream no longer serves them): "
                                  f"{'; '.join(verified.differ[:10])}")  # fmt: skip
        return ""

    def _verified(self, upstream, verified: Verified) -> str:
        days = ", ".join(verified.reread[:10]) + (" ..." if len(verified.reread) > 10 else "")
        return (
            f"sync {upstream} --verify: {verified.ranges} ranges compared, "
            f"{len(verified.reread)} days read again{f' ({days})' if days else ''}: "
            f"{verified.created} created, {verified.updated} updated; "
            f"{len(verified.differ)} still different"
        )

    def _summary(self, upstream, totals: Totals, client, before, dry_run) -> str:
        seconds = time.monotonic() - totals.started
        return (
            f"sync {upstream}{' (dry run, nothing stored)' if dry_run else ''}: "
            f"{totals.received} received, {totals.created} created, {totals.updated} updated, "
            f"{totals.unchanged} unchanged; {client.stats.requests - before[0]} requests, "
            f"{client.stats.waited_429 - before[1]} 429s waited; {seconds:.1f}s, "
            f"{totals.received / max(seconds, 1e-6):.0f} records/s"
        )
