"""`manage.py add_team_member --team TEAM EMAIL [--role viewer|admin]`: dashboard access.

The login's user name is the email; a new login gets a random password, printed once.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from teams.management.options import refused, team_option
from teams.models import TeamMembership
from teams.services import InvalidInput, membership_set


class Command(BaseCommand):
    help = "Let a person (a login, created if missing) see a team's dashboard."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the person's email (their login name)")
        parser.add_argument("--team", required=True, help="the team's slug or UUID")
        parser.add_argument(
            "--role", default=TeamMembership.Role.VIEWER, choices=TeamMembership.Role.values
        )

    def handle(self, *args, **options) -> None:
        team = team_option(options["team"])
        try:
            membership, password = membership_set(
                team=team, email=options["email"], role=options["role"]
            )
        except InvalidInput as exc:
            raise refused(exc, options={"role": "--role"}) from None
        self.stdout.write(f"{membership.user.username} is {membership.role} of {team.name}.")
        if password:
            self.stdout.write(f"New login {membership.user.username}, password (shown once):")
            self.stdout.write(password)
