"""`manage.py rollups rebuild|verify [--team SLUG]`: the summary tables behind the figures.

rebuild recomputes a team's tables from its records (after a restore, a bulk load that
bypassed ingestion, or a repair); verify recomputes them and compares, printing each difference
and exiting 1 on any. Without --team, every team with records. tracking/rollups.py.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from teams.management.options import team_option
from teams.models import Team
from tracking import rollups
from tracking.demo import team_has_records


class Command(BaseCommand):
    help = "Rebuild or verify the summary tables (rollups) of one team or of every team."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=("rebuild", "verify"))
        parser.add_argument("--team", help="the team's slug or UUID (default: every team)")

    def handle(self, *args, action: str, team: str | None, **options) -> None:
        teams = [team_option(team)] if team else [
            t for t in Team.objects.order_by("slug") if team_has_records(t)
        ]  # fmt: skip
        differing = 0
        for one in teams:
            started = time.monotonic()
            progress = self._progress(one, started)
            if action == "rebuild":
                rows = rollups.rebuild(one.pk, progress=progress)
                self.stdout.write(
                    f"{one.slug}: rebuilt, {rows} summary rows in {time.monotonic() - started:.1f}s"
                )
                continue
            lines = rollups.differences(one.pk, progress=progress)
            for line in lines:
                self.stdout.write(f"{one.slug}: {line}")
            differing += len(lines)
            self.stdout.write(
                f"{one.slug}: {len(lines)} difference(s), verified in "
                f"{time.monotonic() - started:.1f}s"
            )
            over = rollups.over_ai_commits(one.pk)
            if over:  # a data-quality note, not a difference: the records are kept as sent
                self.stdout.write(
                    f"{one.slug}: data quality: {over} commit(s) report more AI lines than "
                    "lines (stored as sent; shares are clamped to 100 %)"
                )
        if differing:
            raise CommandError(f"{differing} difference(s): run `manage.py rollups rebuild`")

    def _progress(self, team, started: float):
        def report(step: str) -> None:
            self.stderr.write(f"  {team.slug}: {step} ({time.monotonic() - started:.1f}s)")

        return report
