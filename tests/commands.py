"""Running management commands in tests."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def run_json(*args: str) -> dict:
    output = run(*args, "--json")
    assert output.count("\n") <= 1, "--json prints exactly one line"
    return json.loads(output)
