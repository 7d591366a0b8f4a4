"""`manage.py figures_doc [--check]`: write docs/figures.md from the figure catalog
(tracking/catalog.py), or with --check exit 1 when the file is stale."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracking import catalog

PATH = Path(settings.BASE_DIR) / "docs" / "figures.md"


class Command(BaseCommand):
    help = "Write docs/figures.md from the figure catalog (--check: fail when it is stale)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, check: bool, **options) -> None:
        text = catalog.markdown()
        if check:
            if not PATH.exists() or PATH.read_text() != text:
                raise CommandError(f"{PATH} is stale: run `manage.py figures_doc`.")
            self.stdout.write(f"{PATH} is current.")
            return
        PATH.write_text(text)
        self.stdout.write(f"Wrote {PATH}.")
