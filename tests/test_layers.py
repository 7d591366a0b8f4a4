"""Where records are read from (docs/architecture.md).

- The HTTP dialects and the dashboard never touch a model manager: they call tracking's reads
  and figures, which take `team=` (a view cannot forget the team, or bypass the shared filters).
- tracking's read modules start every team query at `Model.objects.of(team)`, the one scope,
  never at `.objects.filter(team=...)` or `.objects.all()`.

import-linter (make lint) keeps the arrows between the layers; this keeps the doors.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RENDERERS = ("analytics_api", "dashboard")
READERS = (
    "tracking/reads.py",
    "tracking/figures.py",
    "tracking/counts.py",
    "tracking/activity.py",
)
MANAGERS = {"objects", "_default_manager", "_base_manager"}


def _modules(*roots: str) -> list[Path]:
    out = []
    for root in roots:
        path = ROOT / root
        files = [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))
        out += [f for f in files if "migrations" not in f.parts]
    return out


def manager_uses(source: str) -> list[tuple[int, str]]:
    """(line, text) of every `<something>.objects` / `._default_manager` in the source."""
    return [
        (node.lineno, ast.unparse(node))
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS
    ]


def unscoped_uses(source: str) -> list[tuple[int, str]]:
    """(line, text) of every `X.objects.<method>(...)` whose method is not `of`."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr in MANAGERS
            and node.attr != "of"
        ):
            out.append((node.lineno, ast.unparse(node)))
    return out


@pytest.mark.parametrize("path", _modules(*RENDERERS), ids=lambda p: str(p.relative_to(ROOT)))
def test_http_and_dashboard_modules_read_through_tracking(path):
    found = manager_uses(path.read_text())
    assert not found, f"{path.relative_to(ROOT)} reaches a model manager: {found}"


@pytest.mark.parametrize("path", _modules(*READERS), ids=lambda p: str(p.relative_to(ROOT)))
def test_tracking_reads_start_at_the_team_scope(path):
    found = unscoped_uses(path.read_text())
    assert not found, f"{path.relative_to(ROOT)} reads without .of(team): {found}"


def test_the_checks_see_what_they_look_for():
    """The two checks above find a direct manager use (else they could pass on anything)."""
    source = "rows = Commit.objects.filter(team=team)\nok = Commit.objects.of(team)\n"
    assert [line for line, _ in manager_uses(source)] == [1, 2]
    assert unscoped_uses(source) == [(1, "Commit.objects.filter")]
    assert manager_uses("qs = model._default_manager.all()") != []
