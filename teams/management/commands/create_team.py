"""`manage.py create_team NAME [--slug S] [--owner EMAIL] [--json]` (API.md section 7).

--owner makes that person (a login, created with a printed password if missing) the team's
dashboard admin.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.text import slugify

from teams.management.commands.create_api_key import key_payload
from teams.models import ApiKey, Team, TeamMembership
from teams.services import membership_set


def team_create(*, name: str, slug: str = "") -> Team:
    name = name.strip()
    if not name:
        raise CommandError("The team name is empty.")
    max_name = Team._meta.get_field("name").max_length
    if len(name) > max_name:
        raise CommandError(f"The team name is {len(name)} characters long; at most {max_name}.")
    slug = slugify(slug.strip() or name)[:100]
    if not slug:
        raise CommandError(f"Cannot make a slug from {name!r}: pass one with --slug.")
    if Team.objects.filter(slug=slug).exists():
        raise CommandError(f"A team with slug {slug!r} already exists: choose another --slug.")
    return Team.objects.create(name=name, slug=slug)


class Command(BaseCommand):
    help = "Create a team and print its id and a new API key that may read and ingest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the team's display name")
        parser.add_argument("--slug", default="", help="URL-safe identifier (default: from NAME)")
        parser.add_argument("--owner", default="", help="email of the dashboard admin")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            team = team_create(name=options["name"], slug=options["slug"])
            _key, plain = ApiKey.objects.create_key(
                team=team, name="created with team", can_read=True, can_ingest=True
            )
            owner = password = None
            if options["owner"]:
                owner, password = membership_set(
                    team=team, email=options["owner"], role=TeamMembership.Role.ADMIN
                )
        if options["json"]:
            payload = key_payload(team, plain)
            if owner is not None:
                payload["owner"] = {"login": owner.user.username, "password": password}
            self.stdout.write(json.dumps(payload))
            return
        self.stdout.write(f"Team created: {team.name}")
        self.stdout.write(f"Team id:   {team.uuid}")
        self.stdout.write(f"Team slug: {team.slug}")
        self.stdout.write("API key (read + ingest), shown only this once:")
        self.stdout.write(plain)
        if owner is not None:
            self.stdout.write(f"Dashboard admin: {owner.user.username}")
            if password:
                self.stdout.write(f"New login's password (shown once): {password}")
