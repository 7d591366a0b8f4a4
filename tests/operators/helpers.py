"""Kept for the demo command tests still here (tracking/demo.py is being rewritten); the helpers
live in tests/commands.py. Goes when those tests move to tests/tracking/."""

from tests.commands import run, run_json

__all__ = ["run", "run_json"]
