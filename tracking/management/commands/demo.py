"""`manage.py demo --host H --port P`: the demo team for `make run`, a fresh key, curl lines.

The team "Acme Demo" (slug acme-demo) is seeded once; later runs keep its data. Every run
revokes the previous "make run" keys of the demo team and prints a new one, since a key is
never shown twice.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from teams.models import ApiKey, Team, TeamMembership
from teams.services import membership_set
from tracking.demo import (
    DemoSize,
    activity_seed,
    demo_seed,
    team_has_activity,
    team_has_records,
)
from tracking.models import Commit

DEMO_SLUG = "acme-demo"
DEMO_NAME = "Acme Demo"
KEY_NAME = "make run"
DEMO_LOGIN = "demo@acme.example"


def demo_login(team: Team) -> str:
    """The demo login: the demo team's admin (its team management page) and, on this local
    demo, a superuser (the Django admin), with a new password printed every run."""
    membership, password = membership_set(
        team=team, email=DEMO_LOGIN, role=TeamMembership.Role.ADMIN
    )
    user = membership.user
    user.is_staff = user.is_superuser = True
    if password is None:
        password = secrets.token_urlsafe(12)
        user.set_password(password)
    user.save(update_fields=["password", "is_staff", "is_superuser"])
    return password


def demo_team() -> tuple[Team, bool]:
    """The demo team, and whether it needs seeding (new, or created but never filled)."""
    team, _ = Team.objects.get_or_create(slug=DEMO_SLUG, defaults={"name": DEMO_NAME})
    return team, not team_has_records(team)


def demo_key(team: Team) -> str:
    """Revoke earlier `make run` keys and create the one this run prints."""
    with transaction.atomic():
        ApiKey.objects.filter(team=team, name=KEY_NAME, revoked=False).update(revoked=True)
        _key, plain = ApiKey.objects.create_key(
            team=team, name=KEY_NAME, can_read=True, can_ingest=True
        )
    return plain


def browsable_host(host: str) -> str:
    """The address a curl on this machine reaches when the server binds to `host`."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


INGEST_BODY = (
    '[{"changeId": "demo-1", "userEmail": "you@acme.example", "source": "AGENT", '
    '"model": "gpt-4o", "totalLinesAdded": 12, "totalLinesDeleted": 3, "metadata": '
    '[{"fileName": "src/app.ts", "fileExtension": "ts", "linesAdded": 12, "linesDeleted": 3}]}]'
)


def annotated_hashes(team: Team, n: int = 2) -> list[str]:
    """The newest commits that carry range annotations, for a commit-detail example."""
    commits = Commit.objects.filter(team=team, range_annotations__isnull=False)
    return list(commits.order_by("-created_at", "-id").values_list("commit_hash", flat=True)[:n])


def curl_lines(*, base: str, key: str, team: Team) -> list[tuple[str, str]]:
    today = timezone.now().date()
    start, end = f"{today - timedelta(days=29)}T00:00:00Z", f"{today}T23:59:59Z"
    cursor = f'curl -u {key}: "{base}/analytics/ai-code'
    page = "startDate=7d&endDate=now&page=1&pageSize=100"
    qoder = f'curl -H "Authorization: Bearer {key}" "{base}/v1/organizations/{team.uuid}'
    return [
        ("Cursor commits (JSON)", f'{cursor}/commits?{page}"'),
        ("Cursor changes (JSON)", f'{cursor}/changes?{page}"'),
        ("Cursor commits (CSV)", f'{cursor}/commits.csv?startDate=30d&endDate=now"'),
        ("Cursor changes (CSV)", f'{cursor}/changes.csv?startDate=30d&endDate=now"'),
        ("Qoder overview, last 30 days",
         f'{qoder}/ai-code/stats/overview?start_date={start}&end_date={end}"'),
        ("Qoder tracking commits",
         f'{qoder}/ai-code-tracking/commits?startDate={start}&endDate={end}&page=1&pageSize=50"'),
        ("Qoder commit detail (range annotations)",
         f'curl -X POST -H "Authorization: Bearer {key}" -H "Content-Type: application/json" '
         f'"{base}/v1/organizations/{team.uuid}/ai-code-tracking/commits/detail" '
         f"-d '{json.dumps({'commitHashes': annotated_hashes(team)})}'"),
        ("Ingest changes (JSON array; NDJSON with Content-Type: application/x-ndjson)",
         f'curl -u {key}: -X POST -H "Content-Type: application/json" '
         f"\"{base}/ingest/v1/changes\" -d '{INGEST_BODY}'"),
    ]  # fmt: skip


class Command(BaseCommand):
    help = "Create and seed the demo team once, print a fresh API key and ready-to-paste curl."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, **options) -> None:
        team, needs_seed = demo_team()
        if needs_seed:
            self.stdout.write(f"Seeding the demo team {DEMO_NAME!r} (once)...")
            result = demo_seed(team=team, size=DemoSize())
            self.stdout.write(
                f"Seeded {result.members} members, {result.commits} commits, "
                f"{result.changes} changes, {result.messages} messages, "
                f"{result.daily_usage} Cursor daily usage rows and {result.usage_events} usage "
                "events over 90 days."
            )
        else:
            self.stdout.write(f"Demo team {DEMO_NAME!r} already has data: not seeding again.")
            if not team_has_activity(team):  # a demo database from before editor activity
                result = activity_seed(team=team, size=DemoSize(), now=timezone.now())
                self.stdout.write(
                    f"Added Cursor editor activity: {result.daily_usage} daily usage rows, "
                    f"{result.usage_events} usage events."
                )
        key = demo_key(team)
        password = demo_login(team)
        base = f"http://{browsable_host(options['host'])}:{options['port']}"
        self.print_usage(team=team, key=key, base=base, password=password)

    def print_usage(self, *, team: Team, key: str, base: str, password: str) -> None:
        out = self.stdout.write
        out("")
        out(self.style.SUCCESS(f"Dashboard: {base}/"))
        out(f"Demo login: {DEMO_LOGIN}  password: {password}  (a new password every run)")
        out("")
        out(self.style.SUCCESS(f"Demo API key (read + ingest; shown once): {key}"))
        out(f"Team: {team.name}, slug {team.slug}, id (Qoder organization_id) {team.uuid}")
        out("Earlier 'make run' keys of this team are revoked.")
        out("")
        out("For the README's examples, paste into your shell:")
        out(f"KEY={key} ORG={team.uuid} BASE={base}")
        for title, line in curl_lines(base=base, key=key, team=team):
            out("")
            out(f"# {title}")
            out(line)
        out("")
        out(f"Django admin: {base}/admin/  (the demo login above: a superuser of this local "
            "demo; a login of your own: make superuser)")  # fmt: skip
        out(f"Team management (members, API keys, audit log): {base}/dashboard/{team.slug}/manage/")
        out(f"OpenAPI docs: {base}/api/docs/")
        out("")
