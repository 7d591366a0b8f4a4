"""Agent Trace records (github.com/cursor/agent-trace, v0.1 RFC) into commit attribution.

A trace's `vcs.revision` is HEAD when the edit was made: the parent of the commit that will
hold it. Its ranges are attributed to the *landing* commit: with the repository at hand
(`--repo PATH`), the first commit after the revision (on the ancestry path to any ref) that
changes one of the trace's files; without it, a commit we know from `import gitai` whose first
parent is the revision. A trace with no landing commit yet is kept with status "unresolved"
(listed by the endpoint and the command, counted nowhere) and resolved when its commit is
imported. docs/tools.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from teams.models import Team
from tracking.attribution.parse import SHA_RE, Invalid, Trace, parse_trace
from tracking.attribution.resolve import resolve
from tracking.ingest.gitai import GitError, commit_facts, git
from tracking.models import AttributionRecord, GitCommit

SOURCE = "agent_trace"
MAX_RECORDS = 10_000


class TracesInvalid(Exception):
    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__("; ".join(f"record {i}: {m}" for i, m in problems[:20]))
        self.problems = problems


@dataclass
class TraceResult:
    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    resolved: int = 0
    unresolved: dict[str, str] = field(default_factory=dict)  # trace id -> why

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "resolved": self.resolved,
            "unresolved": [{"id": k, "reason": v} for k, v in self.unresolved.items()],
        }


def parse_all(records: list) -> list[tuple[Trace, dict]]:
    """Every record validated first: one bad record refuses the whole request or file (nothing
    written), with every problem listed by index."""
    if len(records) > MAX_RECORDS:
        raise TracesInvalid([(0, f"at most {MAX_RECORDS:,} records per request or file")])
    out, problems = [], []
    for i, record in enumerate(records):
        try:
            out.append((parse_trace(record), record))
        except Invalid as error:
            problems.append((i, str(error)))
    if problems:
        raise TracesInvalid(problems)
    return out


def _landing_in_repo(path: Path, trace: Trace) -> tuple[str | None, str]:
    """(landing commit, why not) from the clone: the first commit after the revision that
    changes one of the trace's files, with each range inside the file as committed."""
    if not trace.revision or not SHA_RE.fullmatch(trace.revision):
        return None, "vcs.revision is not a full git commit id"
    try:
        listing = git(
            path,
            "rev-list",
            "--reverse",
            "--ancestry-path",
            "--topo-order",
            f"{trace.revision}..HEAD",
        )
    except GitError as error:
        return None, f"the revision is not in the repository ({error})"
    paths = sorted(trace.files)
    for sha in listing.split():
        changed = set(
            git(path, "diff-tree", "--no-commit-id", "--name-only", "-r", sha, "--", *paths).split()
        )
        if not changed:
            continue
        for file_path, ranges in trace.files.items():
            if file_path not in changed:
                continue
            try:
                text = git(path, "show", f"{sha}:{file_path}")
            except GitError:
                return None, f"{file_path} is deleted by the landing commit {sha[:12]}"
            length = len(text.splitlines())
            last = max(r[1] for r in ranges)
            if last > length:
                return None, (
                    f"ranges past the file's end: {file_path} has {length} lines at "
                    f"{sha[:12]}, the trace names line {last}"
                )
        return sha, ""
    return None, "no commit after the revision changes the trace's files yet"


def _landing_known(team: Team, repo_name: str, trace: Trace) -> str | None:
    if not trace.revision:
        return None
    return (
        GitCommit.objects.filter(team=team, repo_name=repo_name, first_parent=trace.revision)
        .order_by("committed_at", "sha")
        .values_list("sha", flat=True)
        .first()
    )


def store_traces(
    *, team: Team, repo_name: str, records: list, repo_path: Path | None = None
) -> TraceResult:
    traces = parse_all(records)
    result = TraceResult(received=len(traces))
    landings: dict[str, tuple[str | None, str]] = {}
    facts: dict[str, dict] = {}
    for trace, _ in traces:
        if repo_path is not None:
            landings[trace.id] = _landing_in_repo(repo_path, trace)
        else:
            sha = _landing_known(team, repo_name, trace)
            landings[trace.id] = (
                sha,
                ""
                if sha
                else "the commit after the revision is not "
                "known yet (import the repository, or send --repo)",
            )
    if repo_path is not None:
        shas = sorted({sha for sha, _ in landings.values() if sha})
        known = set(
            GitCommit.objects.filter(team=team, repo_name=repo_name, sha__in=shas).values_list(
                "sha", flat=True
            )
        )
        facts = commit_facts(repo_path, [s for s in shas if s not in known]) if shas else {}
    touched = set()
    with transaction.atomic():
        for sha, row in sorted(facts.items()):
            GitCommit.objects.update_or_create(
                team=team, repo_name=repo_name, sha=sha, defaults=row
            )
            touched.add((repo_name, sha))
        existing = {
            r.record_id: r
            for r in AttributionRecord.objects.select_for_update().filter(
                team=team,
                source=SOURCE,
                repo_name=repo_name,
                record_id__in=[t.id for t, _ in traces],
            )
        }
        for trace, raw in sorted(traces, key=lambda pair: pair[0].id):
            landing, why = landings[trace.id]
            values = {
                "commit_sha": landing or "",
                "schema_version": trace.version,
                "payload": raw,
                "parsed": {
                    "files": trace.files,
                    "revision": trace.revision,
                    "timestamp": trace.timestamp,
                    "tool": trace.tool,
                },
                "status": "resolved" if landing else "unresolved",
                "detail": why,
            }
            record = existing.get(trace.id)
            if record is None:
                AttributionRecord.objects.create(
                    team=team, source=SOURCE, repo_name=repo_name, record_id=trace.id, **values
                )
                result.created += 1
            elif all(getattr(record, k) == v for k, v in values.items()):
                result.unchanged += 1
            else:
                if record.commit_sha:
                    touched.add((repo_name, record.commit_sha))
                for k, v in values.items():
                    setattr(record, k, v)
                record.save()
                result.updated += 1
            if landing:
                result.resolved += 1
                touched.add((repo_name, landing))
            else:
                result.unresolved[trace.id] = why
        if touched:
            resolve(team.pk, touched)
            team.bump_data_version()
    return result


def resolve_waiting(team: Team, repo_name: str) -> int:
    """Unresolved traces of a repository whose landing commit is now known (after an import):
    attributed. Returns how many."""
    done = 0
    with transaction.atomic():
        for record in AttributionRecord.objects.select_for_update().filter(
            team=team, source=SOURCE, repo_name=repo_name, status="unresolved"
        ):
            trace = parse_trace(record.payload)
            sha = _landing_known(team, repo_name, trace)
            if sha:
                record.commit_sha, record.status, record.detail = sha, "resolved", ""
                record.save()
                resolve(team.pk, [(repo_name, sha)])
                done += 1
    return done
