"""python manage.py import gitai --team TEAM --repo NAME PATH [--notes-only]

Reads git-ai's notes (refs/notes/ai) of a local clone with `git`, with the commits' authors,
dates and diff totals, into commit attribution (docs/tools.md). Incremental: notes and commits
already stored unchanged are not written again; run it after each `git fetch`
(`git fetch origin refs/notes/ai:refs/notes/ai` brings the shared notes)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from teams.management.options import team_option
from tracking.ingest.gitai import GitError, import_repository


class Command(BaseCommand):
    help = "Import git-ai notes (refs/notes/ai) and commit facts from a local clone."

    def add_arguments(self, parser):
        parser.add_argument("source", choices=["gitai"], help="What to import (gitai).")
        parser.add_argument("path", type=Path, metavar="PATH", help="The clone's folder.")
        parser.add_argument("--team", required=True, help="The team's slug or UUID.")
        parser.add_argument("--repo", required=True, help="The repository's name (e.g. acme/api).")
        parser.add_argument(
            "--notes-only",
            action="store_true",
            help="Only the noted commits (default: every commit, un-noted ones as unknown lines).",
        )

    def handle(self, *args, source, path, team, repo, notes_only, **options):
        team_obj = team_option(team)
        name = repo.strip()
        if not name or len(name) > 255 or any(ord(c) < 32 for c in name):
            raise CommandError("--repo: a repository name of 1 to 255 printable characters.")
        if not path.is_dir():
            raise CommandError(f"{path}: no such directory")
        try:
            result = import_repository(
                team=team_obj, repo_name=name, path=path, all_commits=not notes_only
            )
        except GitError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{name}: {result.notes} note(s) read: {result.stored} stored, {result.unchanged} "
            f"unchanged, {len(result.unparsed)} not counted; {result.commits} commit(s) read "
            f"from git; {result.traces_resolved} Agent Trace record(s) attributed"
        )
        for sha, why in {**result.unparsed, **result.skipped_notes}.items():
            self.stdout.write(f"  skipped {sha}: {why}")
