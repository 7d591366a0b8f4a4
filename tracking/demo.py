"""Synthetic, deterministic demo data, generated as ingest records and written through the
ingest service.

`DemoRecords(size=..., now=...)` produces commits, changes and messages as the dicts a client
POSTs to `/ingest/v1/*` (camelCase, members by `userEmail`; the first record of each member
also carries `userName`, which the service takes as the new member's display name).
`demo_seed(team=..., size=...)` writes them with `tracking.ingest.services.stream_ingest`, the
service behind `manage.py ingest`: the records are validated, and the summary tables and the
team's data version move as for any other ingest (COPY on PostgreSQL for new changes and
messages). The benchmark's ingest files are the same records (`bench/records.py`).

Determinism: the same seed and the same `now` give the same records: every value comes from
one `random.Random(seed)` consumed in a fixed order (commits, then changes, then messages), and
timestamps are offsets from `now` floored to the hour, so two runs within the same hour agree.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from common.db import is_postgresql
from teams.models import Team
from tracking.formats import camel
from tracking.ingest.activity import CURSOR_DAILY_USAGE, CURSOR_USAGE_EVENTS
from tracking.ingest.services import stream_ingest
from tracking.models import AI_PAIRS, ActivityDay, Change, Commit, CommitFile, Message, UsageEvent

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
# Weekday and working-hour shape of activity (UTC hours; a team in one time zone).
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 0.85, 0.12, 0.08)
HOUR_WEIGHT = (
    0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.2, 0.6, 1.0, 1.0, 0.9,
    0.5, 0.8, 1.0, 1.0, 0.9, 0.7, 0.4, 0.25, 0.2, 0.15, 0.08, 0.04,
)  # fmt: skip

PAIR_SOURCE = {"next": "NEXT", "agent": "AGENT", "quest": "QUEST", "chat": "INLINECHAT"}
SOURCE_WEIGHTS = (("NEXT", 55), ("AGENT", 28), ("QUEST", 7), ("INLINECHAT", 10))
MESSAGE_SOURCES = (("AGENT", 60), ("QUEST", 15), ("INLINECHAT", 25))
# The record field of each AI pair and side: "ide_next" -> ("ideNextLinesAdded", ...Deleted).
PAIR_KEYS = {pair: (camel(f"{pair}_lines_added"), camel(f"{pair}_lines_deleted"))
             for pair in AI_PAIRS}  # fmt: skip
GENERATION_ORDER = ("commits", "changes", "messages")  # the order of the random draws


@dataclass(frozen=True)
class DemoSize:
    members: int = 8
    repos: int = 5
    days: int = 90
    commits: int = 4_000
    changes: int = 30_000
    messages: int = 6_000
    seed: int = 42
    # Editor activity (Cursor's Admin API): a daily usage row per member and active day, and
    # this many usage events over the last 30 days at most.
    usage_events: int = 3_000


@dataclass
class SeedResult:
    members: int = 0  # members named by this seed's records (new ones are created)
    commits: int = 0
    files: int = 0
    changes: int = 0
    messages: int = 0
    daily_usage: int = 0
    usage_events: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


class SeedOverlap(ValueError):
    """Records of this seed are stored already (an --append with a seed used before)."""


@dataclass(frozen=True)
class Dev:
    """A demo member and the habits the generator gives them."""

    email: str
    name: str
    style: str
    privacy: bool
    repos: tuple[str, ...]


class Clock:
    """Draws timestamps over the last `days` days with a weekday and working-hour shape."""

    def __init__(self, *, now: datetime, days: int) -> None:
        self.anchor = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        today = self.anchor.replace(hour=0)
        day_starts = [today - timedelta(days=d) for d in range(days)]
        self.day_cum = list(itertools.accumulate(WEEKDAY_WEIGHT[d.weekday()] for d in day_starts))
        self.hour_cum = list(itertools.accumulate(HOUR_WEIGHT))
        self.day_epochs = [d.timestamp() for d in day_starts]
        self.anchor_epoch = self.anchor.timestamp()
        self.shift = (7 if days > 7 else 1) * 86400.0

    def draw(self, rng: random.Random, n: int) -> list[float]:
        """n Unix times in ascending order, as a client would have sent them over time.

        Optimization: records written in time order append to the (team, created_at) indexes
        instead of splitting pages all over them, and ids then follow createdAt as in real
        ingestion. Floats, 8 bytes each: a million of them is 8 MB.
        """
        days = rng.choices(self.day_epochs, cum_weights=self.day_cum, k=n)
        hours = rng.choices(range(0, 24 * 3600, 3600), cum_weights=self.hour_cum, k=n)
        random_ = rng.random
        epochs = [day + hour + random_() * 3600 for day, hour in zip(days, hours, strict=True)]
        del days, hours
        return sorted(self.past(at) for at in epochs)

    def past(self, at: float) -> float:
        """Today's hours that have not come yet move a week back (same weekday and hour)."""
        return at if at < self.anchor_epoch else at - self.shift


def iso(epoch: float) -> str:
    """A record's timestamp: ISO 8601 with microseconds and the UTC offset."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="microseconds")


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
    """AI (added, deleted) of a commit: none for ~20%, all of it for ~3%, never more than the
    totals (vendors do send more; the service stores that as sent and shows it as a data-quality
    note, but the demo shows a team whose tools report sensibly)."""
    r = rng.random()
    if r < 0.2:
        return 0, 0
    if r > 0.97:
        return added, deleted
    share = rng.random() ** 0.7
    return int(added * share), int(deleted * share * rng.random())


def pairs_split(rng: random.Random, style: str, added: int, deleted: int) -> dict[str, int]:
    """The AI lines spread over up to three of the style's pairs: {pair field: lines}, only
    the non-zero fields (an absent count is 0)."""
    pairs, weights = zip(*PAIR_STYLES[style], strict=True)
    chosen = rng.choices(pairs, weights=weights, k=3)
    lines: dict[str, int] = {}
    for side, amount in enumerate((added, deleted)):
        for pair, part in zip(chosen, split(rng, amount, 3), strict=True):
            if part:
                key = PAIR_KEYS[pair][side]
                lines[key] = lines.get(key, 0) + part
    return lines


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
) -> list[dict]:
    """A commit's `files`: lines summing to the commit's totals, AI lines never above lines."""
    n = 1 + int(rng.random() * 4)
    paths = [file_path(rng, repo) for _ in range(n)]
    added, deleted = split(rng, totals[0], n), split(rng, totals[1], n)
    files = []
    for (path, ext), a, d in zip(paths, added, deleted, strict=True):
        files.append({
            "filePath": path, "fileExtension": ext, "linesAdded": a, "linesDeleted": d,
            "aiLinesAdded": min(a, round(ai[0] * a / totals[0])) if totals[0] else 0,
            "aiLinesDeleted": min(d, round(ai[1] * d / totals[1])) if totals[1] else 0,
        })  # fmt: skip
    return files


def range_annotations(rng: random.Random, files: list[dict], pairs: dict[str, int]) -> list:
    used = [p for p in AI_PAIRS if pairs.get(PAIR_KEYS[p][0])]
    annotations = []
    for file in files[:2]:
        pair = rng.choice(used)
        product, _, scenario = pair.partition("_")
        start = 1 + int(rng.random() * 200)
        group = {
            "conversationId": f"conv_{rng.getrandbits(48):012x}",
            "source": PAIR_SOURCE[scenario.split("_")[-1]],
            "productType": product,
            "type": "added" if rng.random() < 0.85 else "deleted",
            "ranges": [{"start": start, "end": start + int(rng.random() * 12)}],
        }
        annotations.append({"filePath": file["filePath"], "groups": [group]})
    return annotations


def commit_message(rng: random.Random) -> str:
    return f"{rng.choice(COMMIT_TYPES)}: {rng.choice(COMMIT_SUBJECTS)}"


def metadata_pool(repo: str, privacy: bool) -> list[tuple[str | None, str]]:
    """(fileName or None in privacy mode, extension) of every file a change in `repo` names."""
    exts, dirs = repo_files(repo)
    return [
        (None if privacy else f"{folder}/{stem}{ext}", ext)
        for ext in exts
        for folder in dirs
        for stem in STEMS
    ]


class DemoRecords:
    """The demo's ingest records, kind by kind, from one random stream.

    `commits()`, `changes()` and `messages()` must be consumed in that order, each to its end
    before the next starts (the generator's draws follow that order). Each yields
    (line number, record), the rows `stream_ingest` takes.
    """

    def __init__(self, *, size: DemoSize, now: datetime, domain: str = "acme.example"):
        self.size = size
        self.rng = random.Random(size.seed)
        self.clock = Clock(now=now, days=max(size.days, 1))
        self.devs = self._devs(domain)
        self.named: set[str] = set()  # members whose first record (with userName) is out
        self.files = 0

    def _devs(self, domain: str) -> list[Dev]:
        repos = repo_names(self.size.repos)
        devs = []
        for i, (email, name) in enumerate(member_names(self.size.members, domain)):
            home = tuple(self.rng.sample(repos, k=min(len(repos), self.rng.randint(1, 3))))
            style = STYLE_CYCLE[i % len(STYLE_CYCLE)]
            devs.append(Dev(email, name, style, privacy=i % 4 == 3, repos=home))
        return devs

    def records(self, kind: str) -> Iterator[tuple[int, dict]]:
        n = getattr(self.size, kind)
        return enumerate(getattr(self, kind)(n), 1)

    def _user(self, dev: Dev) -> dict[str, str]:
        """userEmail, and userName on the member's first record only.

        Optimization: a change with userName leaves the service's fast validation path (it
        takes the common fields only); one named record per member costs nothing."""
        if dev.email in self.named:
            return {"userEmail": dev.email}
        self.named.add(dev.email)
        return {"userEmail": dev.email, "userName": dev.name}

    def commits(self, n: int) -> Iterator[dict]:
        """All eight AI pairs, null repos and branches, files on ~90%, annotations."""
        rng = self.rng
        for created_at in self.clock.draw(rng, n):
            dev = rng.choice(self.devs)
            repo = None if rng.random() < 0.02 else rng.choice(dev.repos)
            name, primary = branch(rng)
            added = 1 + int(rng.lognormvariate(3.3, 1.0))
            deleted = int(added * rng.random() * 0.6)
            ai = ai_lines(rng, added, deleted)
            pairs = pairs_split(rng, dev.style, *ai)
            files = commit_files(rng, repo, (added, deleted), ai) if rng.random() < 0.9 else None
            record = {
                "commitHash": f"{rng.getrandbits(160):040x}", **self._user(dev),
                "repoName": repo, "branchName": name, "isPrimaryBranch": primary,
                "totalLinesAdded": added, "totalLinesDeleted": deleted, **pairs,
            }  # fmt: skip
            if ai[0] and files and rng.random() < 0.3:
                record["rangeAnnotations"] = range_annotations(rng, files, pairs)
            if files is not None:
                record["files"] = files
                self.files += len(files)
            record["message"] = None if rng.random() < 0.02 else commit_message(rng)
            record["commitTs"] = iso(created_at - 20 - rng.random() * 5400)
            record["createdAt"] = iso(created_at)
            yield record

    def changes(self, n: int) -> Iterator[dict]:
        """All sources, some rejected NEXT, privacy mode (metadata without fileName)."""
        rng = self.rng
        sources = rng.choices(
            [s for s, _ in SOURCE_WEIGHTS], weights=[w for _, w in SOURCE_WEIGHTS], k=n
        )
        base = rng.randrange(100_000_000, 800_000_000)
        random_, devs = rng.random, self.devs
        pools = [[metadata_pool(repo, dev.privacy) for repo in dev.repos] for dev in devs]
        times = self.clock.draw(rng, n)
        for i, (source, created_at) in enumerate(zip(sources, times, strict=True)):
            k = int(random_() * len(devs))
            nxt = source == "NEXT"
            models = NEXT_MODELS if nxt else AGENT_MODELS
            model = models[int(random_() * len(models))]
            accepted = not nxt or random_() < 0.7
            pool = pools[k][int(random_() * len(pools[k]))]
            metadata, added, deleted = change_metadata(rng, pool, nxt)
            yield {
                "changeId": str(base + i), **self._user(devs[k]), "source": source,
                "model": model, "accepted": accepted, "totalLinesAdded": added,
                "totalLinesDeleted": deleted, "metadata": metadata, "createdAt": iso(created_at),
            }  # fmt: skip

    def messages(self, n: int) -> Iterator[dict]:
        """Messages in conversations of 1 to 6, a few minutes apart, one member and source each.

        The conversation sizes are drawn first so that exactly one start time is drawn per
        conversation, spread over the whole window like every other record.
        """
        rng, sizes, left = self.rng, [], n
        while left > 0:
            sizes.append(min(1 + int(rng.random() * 6), left))
            left -= sizes[-1]
        for size, at in zip(sizes, self.clock.draw(rng, len(sizes)), strict=True):
            dev = self.devs[int(rng.random() * len(self.devs))]
            source = rng.choices([s for s, _ in MESSAGE_SOURCES], [w for _, w in MESSAGE_SOURCES])
            model, conversation = rng.choice(AGENT_MODELS), f"conv_{rng.getrandbits(48):012x}"
            for _ in range(size):
                yield {
                    "messageId": f"msg_{rng.getrandbits(64):016x}", **self._user(dev),
                    "source": source[0], "model": model, "conversationId": conversation,
                    "createdAt": iso(self.clock.past(at)),
                }  # fmt: skip
                at += 30 + rng.random() * 300


def change_metadata(
    rng: random.Random, pool: list[tuple[str | None, str]], nxt: bool
) -> tuple[list[dict], int, int]:
    """The metadata of one change (its files in one repo) and its line totals."""
    random_ = rng.random
    n = 1 if nxt else 1 + int(random_() * random_() * 4)
    entries, total_a, total_d = [], 0, 0
    for _ in range(n):
        if nxt:
            a, d = 1 + int(random_() * 8), int(random_() * 2.5)
        else:
            a, d = 1 + int(rng.lognormvariate(2.5, 1.0)), int(random_() * 10)
        total_a, total_d = total_a + a, total_d + d
        name, ext = pool[int(random_() * len(pool))]
        entry = {"fileExtension": ext, "linesAdded": a, "linesDeleted": d}
        entries.append(entry if name is None else {"fileName": name, **entry})
    return entries, total_a, total_d


# --- writing -----------------------------------------------------------------------------------


def demo_seed(
    *, team: Team, size: DemoSize, now: datetime | None = None, domain: str = "acme.example"
) -> SeedResult:
    """Ingest the demo data set into `team` in one transaction, through the ingest service
    (which keeps the summary tables current and bumps the team's data version).

    Raises SeedOverlap, storing nothing, when records of this seed are stored already: the
    service would update them in place, and the data set would not grow as asked."""
    records = DemoRecords(size=size, now=now or timezone.now(), domain=domain)
    result = SeedResult()
    with transaction.atomic():
        for kind in GENERATION_ORDER:
            started = time.perf_counter()
            written = stream_ingest(team=team, kind=kind, rows=records.records(kind))
            result.seconds[kind] = time.perf_counter() - started
            if written.created != written.received:
                stored = written.received - written.created
                raise SeedOverlap(
                    f"{stored} {kind} of seed {size.seed} are stored in team {team.slug!r} already"
                )
            setattr(result, kind, written.created)
        activity_seed(team=team, size=size, now=records.clock.anchor, domain=domain, result=result)
    result.members, result.files = len(records.named), records.files
    return result


# --- editor activity (Cursor's Admin API daily usage and usage events) ---------------------------

ACTIVITY_MODELS = ("claude-4-sonnet", "gpt-5", "claude-4-opus", "gemini-2.5-pro", "auto")
CLIENT_VERSIONS = ("1.6.45", "1.7.12", "1.7.19")
EVENT_KINDS = (("Included in Business", 85), ("Usage-based", 15))


class DemoActivity:
    """Cursor Admin API records for the demo members, from a random stream of their own (the
    commits, changes and messages of a seed stay as they were): a daily usage row for each
    member and day they used Cursor, and usage events over the last 30 days at most."""

    def __init__(self, *, size: DemoSize, now: datetime, domain: str = "acme.example"):
        self.size = size
        self.rng = random.Random(f"activity-{size.seed}")
        self.today = now.astimezone(UTC).date()
        self.devs = member_names(size.members, domain)
        # Some members never use Cursor: the adoption view's "uses no tool".
        self.users = [dev for i, dev in enumerate(self.devs) if i % 7 != 6]
        self.clock = Clock(now=now, days=min(max(size.days, 1), 30))

    def daily_usage(self) -> Iterator[tuple[int, dict]]:
        rng, rows = self.rng, []
        for back in range(max(self.size.days, 1), 0, -1):
            day = self.today - timedelta(days=back)
            weekend = day.weekday() >= 5
            for email, _name in self.users:
                if rng.random() < (0.12 if weekend else 0.85):
                    rows.append(self._day_row(rng, day, email))
        return enumerate(rows, 1)

    def _day_row(self, rng: random.Random, day, email: str) -> dict:
        shown, applies = rng.randint(10, 220), rng.randint(0, 30)
        tabs, accepts = int(shown * rng.uniform(0.25, 0.45)), int(applies * rng.uniform(0.5, 0.9))
        accepted_added = tabs * rng.randint(1, 3) + accepts * rng.randint(4, 20)
        typed = rng.randint(20, 400)
        composer, chat, agent = rng.randint(0, 8), rng.randint(0, 20), rng.randint(0, 25)
        # Part of the requests billed by usage, never more than there were.
        paid = min(rng.randint(0, 3), composer + chat + agent) if rng.random() < 0.2 else 0
        return {
            "date": int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000),
            "email": email, "isActive": True,
            "totalLinesAdded": accepted_added + typed,
            "totalLinesDeleted": int((accepted_added + typed) * rng.uniform(0.1, 0.5)),
            "acceptedLinesAdded": accepted_added,
            "acceptedLinesDeleted": int(accepted_added * rng.uniform(0.05, 0.3)),
            "totalApplies": applies, "totalAccepts": accepts, "totalRejects": applies - accepts,
            "totalTabsShown": shown, "totalTabsAccepted": tabs,
            "composerRequests": composer, "chatRequests": chat, "agentRequests": agent,
            "cmdkUsages": rng.randint(0, 10),
            "subscriptionIncludedReqs": composer + chat + agent - paid,
            "apiKeyReqs": 0, "usageBasedReqs": paid,
            "bugbotUsages": 1 if rng.random() < 0.1 else 0,
            "mostUsedModel": rng.choice(ACTIVITY_MODELS),
            "applyMostUsedExtension": rng.choice((".ts", ".py", ".tsx", ".go")),
            "tabMostUsedExtension": rng.choice((".ts", ".py", ".tsx", ".go")),
            "clientVersion": rng.choice(CLIENT_VERSIONS),
        }  # fmt: skip

    def usage_events(self) -> Iterator[tuple[int, dict]]:
        rng, kinds = self.rng, [k for k, _ in EVENT_KINDS]
        weights = [w for _, w in EVENT_KINDS]
        times = self.clock.draw(rng, self.size.usage_events)
        for i, at in enumerate(times, 1):
            email, _name = rng.choice(self.users)
            event = {
                "timestamp": str(int(at * 1000)), "model": rng.choice(ACTIVITY_MODELS),
                "kind": rng.choices(kinds, weights)[0], "maxMode": rng.random() < 0.1,
                "requestsCosts": rng.choice((0.5, 1, 1, 1, 2)), "isTokenBasedCall": False,
                "isFreeBugbot": False, "userEmail": email,
            }  # fmt: skip
            if rng.random() < 0.8:
                inputs, outputs = rng.randint(500, 60_000), rng.randint(50, 4_000)
                reads = rng.randint(0, 200_000)
                event["isTokenBasedCall"] = True
                event["tokenUsage"] = {
                    "inputTokens": inputs, "outputTokens": outputs, "cacheWriteTokens": 0,
                    "cacheReadTokens": reads,
                    "totalCents": round((inputs * 3 + outputs * 15 + reads * 0.3) / 1e4, 4),
                }  # fmt: skip
            yield i, event


def activity_seed(
    *,
    team: Team,
    size: DemoSize,
    now: datetime,
    domain: str = "acme.example",
    result: SeedResult | None = None,
) -> SeedResult:
    """Ingest the demo's editor activity into `team` through the ingest service."""
    result = result or SeedResult()
    activity = DemoActivity(size=size, now=now, domain=domain)
    for kind, rows, name in (
        (CURSOR_DAILY_USAGE, activity.daily_usage(), "daily_usage"),
        (CURSOR_USAGE_EVENTS, activity.usage_events(), "usage_events"),
    ):
        started = time.perf_counter()
        written = stream_ingest(team=team, kind=kind, rows=rows)
        result.seconds[name] = time.perf_counter() - started
        setattr(result, name, written.created)
    return result


def team_has_activity(team: Team) -> bool:
    return any(model.objects.of(team).exists() for model in (ActivityDay, UsageEvent))


def team_has_records(team: Team) -> bool:
    return any(model.objects.of(team).exists() for model in (Commit, Change, Message))


def analyze_tables() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL); the admin's row estimate too."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        for model in (Commit, CommitFile, Change, Message):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
