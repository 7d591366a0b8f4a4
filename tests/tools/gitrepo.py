"""A real git repository made by a test, with git-ai notes written by the spec
(authorship/3.0.0: attestations, `---`, JSON metadata)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

SESSION_CLAUDE = "s_a76964380084ef"
SESSION_CURSOR = "s_c9883b05a2487d"
HUMAN = "h_dca485b1adf836"
LEGACY = "d4a7828bfdafe456"


class Repo:
    def __init__(self, path: Path):
        self.path = path
        self.clock = 1_772_000_000  # 2026-02-25
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "ann@acme.example")
        self.git("config", "user.name", "Ann")

    def git(self, *args: str, input: str | None = None, email: str = "ann@acme.example") -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_DATE": f"@{self.clock} +0000",
            "GIT_COMMITTER_DATE": f"@{self.clock} +0000",
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_AUTHOR_NAME": email.split("@")[0],
            "GIT_COMMITTER_NAME": email.split("@")[0],
        }
        done = subprocess.run(
            ["git", "-C", str(self.path), *args],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            input=input,
        )
        return done.stdout.strip()

    def write(self, name: str, lines: int, start: int = 1) -> None:
        path = self.path / name
        old = path.read_text().splitlines() if path.exists() else []
        path.write_text("\n".join(old + [f"line {n}" for n in range(start, start + lines)]) + "\n")

    def commit(self, message: str, *, email: str = "ann@acme.example", hours: int = 24) -> str:
        self.clock += hours * 3600
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, email=email)
        return self.git("rev-parse", "HEAD")

    def note(self, sha: str, content: str) -> None:
        self.git("notes", "--ref=ai", "add", "-f", "-F", "-", sha, input=content)


def note(
    files: dict[str, list[tuple[str, str]]],
    *,
    sessions=None,
    prompts=None,
    humans=None,
    version="authorship/3.0.0",
) -> str:
    lines = []
    for path, entries in files.items():
        lines.append(path)
        lines += [f"  {key} {ranges}" for key, ranges in entries]
    metadata = {
        "schema_version": version,
        "git_ai_version": "1.4.0",
        "base_commit_sha": "0" * 40,
        "prompts": prompts or {},
        "sessions": sessions or {},
        "humans": humans or {},
    }
    return "\n".join(lines) + "\n---\n" + json.dumps(metadata, indent=2)


SESSIONS = {
    SESSION_CLAUDE: {
        "agent_id": {"tool": "claude", "id": "c-1", "model": "claude-opus-4"},
        "human_author": "Ann <ann@acme.example>",
    },
    SESSION_CURSOR: {"agent_id": {"tool": "cursor", "id": "k-1", "model": "gpt-5"}},
}
HUMANS = {HUMAN: {"author": "Ann <ann@acme.example>"}}
PROMPTS = {
    LEGACY: {
        "agent_id": {"tool": "codex", "id": "x", "model": "gpt-5-codex"},
        "total_additions": 6,
        "total_deletions": 0,
        "accepted_lines": 6,
        "overriden_lines": 0,
    }
}


def make_history(path: Path) -> tuple[Repo, dict[str, str]]:
    """Four commits: c1 all untracked; c2 claude + cursor + a known human + 2 untracked lines;
    c3 a legacy note (codex); c4 no note."""
    repo = Repo(path)
    shas = {}
    repo.write("a.py", 10)
    shas["c1"] = repo.commit("c1")
    repo.write("a.py", 5, start=11)  # a.py 11-15
    repo.write("b.py", 20)  # b.py 1-20
    shas["c2"] = repo.commit("c2")
    repo.note(
        shas["c2"],
        note(
            {
                "a.py": [(HUMAN, "11-12"), (f"{SESSION_CLAUDE}::t_9f8e7d6c5b4a32", "13")],
                "b.py": [
                    (f"{SESSION_CLAUDE}::t_a1b2c3d4e5f678", "1-10"),
                    (f"{SESSION_CURSOR}::t_0000000000aaaa", "11-18"),
                ],
            },
            sessions=SESSIONS,
            humans=HUMANS,
        ),
    )
    repo.write("c.go", 8)
    shas["c3"] = repo.commit("c3", email="bob@acme.example")
    repo.note(shas["c3"], note({"c.go": [(LEGACY, "1-6")]}, prompts=PROMPTS))
    repo.write("a.py", 3, start=16)
    shas["c4"] = repo.commit("c4")
    return repo, shas


# What the history above is, line by line: {(tool, model, kind): lines added}
EXPECTED = {
    ("", "", "unknown"): 10 + 2 + 2 + 2 + 3,  # c1, a.py 14-15, b.py 19-20, c.go 7-8, c4
    ("", "", "human"): 2,
    ("claude", "claude-opus-4", "ai"): 11,
    ("cursor", "gpt-5", "ai"): 8,
    ("codex", "gpt-5-codex", "ai"): 6,
}
