"""git-ai notes (refs/notes/ai, authorship/3.0.0) into commit attribution (docs/tools.md).

Two ways in, one store (AttributionRecord, source "gitai", keyed by repository + commit SHA):
- the notes backend HTTP contract (analytics_api/tools/): `store_notes`;
- `manage.py import gitai --team T --repo NAME PATH`: `import_repository` reads the clone
  with `git` (notes, and each noted commit's author, date, parents and diff totals; commits
  without a note too, as unknown lines, so a repository's share has its whole denominator).

Every note is stored as sent (the notes backend must give it back), with its schema version;
a note the figures cannot read (unknown schema, malformed) is kept with status "unparsed" and
listed, never counted. A note for a commit git has not told us about waits (listed as
"waiting for its commit") until `import gitai` or a Cursor / Qoder record places it.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.db import transaction

from teams.models import Team
from tracking.attribution.parse import MAX_NOTE_BYTES, Invalid, check_sha, parse_note
from tracking.attribution.resolve import resolve
from tracking.models import AttributionRecord, CommitAttribution, GitCommit

SOURCE = "gitai"
MAX_ENTRIES = 1000  # per upload request (git-ai's client sends batches of 50)
MAX_READ = 100  # SHAs per GET (git-ai's contract)


@dataclass
class StoreResult:
    stored: list[str] = field(default_factory=list)  # new or changed
    unchanged: list[str] = field(default_factory=list)
    unparsed: dict[str, str] = field(default_factory=dict)  # stored, not counted: why
    rejected: dict[str, str] = field(default_factory=dict)  # not stored: why
    waiting: list[str] = field(default_factory=list)  # stored; their commit is not known yet

    def as_dict(self) -> dict:
        return {
            "success_count": len(self.stored) + len(self.unchanged) + len(self.unparsed),
            "failure_count": len(self.rejected),
            "stored": len(self.stored),
            "unchanged": len(self.unchanged),
            "unparsed": [{"commit_sha": k, "reason": v} for k, v in self.unparsed.items()],
            "rejected": [{"commit_sha": k, "reason": v} for k, v in self.rejected.items()],
            "waiting_for_commit": self.waiting,
        }


def _record_fields(content: str) -> dict:
    try:
        note = parse_note(content)
    except Invalid as error:
        return {
            "schema_version": _version_of(content),
            "payload": {},
            "parsed": {},
            "status": "unparsed",
            "detail": str(error),
        }
    return {
        "schema_version": note.schema_version,
        "payload": note.metadata,
        "parsed": {"files": note.files, "legacy": note.legacy},
        "status": "resolved",
        "detail": "",
    }


def _version_of(content: str) -> str:
    import json

    _, _, tail = content.partition("\n---\n")
    try:
        value = json.loads(tail).get("schema_version")
    except (ValueError, AttributeError):
        return ""
    return value[:64] if isinstance(value, str) else ""


def store_notes(*, team: Team, repo_name: str, entries: list[tuple[str, str]]) -> StoreResult:
    """Store notes (sha, content); one transaction. An entry that is not a note (no SHA, not a
    string, over MAX_NOTE_BYTES) is rejected, the others stored."""
    result = StoreResult()
    valid: dict[str, str] = {}
    for sha, content in entries:
        try:
            sha = check_sha(sha)
        except Invalid as error:
            result.rejected[str(sha)[:80]] = str(error)
            continue
        if not isinstance(content, str):
            result.rejected[sha] = "content must be a string (the note's text)"
        elif len(content.encode("utf-8", "surrogatepass")) > MAX_NOTE_BYTES:
            result.rejected[sha] = f"the note is larger than {MAX_NOTE_BYTES:,} bytes"
        elif "\x00" in content:
            result.rejected[sha] = "the note contains a NUL character"
        else:
            valid[sha] = content  # the last entry of a SHA wins
    if not valid:
        return result
    with transaction.atomic():
        existing = {
            r.record_id: r
            for r in AttributionRecord.objects.select_for_update().filter(
                team=team, source=SOURCE, repo_name=repo_name, record_id__in=list(valid)
            )
        }
        changed = []
        for sha, content in sorted(valid.items()):
            fields = _record_fields(content)
            record = existing.get(sha)
            if record is not None and record.content == content:
                result.unchanged.append(sha)
            else:
                if record is None:
                    AttributionRecord.objects.create(
                        team=team,
                        source=SOURCE,
                        repo_name=repo_name,
                        record_id=sha,
                        commit_sha=sha,
                        content=content,
                        **fields,
                    )
                else:
                    for name, value in fields.items():
                        setattr(record, name, value)
                    record.content = content
                    record.save()
                changed.append((repo_name, sha))
                result.stored.append(sha)
            if fields["status"] != "resolved":
                result.unparsed[sha] = fields["detail"]
        if changed:
            resolve(team.pk, changed)
            team.bump_data_version()
        placed = set(
            CommitAttribution.objects.filter(team=team, commit_hash__in=list(valid)).values_list(
                "commit_hash", flat=True
            )
        )
        result.waiting = sorted(
            sha for sha in valid if sha not in placed and sha not in result.unparsed
        )
    return result


def read_notes(*, team: Team, repo_name: str, shas: list[str]) -> dict[str, str]:
    return dict(
        AttributionRecord.objects.filter(
            team=team, source=SOURCE, repo_name=repo_name, record_id__in=shas
        ).values_list("record_id", "content")
    )


# --- reading a clone with git ------------------------------------------------------------


class GitError(Exception):
    pass


def git(path: Path, *args: str, input: str | None = None) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(path), *args],
            capture_output=True,
            text=True,
            check=False,
            input=input,
            timeout=600,
            encoding="utf-8",
            errors="surrogateescape",
        )
    except FileNotFoundError:
        raise GitError("git is not installed on this machine") from None
    if done.returncode != 0:
        raise GitError(f"git {' '.join(args[:2])}: {done.stderr.strip()[:300]}")
    return done.stdout


@dataclass
class ImportResult:
    notes: int = 0  # notes read
    stored: int = 0
    unchanged: int = 0
    unparsed: dict[str, str] = field(default_factory=dict)
    commits: int = 0  # commits whose git facts were stored or changed
    skipped_notes: dict[str, str] = field(default_factory=dict)  # notes on objects not commits
    traces_resolved: int = 0  # Agent Trace records whose landing commit this import found


def commit_facts(path: Path, shas: list[str]) -> dict[str, dict]:
    """Author email and name, commit time, parents and diff totals (numstat against the first
    parent; binary files count 0) of each commit, in one `git log --no-walk` call."""
    out: dict[str, dict] = {}
    for i in range(0, len(shas), 500):
        chunk = shas[i : i + 500]
        text = git(
            path,
            "log",
            "--no-walk=unsorted",
            "--format=%x00%H%x01%ae%x01%an%x01%cI%x01%P",
            "--numstat",
            "--first-parent",
            "-m",
            "--stdin",
            input="\n".join(chunk) + "\n",
        )
        for block in text.split("\x00")[1:]:
            header, _, stats = block.partition("\n")
            sha, email, name, when, parents = header.split("\x01")
            added = deleted = 0
            for line in stats.splitlines():
                parts = line.split("\t")
                if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
                    added += int(parts[0])
                    deleted += int(parts[1])
            out[sha] = {
                "author_email": email[:320],
                "author_name": name[:255],
                "committed_at": datetime.fromisoformat(when),
                "parents": parents.split(),
                "first_parent": (parents.split() or [""])[0],
                "lines_added": added,
                "lines_deleted": deleted,
            }
    return out


def import_repository(
    *, team: Team, repo_name: str, path: Path, all_commits: bool = True, ref: str = "refs/notes/ai"
) -> ImportResult:
    """Incremental: notes whose blob we already hold unchanged, and commits whose facts we
    already have, are not written again."""
    result = ImportResult()
    if not (path / ".git").exists() and not (path / "HEAD").exists():
        raise GitError(f"{path} is not a git repository")
    notes: dict[str, str] = {}  # commit -> note blob
    try:
        listing = git(path, "notes", f"--ref={ref}", "list")
    except GitError:
        listing = ""  # no notes ref: commits only
    for line in listing.splitlines():
        blob, _, commit = line.partition(" ")
        if blob and commit:
            notes[commit.strip()] = blob.strip()
    result.notes = len(notes)
    kinds = _object_kinds(path, list(notes)) if notes else {}
    for sha in list(notes):
        if kinds.get(sha) != "commit":
            result.skipped_notes[sha] = f"the note is on a {kinds.get(sha) or 'missing'} object"
            del notes[sha]
    shas = set(notes)
    if all_commits:
        # every branch, tag and remote branch: not the notes refs (their commits are notes)
        shas |= set(git(path, "rev-list", "--exclude=refs/notes/*", "--all").split())
    known = set(
        GitCommit.objects.filter(team=team, repo_name=repo_name).values_list("sha", flat=True)
    )
    facts = commit_facts(path, sorted(shas - known))
    stored = dict(
        AttributionRecord.objects.filter(
            team=team, source=SOURCE, repo_name=repo_name, record_id__in=list(notes)
        ).values_list("record_id", "content")
    )
    contents = _blobs(path, {sha: blob for sha, blob in notes.items()})
    with transaction.atomic():
        for sha, row in sorted(facts.items()):
            GitCommit.objects.update_or_create(
                team=team, repo_name=repo_name, sha=sha, defaults=row
            )
        result.commits = len(facts)
        entries = [(sha, c) for sha, c in sorted(contents.items()) if stored.get(sha) != c]
        result.unchanged = len(contents) - len(entries)
        outcome = store_notes(team=team, repo_name=repo_name, entries=entries)
        result.stored = len(outcome.stored)
        result.unparsed = {**outcome.unparsed, **outcome.rejected}
        resolve(team.pk, [(repo_name, sha) for sha in facts])
        if facts:
            from tracking.ingest.agent_trace import resolve_waiting

            result.traces_resolved = resolve_waiting(team, repo_name)
            team.bump_data_version()
    return result


def _object_kinds(path: Path, shas: list[str]) -> dict[str, str]:
    text = git(
        path, "cat-file", "--batch-check=%(objectname) %(objecttype)", input="\n".join(shas) + "\n"
    )
    out = {}
    for sha, line in zip(shas, text.splitlines(), strict=False):
        parts = line.split()
        out[sha] = parts[1] if len(parts) == 2 else "missing"
    return out


def _blobs(path: Path, blobs: dict[str, str]) -> dict[str, str]:
    """The notes' text (`git cat-file --batch`), each at most MAX_NOTE_BYTES + 1 characters
    read (a larger note is then refused by its size)."""
    out = {}
    for sha, blob in blobs.items():
        size = int(git(path, "cat-file", "-s", blob).strip() or 0)
        if size > MAX_NOTE_BYTES:
            out[sha] = "x" * (MAX_NOTE_BYTES + 1)  # refused by size, as over HTTP
            continue
        out[sha] = git(path, "cat-file", "blob", blob)
    return out
