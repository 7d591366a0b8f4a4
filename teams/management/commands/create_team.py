"""`manage.py create_team NAME [--slug S] [--owner EMAIL] [--json]` (API.md section 7).

--owner makes that person (a login, created with a printed password if missing) the team's
dashboard admin.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from teams.management.options import key_payload, refused
from teams.services import InvalidInput, NewTeam, team_create


class Command(BaseCommand):
    help = "Create a team and print its id and a new API key that may read and ingest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the team's display name")
        parser.add_argument("--slug", default="", help="URL-safe identifier (default: from NAME)")
        parser.add_argument("--owner", default="", help="email of the dashboard admin")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options) -> None:
        try:
            new = team_create(
                name=options["name"], slug=options["slug"], owner_email=options["owner"]
            )
        except InvalidInput as exc:
            raise refused(exc, options={"slug": "--slug", "email": "--owner"}) from None
        if options["json"]:
            self.stdout.write(json.dumps(self.payload(new)))
        else:
            self.print_text(new)

    @staticmethod
    def payload(new: NewTeam) -> dict:
        payload = key_payload(new.team, new.plain_key)
        if new.owner is not None:
            payload["owner"] = {"login": new.owner.user.username, "password": new.owner_password}
        return payload

    def print_text(self, new: NewTeam) -> None:
        team = new.team
        self.stdout.write(f"Team created: {team.name}")
        self.stdout.write(f"Team id:   {team.uuid}")
        self.stdout.write(f"Team slug: {team.slug}")
        self.stdout.write("API key (read + ingest), shown only this once:")
        self.stdout.write(new.plain_key)
        if new.owner is not None:
            self.stdout.write(f"Dashboard admin: {new.owner.user.username}")
            if new.owner_password:
                self.stdout.write(f"New login's password (shown once): {new.owner_password}")
