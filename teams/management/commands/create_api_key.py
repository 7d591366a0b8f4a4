"""`manage.py create_api_key --team TEAM [--name N] [--read] [--ingest] [--json]`.

API.md section 7.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from teams.management.options import key_payload, refused, team_option
from teams.models import ApiKey
from teams.services import InvalidInput, api_key_create


def permissions_label(key: ApiKey) -> str:
    return " + ".join(p for p, on in (("read", key.can_read), ("ingest", key.can_ingest)) if on)


class Command(BaseCommand):
    help = "Create an API key for a team and print it once (no flag: read only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", required=True, help="the team's slug or UUID")
        parser.add_argument("--name", default="", help="a label for the key")
        parser.add_argument("--read", action="store_true", help="the key may read analytics")
        parser.add_argument("--ingest", action="store_true", help="the key may ingest data")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options) -> None:
        team = team_option(options["team"])
        can_read, can_ingest = options["read"], options["ingest"]
        if not can_read and not can_ingest:
            can_read = True  # API.md section 7: no flag means read only
        try:
            key, plain = api_key_create(
                team=team, name=options["name"], can_read=can_read, can_ingest=can_ingest
            )
        except InvalidInput as exc:
            raise refused(exc, options={"name": "--name"}) from None
        if options["json"]:
            self.stdout.write(json.dumps(key_payload(team, plain)))
            return
        self.stdout.write(f"Team: {team.name} (slug {team.slug}, id {team.uuid})")
        self.stdout.write(f"API key ({permissions_label(key)}), shown only this once:")
        self.stdout.write(plain)
