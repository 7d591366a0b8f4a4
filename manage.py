#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import sys

from config import select_settings


def main() -> None:
    select_settings()  # production unless DJANGO_SETTINGS_MODULE says otherwise
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
