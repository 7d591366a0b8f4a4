"""`manage.py seed_demo --team SLUG`: realistic synthetic data, deterministic for a --seed,
ingested through the ingest service (tracking.demo)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from teams.management.options import team_option
from tracking.demo import DemoSize, SeedOverlap, analyze_tables, demo_seed, team_has_records

DEFAULTS = DemoSize()


def non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Fill a team with synthetic members, commits (with files), changes and messages. "
        "Refuses a team that already has records unless --append is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", required=True, help="the team's slug or UUID")
        names = ("members", "repos", "days", "commits", "changes", "messages", "seed")
        for name in names:
            parser.add_argument(f"--{name}", type=non_negative, default=getattr(DEFAULTS, name))
        parser.add_argument(
            "--usage-events",
            type=non_negative,
            default=DEFAULTS.usage_events,
            help="Cursor usage events (daily usage rows follow members and days)",
        )
        parser.add_argument(
            "--append",
            action="store_true",
            help="add to a team that already has records (use a --seed not used before)",
        )

    def handle(self, *args, **options) -> None:
        team = team_option(options["team"])
        if not options["append"] and team_has_records(team):
            raise CommandError(
                f"Team {team.slug!r} already has records. Seeding again would mix data sets: "
                "pass --append (with a --seed not used before) to add to them."
            )
        if options["members"] < 1 or options["days"] < 1:
            raise CommandError("--members and --days must be at least 1.")
        size = DemoSize(**{name: options[name] for name in DemoSize.__dataclass_fields__})
        started = time.perf_counter()
        try:
            result = demo_seed(team=team, size=size)
        except SeedOverlap as exc:
            raise CommandError(f"{exc}: choose another --seed.") from None
        committed = time.perf_counter()
        analyze_tables()
        result.seconds["analyze"] = time.perf_counter() - committed
        result.seconds["total"] = time.perf_counter() - started
        self.stdout.write(
            f"Seeded team {team.slug}: {result.members} members, {result.commits} commits "
            f"({result.files} files), {result.changes} changes, {result.messages} messages, "
            f"{result.daily_usage} Cursor daily usage rows, {result.usage_events} usage events."
        )
        timings = ", ".join(f"{k} {v:.2f}s" for k, v in result.seconds.items())
        self.stdout.write(f"Times: {timings}")
