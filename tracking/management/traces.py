"""`manage.py ingest --kind agent-traces FILE... [--repo PATH] [--repo-name NAME]`."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError

from tracking.ingest.agent_trace import TracesInvalid, store_traces


def read_jsonl(path: Path) -> list:
    records = []
    with path.open(encoding="utf-8", errors="strict") as handle:
        try:
            text = handle.read()
        except UnicodeDecodeError as error:
            raise CommandError(
                f"{path}: not UTF-8 ({error.reason} at byte {error.start})"
            ) from None
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            value = json.loads(text)
        except ValueError as error:
            raise CommandError(f"{path}: not a JSON array ({error})") from None
        return value
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except ValueError as error:
            raise CommandError(f"{path}:{number}: not JSON ({error.msg})") from None
    return records


def load_traces(command, team, files, repo: Path | None, repo_name: str | None) -> None:
    if repo is not None and not repo.is_dir():
        raise CommandError(f"--repo {repo}: no such directory")
    name = (repo_name or (repo.resolve().name if repo else "")).strip()
    if not name:
        raise CommandError("Name the repository: --repo-name NAME (or --repo PATH).")
    for file_name in files:
        path = Path(file_name)
        records = read_jsonl(path)
        try:
            result = store_traces(team=team, repo_name=name, records=records, repo_path=repo)
        except TracesInvalid as error:
            lines = "\n".join(f"  record {i + 1}: {m}" for i, m in error.problems[:50])
            raise CommandError(f"{path}: nothing stored, {len(error.problems)} bad record(s):\n"
                               f"{lines}") from None  # fmt: skip
        command.stdout.write(
            f"{path}: {result.received} trace(s): {result.created} created, "
            f"{result.updated} updated, {result.unchanged} unchanged; {result.resolved} "
            f"attributed to their landing commit, {len(result.unresolved)} unresolved"
        )
        for trace_id, why in result.unresolved.items():
            command.stdout.write(f"  unresolved {trace_id}: {why}")
