"""Synthetic, deterministic demo data: members, commits (with files), changes and messages.

`demo_seed(team=..., size=DemoSize(...))` writes everything in one transaction. The same seed and
the same `now` give the same records (ids and the team aside): every value comes from one
`random.Random(seed)` consumed in a fixed order, and timestamps are offsets from `now` floored
to the hour, so two runs within the same hour agree.

Optimization: rows are produced by generators and streamed to the database, never held as model
instances: PostgreSQL gets `COPY ... FROM STDIN` through psycopg 3 (a million changes in seconds),
SQLite gets `executemany` in batches.
"""

from __future__ import annotations

import itertools
import json
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from common.db import copy_rows, is_postgresql
from teams.models import Member, Team
from tracking import rollups
from tracking.models import AI_PAIRS, Change, Commit, CommitFile, Message

FIRST_NAMES = (
    "Maria", "James", "Aiko", "Chen", "Priya", "Lucas", "Fatima", "Noah", "Sofia", "Mateo",
    "Yuki", "Olivia", "Arjun", "Emma", "Kwame", "Lena", "Diego", "Hana", "Omar", "Ingrid",
)  # fmt: skip
LAST_NAMES = (
    "Garcia", "Smith", "Tanaka", "Wei", "Patel", "Silva", "Khan", "Muller", "Rossi", "Lopez",
    "Sato", "Brown", "Sharma", "Dubois", "Mensah", "Novak", "Torres", "Kim", "Haddad", "Larsen",
)  # fmt: skip
REPO_NAMES = (
    "web", "api", "mobile", "infra", "docs", "data-pipeline", "billing", "auth-service",
    "design-system", "cli",
)  # fmt: skip
# Per repo: file extensions and directories its files live in (the rest fall back to DEFAULT).
REPO_FILES = {
    "web": ((".ts", ".tsx", ".tsx", ".css", ".json"), ("src/components", "src/pages", "src/lib")),
    "api": ((".py", ".py", ".py", ".sql", ".md"), ("app/views", "app/models", "app/services")),
    "mobile": ((".kt", ".swift", ".kt", ".xml"), ("android/app", "ios/App", "shared")),
    "infra": ((".go", ".go", ".yml", ".tf"), ("cmd/deploy", "pkg/cluster", "terraform")),
    "docs": ((".md", ".md", ".mdx", ".yml"), ("guides", "reference", "blog")),
}
DEFAULT_FILES = ((".py", ".ts", ".go", ".rs", ".java", ".md"), ("src", "lib", "internal"))
STEMS = (
    "report", "client", "handler", "utils", "config", "index", "service", "models", "auth",
    "export", "cache", "router", "schema", "worker", "settings", "main", "button", "table",
)  # fmt: skip
COMMIT_TYPES = ("feat", "fix", "refactor", "chore", "docs", "test", "perf")
COMMIT_SUBJECTS = (
    "handle empty results in the export", "add pagination to the member list",
    "retry failed webhook deliveries", "speed up the daily aggregation", "rename the config flags",
    "validate dates before querying", "cache the repository list", "drop the legacy endpoint",
    "log slow queries", "support dark mode in the dashboard", "fix a race in the job runner",
    "update dependencies", "tidy the error messages", "add tests for the CSV writer",
)  # fmt: skip
FEATURE_BRANCHES = (
    "feature/export",
    "feature/dashboard",
    "fix/timezone",
    "chore/deps",
    "exp/cache",
)
AGENT_MODELS = (
    "claude-sonnet-4", "gpt-4o", "auto", "gpt-5", "claude-opus-4", "gemini-2.5-pro", "auto",
)  # fmt: skip
NEXT_MODELS = (None, None, "cursor-tab", "qwen-coder")
# Which AI pairs each kind of developer produces, with weights.
PAIR_STYLES = {
    "ide": (("ide_next", 5), ("ide_agent", 4), ("ide_quest", 1), ("ide_inline_chat", 1)),
    "plugin": (("plugin_next", 5), ("plugin_agent", 3), ("jb_inline_chat", 2)),
    "cli": (("cli_agent", 5), ("ide_next", 2), ("ide_agent", 1)),
    "mixed": tuple((pair, 1) for pair in AI_PAIRS),
}
STYLE_CYCLE = ("ide", "ide", "plugin", "mixed", "ide", "cli", "plugin", "mixed")
PAIR_SOURCE = {"next": "NEXT", "agent": "AGENT", "quest": "QUEST", "chat": "INLINECHAT"}
# Weekday and working-hour shape of activity (UTC hours; a team in one time zone).
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 0.85, 0.12, 0.08)
HOUR_WEIGHT = (
    0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.2, 0.6, 1.0, 1.0, 0.9,
    0.5, 0.8, 1.0, 1.0, 0.9, 0.7, 0.4, 0.25, 0.2, 0.15, 0.08, 0.04,
)  # fmt: skip

SIDES = ("added", "deleted")
COMMIT_COLUMNS = (
    "id", "team_id", "member_id", "commit_hash", "repo_name", "branch_name", "is_primary_branch",
    "total_lines_added", "total_lines_deleted",
    *(f"{pair}_lines_{side}" for pair in AI_PAIRS for side in SIDES),
    "message", "commit_ts", "created_at", "range_annotations",
)  # fmt: skip
FILE_COLUMNS = (
    "commit_id", "file_path", "file_extension", "lines_added", "lines_deleted",
    "ai_lines_added", "ai_lines_deleted",
)  # fmt: skip
CHANGE_COLUMNS = (
    "team_id", "member_id", "change_id", "source", "model", "accepted",
    "total_lines_added", "total_lines_deleted", "metadata", "created_at",
)  # fmt: skip
COMMIT_CHUNK = 20_000
MESSAGE_COLUMNS = (
    "team_id", "member_id", "message_id", "source", "model", "conversation_id", "created_at",
)  # fmt: skip


@dataclass(frozen=True)
class DemoSize:
    members: int = 8
    repos: int = 5
    days: int = 90
    commits: int = 4_000
    changes: int = 30_000
    messages: int = 6_000
    seed: int = 42


@dataclass
class SeedResult:
    members: int = 0
    commits: int = 0
    files: int = 0
    changes: int = 0
    messages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Dev:
    """A seeded member and the habits the generator gives them."""

    member_id: int
    style: str
    privacy: bool
    repos: tuple[str, ...]


class Clock:
    """Draws timestamps over the last `days` days with a weekday and working-hour shape."""

    def __init__(self, *, now: datetime, days: int) -> None:
        self.anchor = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        today = self.anchor.replace(hour=0)
        self.day_starts = [today - timedelta(days=d) for d in range(days)]
        self.day_cum = list(
            itertools.accumulate(WEEKDAY_WEIGHT[d.weekday()] for d in self.day_starts)
        )
        self.hour_cum = list(itertools.accumulate(HOUR_WEIGHT))
        self.day_epochs = [d.timestamp() for d in self.day_starts]
        self.anchor_epoch = self.anchor.timestamp()
        self.shift = timedelta(days=7 if days > 7 else 1)

    def draw(self, rng: random.Random, n: int) -> Iterator[datetime]:
        """n timestamps in ascending order, as a client would have sent them over time.

        Optimization: rows written in time order append to the (team, created_at) indexes
        instead of splitting pages all over them; and ids then follow createdAt as in real
        ingestion. The floats are a list (8 bytes each); the
        datetimes are streamed.
        """
        days = rng.choices(self.day_epochs, cum_weights=self.day_cum, k=n)
        hours = rng.choices(range(0, 24 * 3600, 3600), cum_weights=self.hour_cum, k=n)
        random, anchor, week = rng.random, self.anchor_epoch, self.shift.total_seconds()
        epochs = [day + hour + random() * 3600 for day, hour in zip(days, hours, strict=True)]
        del days, hours
        epochs = sorted(at if at < anchor else at - week for at in epochs)
        for at in epochs:
            yield datetime.fromtimestamp(at, UTC)

    def past(self, at: datetime) -> datetime:
        """Today's hours that have not come yet move a week back (same weekday and hour)."""
        return at if at < self.anchor else at - self.shift


def members_seed(*, team: Team, rng: random.Random, size: DemoSize, domain: str) -> list[Dev]:
    """Create (or reuse, when appending) the members; return their generator profiles."""
    repos = repo_names(size.repos)
    people = member_names(size.members, domain)
    ids = member_ids(team, people)
    devs = []
    for i, (email, _name) in enumerate(people):
        home = tuple(rng.sample(repos, k=min(len(repos), rng.randint(1, 3))))
        style = STYLE_CYCLE[i % len(STYLE_CYCLE)]
        devs.append(Dev(ids[email], style, privacy=i % 4 == 3, repos=home))
    return devs


def member_names(n: int, domain: str) -> list[tuple[str, str]]:
    """(email, display name) of n people: the same people for every seed, so --append with
    another seed reuses the members."""
    names = [(f, last) for f in FIRST_NAMES for last in LAST_NAMES]
    random.Random(0).shuffle(names)
    people = []
    for i in range(n):
        first, last = names[i % len(names)]
        suffix = "" if i < len(names) else str(i // len(names))
        people.append((f"{first}.{last}{suffix}@{domain}".lower(), f"{first} {last}"))
    return people


def member_ids(team: Team, people: list[tuple[str, str]]) -> dict[str, int]:
    """Member id by email, creating the missing members in one bulk insert."""
    ids = dict(Member.objects.filter(team=team).values_list("email", "id"))
    missing = [
        Member(team=team, email=email, display_name=name)
        for email, name in people
        if email not in ids
    ]
    # Emails are generated lower case already: bulk_create skips Member.save's normalisation.
    ids.update((m.email, m.pk) for m in Member.objects.bulk_create(missing, batch_size=1_000))
    return ids


def repo_names(n: int) -> list[str]:
    return [
        f"acme/{REPO_NAMES[i]}" if i < len(REPO_NAMES) else f"acme/service-{i}"
        for i in range(max(n, 1))
    ]


def repo_files(repo: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return REPO_FILES.get((repo or "").removeprefix("acme/"), DEFAULT_FILES)


def split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` cut into `parts` non-negative integers (random cut points)."""
    if parts <= 1:
        return [total]
    cuts = sorted(int(rng.random() * (total + 1)) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def ai_lines(rng: random.Random, added: int, deleted: int) -> tuple[int, int]:
    """AI (added, deleted) of a commit: none for ~20%, more than the totals for ~3% (clients
    do report that; nonAi then clamps at 0)."""
    r = rng.random()
    if r < 0.2:
        return 0, 0
    if r > 0.97:
        return added + 1 + int(rng.random() * 20), deleted + int(rng.random() * 5)
    share = rng.random() ** 0.7
    return int(added * share), int(deleted * share * rng.random())


def pairs_split(rng: random.Random, style: str, added: int, deleted: int) -> dict[str, int]:
    pairs, weights = zip(*PAIR_STYLES[style], strict=True)
    chosen = rng.choices(pairs, weights=weights, k=3)
    lines = dict.fromkeys(AI_PAIRS, 0), dict.fromkeys(AI_PAIRS, 0)
    for side, amount in zip(lines, (added, deleted), strict=True):
        for pair, part in zip(chosen, split(rng, amount, 3), strict=True):
            side[pair] += part
    # Interleaved like COMMIT_COLUMNS: added then deleted of each pair.
    return {f"{p}_lines_{side}": lines[i][p] for p in AI_PAIRS for i, side in enumerate(SIDES)}


def branch(rng: random.Random) -> tuple[str | None, bool | None]:
    r = rng.random()
    if r < 0.62:
        return "main", True
    if r < 0.93:
        return rng.choice(FEATURE_BRANCHES), False
    return None, None  # a client that could not tell


def file_path(rng: random.Random, repo: str | None) -> tuple[str, str]:
    exts, dirs = repo_files(repo)
    ext = rng.choice(exts)
    return f"{rng.choice(dirs)}/{rng.choice(STEMS)}{ext}", ext


def commit_files(
    rng: random.Random, repo: str | None, totals: tuple[int, int], ai: tuple[int, int]
) -> list[tuple]:
    """Per-file rows whose lines sum to the commit's totals; AI lines never exceed lines."""
    n = 1 + int(rng.random() * 4)
    paths = [file_path(rng, repo) for _ in range(n)]
    added, deleted = split(rng, totals[0], n), split(rng, totals[1], n)
    rows = []
    for (path, ext), a, d in zip(paths, added, deleted, strict=True):
        ai_a = min(a, round(ai[0] * a / totals[0])) if totals[0] else 0
        ai_d = min(d, round(ai[1] * d / totals[1])) if totals[1] else 0
        rows.append((path, ext, a, d, ai_a, ai_d))
    return rows


def range_annotations(rng: random.Random, files: list[tuple], pairs: dict[str, int]) -> list:
    used = [p for p in AI_PAIRS if pairs[f"{p}_lines_added"]]
    annotations = []
    for path, *_ in files[:2]:
        pair = rng.choice(used)
        product, _, scenario = pair.partition("_")
        start = 1 + int(rng.random() * 200)
        ranges = [{"start": start, "end": start + int(rng.random() * 12)}]
        group = {
            "conversationId": f"conv_{rng.getrandbits(48):012x}",
            "source": PAIR_SOURCE[scenario.split("_")[-1]],
            "productType": product,
            "type": "added" if rng.random() < 0.85 else "deleted",
            "ranges": ranges,
        }
        annotations.append({"filePath": path, "groups": [group]})
    return annotations


def commit_rows(
    *, rng: random.Random, team: Team, devs: list[Dev], ids: list[int], clock: Clock
) -> Iterator[tuple[tuple, list[tuple]]]:
    """(commit row in COMMIT_COLUMNS order, its CommitFile rows in FILE_COLUMNS order)."""
    for commit_id, created_at in zip(ids, clock.draw(rng, len(ids)), strict=True):
        dev = rng.choice(devs)
        repo = None if rng.random() < 0.02 else rng.choice(dev.repos)
        name, primary = branch(rng)
        added = 1 + int(rng.lognormvariate(3.3, 1.0))
        deleted = int(added * rng.random() * 0.6)
        ai = ai_lines(rng, added, deleted)
        pairs = pairs_split(rng, dev.style, *ai)
        files = commit_files(rng, repo, (added, deleted), ai) if rng.random() < 0.9 else []
        annotations = None
        if ai[0] and files and rng.random() < 0.3:
            annotations = range_annotations(rng, files, pairs)
        message = None if rng.random() < 0.02 else commit_message(rng)
        commit_ts = created_at - timedelta(seconds=20 + rng.random() * 5400)
        row = (
            commit_id, team.pk, dev.member_id, f"{rng.getrandbits(160):040x}", repo, name,
            primary, added, deleted, *pairs.values(), message, commit_ts, created_at,
            None if annotations is None else json_dumps(annotations),
        )  # fmt: skip
        yield row, [(commit_id, *f) for f in files]


def commit_message(rng: random.Random) -> str:
    return f"{rng.choice(COMMIT_TYPES)}: {rng.choice(COMMIT_SUBJECTS)}"


def json_dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"))


SOURCE_WEIGHTS = (("NEXT", 55), ("AGENT", 28), ("QUEST", 7), ("INLINECHAT", 10))


def change_rows(
    *, rng: random.Random, team: Team, devs: list[Dev], n: int, clock: Clock
) -> Iterator[tuple]:
    """Change rows in CHANGE_COLUMNS order: all sources, some rejected NEXT, privacy mode."""
    sources = rng.choices(
        [s for s, _ in SOURCE_WEIGHTS], weights=[w for _, w in SOURCE_WEIGHTS], k=n
    )
    base = rng.randrange(100_000_000, 800_000_000)
    random = rng.random
    pools = [[metadata_openings(repo, dev.privacy) for repo in dev.repos] for dev in devs]
    for i, (source, created_at) in enumerate(zip(sources, clock.draw(rng, n), strict=True)):
        k = int(random() * len(devs))
        dev, repos = devs[k], pools[k]
        nxt = source == "NEXT"
        models = NEXT_MODELS if nxt else AGENT_MODELS
        model = models[int(random() * len(models))]
        accepted = not nxt or random() < 0.7
        metadata, added, deleted = change_metadata(rng, repos[int(random() * len(repos))], nxt)
        yield (
            team.pk, dev.member_id, str(base + i), source, model, accepted, added, deleted,
            metadata, created_at,
        )  # fmt: skip


def metadata_openings(repo: str, privacy: bool) -> list[str]:
    """The opening of every metadata entry a change in `repo` can have, JSON pre-rendered.

    Optimization: a million changes need a few million entries; picking a pre-rendered
    `{"fileName":...,"fileExtension":...,` from a list is several times faster than drawing and
    formatting each part. Names and extensions are safe ASCII, so no escaping is needed.
    """
    exts, dirs = repo_files(repo)
    return [
        ("{" if privacy else f'{{"fileName":"{folder}/{stem}{ext}",') + f'"fileExtension":"{ext}",'
        for ext in exts
        for folder in dirs
        for stem in STEMS
    ]


def change_metadata(rng: random.Random, pool: list[str], nxt: bool) -> tuple[str, int, int]:
    """The metadata JSON of one change (its files in one repo) and its line totals."""
    random = rng.random
    n = 1 if nxt else 1 + int(random() * random() * 4)
    entries, total_a, total_d = [], 0, 0
    for _ in range(n):
        if nxt:
            a, d = 1 + int(random() * 8), int(random() * 2.5)
        else:
            a, d = 1 + int(rng.lognormvariate(2.5, 1.0)), int(random() * 10)
        total_a, total_d = total_a + a, total_d + d
        opening = pool[int(random() * len(pool))]
        entries.append(f'{opening}"linesAdded":{a},"linesDeleted":{d}}}')
    return "[" + ",".join(entries) + "]", total_a, total_d


MESSAGE_SOURCES = (("AGENT", 60), ("QUEST", 15), ("INLINECHAT", 25))


def message_rows(
    *, rng: random.Random, team: Team, devs: list[Dev], n: int, clock: Clock
) -> Iterator[tuple]:
    """Messages in conversations of 1 to 6, a few minutes apart, one member and source each.

    The conversation sizes are drawn first so that exactly one start time is drawn per
    conversation, spread over the whole window like every other record.
    """
    sizes, left = [], n
    while left > 0:
        sizes.append(min(1 + int(rng.random() * 6), left))
        left -= sizes[-1]
    for size, at in zip(sizes, clock.draw(rng, len(sizes)), strict=True):
        dev = devs[int(rng.random() * len(devs))]
        source = rng.choices([s for s, _ in MESSAGE_SOURCES], [w for _, w in MESSAGE_SOURCES])[0]
        model = rng.choice(AGENT_MODELS)
        conversation = f"conv_{rng.getrandbits(48):012x}"
        for _ in range(size):
            yield (
                team.pk, dev.member_id, f"msg_{rng.getrandbits(64):016x}", source, model,
                conversation, clock.past(at),
            )  # fmt: skip
            at += timedelta(seconds=30 + rng.random() * 300)


# --- writing -----------------------------------------------------------------------------------


def commit_ids(n: int) -> list[int]:
    """Ids reserved up front so CommitFile rows can point at commits written in bulk."""
    if n == 0:
        return []
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Commit._meta.db_table, n],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the write transaction is IMMEDIATE, so nobody else inserts meanwhile.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Commit._meta.db_table}")
        first = cursor.fetchone()[0] + 1
        return list(range(first, first + n))


def timed(result: SeedResult, label: str, fn: Callable[..., int], *args) -> int:
    """fn(*args), its duration added to result.seconds[label]."""
    started = time.perf_counter()
    count = fn(*args)
    result.seconds[label] = result.seconds.get(label, 0.0) + time.perf_counter() - started
    return count


def demo_seed(
    *, team: Team, size: DemoSize, now: datetime | None = None, domain: str = "acme.example"
) -> SeedResult:
    """Write the demo data set for `team` in one transaction, rebuild its summary tables and
    bump its data version."""
    rng = random.Random(size.seed)
    clock = Clock(now=now or timezone.now(), days=max(size.days, 1))
    result = SeedResult()
    with transaction.atomic(), immediate_foreign_keys():
        devs = members_seed(team=team, rng=rng, size=size, domain=domain)
        result.members = len(devs)
        commits_seed(rng=rng, team=team, devs=devs, clock=clock, size=size, result=result)
        changes = change_rows(rng=rng, team=team, devs=devs, n=size.changes, clock=clock)
        result.changes = timed(
            result, "changes", copy_rows, Change._meta.db_table, CHANGE_COLUMNS, changes
        )
        messages = message_rows(rng=rng, team=team, devs=devs, n=size.messages, clock=clock)
        result.messages = timed(
            result,
            "messages",
            copy_rows,
            Message._meta.db_table,
            MESSAGE_COLUMNS,
            messages,
        )
        # COPY bypasses the ingestion writers, which keep the summary tables current: the
        # team's are recomputed from its rows instead (the same transaction).
        timed(result, "rollups", rollups.rebuild, team.pk)
        team.bump_data_version()
    return result


def commits_seed(
    *, rng: random.Random, team: Team, devs: list[Dev], clock: Clock, size: DemoSize,
    result: SeedResult,
) -> None:  # fmt: skip
    """Commits and their files, a chunk of commits at a time (one COPY can run at a time per
    connection, and holding the files of a million commits would take gigabytes)."""
    ids = commit_ids(size.commits)
    pairs = commit_rows(rng=rng, team=team, devs=devs, ids=ids, clock=clock)
    result.seconds.update(commits=0.0, files=0.0)
    while chunk := list(itertools.islice(pairs, COMMIT_CHUNK)):
        rows = (commit for commit, _files in chunk)
        files = (file for _commit, commit_files in chunk for file in commit_files)
        result.commits += timed(
            result, "commits", copy_rows, Commit._meta.db_table, COMMIT_COLUMNS, rows
        )
        result.files += timed(
            result, "files", copy_rows, CommitFile._meta.db_table, FILE_COLUMNS, files
        )


@contextmanager
def immediate_foreign_keys() -> Iterator[None]:
    """Check foreign keys as rows arrive instead of at COMMIT (PostgreSQL).

    Optimization: Django declares foreign keys DEFERRABLE INITIALLY DEFERRED, so a million
    copied rows queue two million checks that all run at COMMIT, after the COPY (about 10 s
    of waiting). Checked immediately, they run in the server while Python is still generating
    rows. Restored afterwards, since tests run inside an outer transaction.
    """
    if not is_postgresql():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def team_has_records(team: Team) -> bool:
    return any(model.objects.filter(team=team).exists() for model in (Commit, Change, Message))


def analyze_tables() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL); the admin's row estimate too."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        for model in (Commit, CommitFile, Change, Message):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
