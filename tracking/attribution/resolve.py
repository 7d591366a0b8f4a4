"""The winning source of each commit, its CommitAttribution, and the TeamToolDay delta.

`resolve(team_id, keys)` recomputes the attribution of the commits `keys` ((repository or "",
sha)) from every source stored for them, in the caller's transaction: the old parts out of
TeamToolDay, the new ones in (tracking.rollups' upsert, keys sorted: no deadlocks, no lost
increments). Callers: the ingest writer (Cursor / Qoder commits), the ORM save of a Commit, the
deletes of commits and members, the git-ai and Agent Trace stores.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime

from django.db.models import Q

from teams.models import Member, MemberIdentity, normalize_email
from tracking.attribution.parse import line_owners, vendor_tool
from tracking.models import (
    AI_PAIRS,
    AttributionPart,
    AttributionRecord,
    Commit,
    CommitAttribution,
    GitCommit,
)

TABLE = "TeamToolDay"
DIMS = ("day", "repo_known", "repo_name", "primary", "tool", "model", "kind")
MEASURES = ("commits", "lines_added", "lines_deleted")
ADDED = tuple(f"{p}_lines_added" for p in AI_PAIRS)
DELETED = tuple(f"{p}_lines_deleted" for p in AI_PAIRS)
CHUNK = 2000

Key = tuple[str, str]  # (repository or "", commit sha)


def _day(moment: datetime) -> date:
    return (moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)).date()


def points(attribution: dict, parts: Iterable[dict]) -> Iterable[tuple[tuple, tuple]]:
    """(TeamToolDay key, measures) of one attribution's parts."""
    repo = attribution["repo_name"]
    base = (
        _day(attribution["occurred_at"]),
        repo is not None,
        repo or "",
        bool(attribution["primary"]),
    )
    for part in parts:
        yield (
            (*base, part["tool"], part["model"], part["kind"]),
            (1, part["lines_added"], part["lines_deleted"]),
        )


def vendor_parts(row: dict) -> list[dict]:
    """A Cursor / Qoder commit record: its AI lines under its tool (no model: commit records
    name none), the rest unknown (the vendors do not tell typed from pasted or other editors'
    lines)."""
    tool = vendor_tool(row)
    ai_added = sum(row[c] for c in ADDED)
    ai_deleted = sum(row[c] for c in DELETED)
    return _parts(
        {(tool, "", "ai"): (ai_added, ai_deleted)},
        row["total_lines_added"],
        row["total_lines_deleted"],
    )


def _parts(known: dict[tuple, tuple[int, int]], added: int, deleted: int) -> list[dict]:
    """Parts from the attributed lines plus the commit's totals: what no source claims is
    unknown (untracked)."""
    out = []
    claimed_added = claimed_deleted = 0
    for (tool, model, kind), (a, d) in sorted(known.items()):
        if a or d:
            out.append(
                {"tool": tool, "model": model, "kind": kind, "lines_added": a, "lines_deleted": d}
            )
            claimed_added += a
            claimed_deleted += d
    rest_added, rest_deleted = max(0, added - claimed_added), max(0, deleted - claimed_deleted)
    if rest_added or rest_deleted:
        out.append(
            {
                "tool": "",
                "model": "",
                "kind": "unknown",
                "lines_added": rest_added,
                "lines_deleted": rest_deleted,
            }
        )
    return out


def _owned(files_list: list[dict]) -> dict[tuple, tuple[int, int]]:
    """Lines added per (tool, model, kind) of the ranges of one or more records (later records
    win a line both claim). Ranges count lines of the committed file: added lines; git-ai and
    Agent Trace attribute no deletions."""
    merged: dict[str, list] = defaultdict(list)
    for files in files_list:
        for path, ranges in files.items():
            merged[path].extend(ranges)
    out = {}
    for (tool, model, kind), n in line_owners(merged).items():
        if kind == "unknown":
            continue  # counted with the untracked rest
        key = (tool if kind == "ai" else "", model if kind == "ai" else "", kind)
        a, _ = out.get(key, (0, 0))
        out[key] = (a + n, 0)
    return out


def _key_q(keys: list[Key], repo_field: str, sha_field: str, nullable: bool = False) -> Q:
    by_repo: dict[str, list[str]] = defaultdict(list)
    for repo, sha in keys:
        by_repo[repo].append(sha)
    q = Q(pk__in=[])
    for repo, shas in by_repo.items():
        if nullable and repo == "":
            q |= Q(**{f"{sha_field}__in": shas}) & (
                Q(**{f"{repo_field}__isnull": True}) | Q(**{repo_field: ""})
            )
        else:
            q |= Q(**{f"{sha_field}__in": shas, repo_field: repo})
    return q


def member_for(team_id: int, email: str, name: str = "", *, source: str = "git") -> Member | None:
    """The member a git author is (the identity map: a member's email, else an identity row
    mapped to a member); an unknown author is recorded as an unmatched identity."""
    if not email:
        return None
    email = normalize_email(email)
    member = Member.objects.filter(team_id=team_id, email=email).first()
    if member is not None:
        return member
    identity, _ = MemberIdentity.objects.get_or_create(
        team_id=team_id,
        kind=MemberIdentity.Kind.EMAIL,
        value=email,
        defaults={"source": source},
    )
    return identity.member


def resolve(team_id: int, keys: Iterable[Key], *, without_commits: Iterable[int] = ()) -> int:
    """Recompute the attribution of `keys`; `without_commits`: Commit ids about to be deleted
    (their records no longer count). Returns how many attributions changed."""
    from tracking.rollups import _upsert

    keys = sorted({(repo or "", sha) for repo, sha in keys})
    skip = set(without_commits)
    changed = 0
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        delta: dict[tuple, list[int]] = {}
        changed += _resolve_chunk(team_id, chunk, skip, delta)
        rows = {k: v for k, v in delta.items() if any(v)}
        if rows:
            _upsert(team_id, TABLE, DIMS, MEASURES, rows)
    return changed


def _resolve_chunk(team_id: int, keys: list[Key], skip: set, delta: dict) -> int:
    records: dict[Key, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for record in (
        AttributionRecord.objects.filter(team_id=team_id, status="resolved")
        .filter(_key_q(keys, "repo_name", "commit_sha"))
        .order_by("received_at", "pk")
        .only("source", "repo_name", "commit_sha", "parsed", "payload")
    ):
        records[(record.repo_name, record.commit_sha)][record.source].append(record)
    vendor = {}
    commit_qs = (
        Commit.objects.filter(team_id=team_id)
        .filter(_key_q(keys, "repo_name", "commit_hash", nullable=True))
        .exclude(pk__in=skip)
        .order_by("pk")
    )
    for row in commit_qs.values(
        "id",
        "member_id",
        "repo_name",
        "commit_hash",
        "is_primary_branch",
        "total_lines_added",
        "total_lines_deleted",
        *ADDED,
        *DELETED,
        "commit_ts",
        "created_at",
    ):
        vendor.setdefault((row["repo_name"] or "", row["commit_hash"]), row)
    git = {
        (g.repo_name, g.sha): g
        for g in GitCommit.objects.filter(team_id=team_id).filter(_key_q(keys, "repo_name", "sha"))
    }
    # Optimization: rows as dicts (values()), not model instances: the writer resolves every
    # commit it writes, and instances of 10,000 attributions and their parts cost ~0.5 s.
    old: dict[Key, dict] = {}
    attributions = CommitAttribution.objects.filter(team_id=team_id)
    for a in attributions.filter(_key_q(keys, "repo_name", "commit_hash", nullable=True)).values(
        "pk", *FIELDS
    ):
        old[(a["repo_name"] or "", a["commit_hash"])] = a
    old_parts: dict[int, list[dict]] = defaultdict(list)
    for part in (
        AttributionPart.objects.filter(attribution_id__in=[a["pk"] for a in old.values()])
        .order_by("pk")
        .values("attribution_id", "tool", "model", "kind", "lines_added", "lines_deleted")
    ):
        old_parts[part.pop("attribution_id")].append(part)

    changed = 0
    doomed: list[int] = []
    born: list[tuple[dict, list[dict]]] = []
    members: dict[str, int | None] = {}  # git author email -> member id, per chunk
    for key in keys:
        new = _attribution(
            team_id, key, records.get(key, {}), vendor.get(key), git.get(key), members
        )
        before = old.get(key)
        if before is not None:
            pk = before.pop("pk")
            if new is not None and new[0] == before and new[1] == old_parts[pk]:
                continue
            _move(delta, before, old_parts[pk], -1)
            doomed.append(pk)
        changed += 1
        if new is not None:
            _move(delta, *new, 1)
            born.append(new)
    # Optimization: one delete and two bulk inserts per chunk, not two queries per commit (the
    # ingest writer resolves every commit it writes: 10,000 per request).
    if doomed:
        AttributionPart.objects.filter(attribution_id__in=doomed).delete()
        CommitAttribution.objects.filter(pk__in=doomed).delete()
    if born:
        created = CommitAttribution.objects.bulk_create(
            CommitAttribution(team_id=team_id, **row) for row, _parts in born
        )
        AttributionPart.objects.bulk_create(
            AttributionPart(attribution_id=attribution.pk, **part)
            for attribution, (_row_, parts) in zip(created, born, strict=True)
            for part in parts
        )
    return changed


FIELDS = (
    "repo_name",
    "commit_hash",
    "source",
    "member_id",
    "author",
    "occurred_at",
    "primary",
    "lines_added",
    "lines_deleted",
)


def _move(delta: dict, row: dict, parts: list[dict], sign: int) -> None:
    for key, measures in points(row, parts):
        current = delta.setdefault(key, [0, 0, 0])
        for i, m in enumerate(measures):
            current[i] += sign * m


def _attribution(team_id, key: Key, records: dict, commit: dict | None, git: GitCommit | None,
                 members: dict | None = None):  # fmt: skip
    """(CommitAttribution fields, parts) of one commit, or None when no source places it in
    time (a note or trace for a commit neither git nor a vendor record told us about)."""
    repo, sha = key
    if git is None and commit is None:
        return None
    if git is not None:
        added, deleted = git.lines_added, git.lines_deleted
        occurred = git.committed_at
        author = git.author_email
    else:
        added, deleted = commit["total_lines_added"], commit["total_lines_deleted"]
        occurred = commit["commit_ts"] or commit["created_at"]
        author = ""
    if commit is not None:
        member_id = commit["member_id"]
        primary = commit["is_primary_branch"] is True
        repo_name = commit["repo_name"]
        if git is None:
            added, deleted = commit["total_lines_added"], commit["total_lines_deleted"]
    else:
        members = {} if members is None else members
        if author not in members:
            member = member_for(team_id, author) if author else None
            members[author] = member.pk if member else None
        member_id = members[author]
        primary = False
        repo_name = repo
    if records.get("gitai"):
        source = "gitai"
        parts = _parts(
            _owned([r.parsed.get("files", {}) for r in records["gitai"][-1:]]), added, deleted
        )
    elif records.get("agent_trace"):
        source = "agent_trace"
        parts = _parts(
            _owned([r.parsed.get("files", {}) for r in records["agent_trace"]]), added, deleted
        )
    elif commit is not None:
        source = vendor_tool(commit)
        parts = vendor_parts(commit)
        if git is not None:  # git's totals, the vendor's AI lines
            ai = {
                (p["tool"], p["model"], p["kind"]): (p["lines_added"], p["lines_deleted"])
                for p in parts
                if p["kind"] == "ai"
            }
            parts = _parts(ai, added, deleted)
    else:
        source = "git"
        parts = _parts({}, added, deleted)
    row = {
        "repo_name": repo_name,
        "commit_hash": sha,
        "source": source,
        "member_id": member_id,
        "author": author,
        "occurred_at": occurred,
        "primary": primary,
        "lines_added": added,
        "lines_deleted": deleted,
    }
    return row, parts


# --- hooks ---------------------------------------------------------------------------------


def commits_written(team_id: int, keys: Iterable[Key]) -> None:
    """After the ingest writer stored Cursor / Qoder commits (its transaction)."""
    resolve(team_id, keys)


def commits_deleting(queryset) -> None:
    """Before `queryset` (Commits) is deleted, in the same transaction: their commits are
    resolved again without them (a git-ai note or git's facts may still place them)."""
    by_team: dict[int, list] = defaultdict(list)
    ids: dict[int, list] = defaultdict(list)
    for pk, team_id, repo, sha in queryset.values_list("pk", "team_id", "repo_name", "commit_hash"):
        by_team[team_id].append((repo or "", sha))
        ids[team_id].append(pk)
    for team_id in sorted(by_team):
        resolve(team_id, by_team[team_id], without_commits=ids[team_id])


def _on_commit_pre_save(sender, instance, raw=False, **kwargs) -> None:
    instance._attribution_old_key = None
    if instance.pk is not None:
        old = (
            sender._default_manager.filter(pk=instance.pk)
            .values_list("repo_name", "commit_hash")
            .first()
        )
        instance._attribution_old_key = old


def _on_commit_post_save(sender, instance, raw=False, **kwargs) -> None:
    keys = [(instance.repo_name or "", instance.commit_hash)]
    old = getattr(instance, "_attribution_old_key", None)
    if old is not None:
        keys.append((old[0] or "", old[1]))
    resolve(instance.team_id, keys)


def _on_member_delete(sender, instance, origin=None, **kwargs) -> None:
    from teams.models import Team

    if isinstance(origin, Team) or getattr(origin, "model", None) is Team:
        return  # the team goes too: everything cascades
    commits = Commit.objects.filter(team_id=instance.team_id, member=instance)
    if commits.exists():
        commits_deleting(commits)


def connect_signals() -> None:
    from django.db.models.signals import post_save, pre_delete, pre_save

    pre_save.connect(_on_commit_pre_save, sender=Commit, dispatch_uid="attribution-pre-commit")
    post_save.connect(_on_commit_post_save, sender=Commit, dispatch_uid="attribution-commit")
    pre_delete.connect(_on_member_delete, sender=Member, dispatch_uid="attribution-member")


# --- rebuild -------------------------------------------------------------------------------


def computed(team_id: int, apps=None) -> dict[tuple, list[int]]:
    """TeamToolDay recomputed from the stored attributions and parts (tracking.rollups'
    rebuild and verify)."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    Part = apps.get_model("tracking", "AttributionPart")
    out: dict[tuple, list[int]] = {}
    rows = Part.objects.filter(attribution__team_id=team_id).values(
        "tool",
        "model",
        "kind",
        "lines_added",
        "lines_deleted",
        "attribution__repo_name",
        "attribution__occurred_at",
        "attribution__primary",
    )
    for r in rows.iterator(chunk_size=5000):
        attribution = {
            "repo_name": r["attribution__repo_name"],
            "occurred_at": r["attribution__occurred_at"],
            "primary": r["attribution__primary"],
        }
        for key, measures in points(attribution, [r]):
            current = out.setdefault(key, [0, 0, 0])
            for i, m in enumerate(measures):
                current[i] += m
    return out


def resolve_all(team_id: int) -> int:
    """Every commit of the team resolved again (migration 0009, `manage.py import gitai`
    after a change of precedence)."""
    keys = set()
    for repo, sha in Commit.objects.filter(team_id=team_id).values_list("repo_name", "commit_hash"):
        keys.add((repo or "", sha))
    keys |= set(GitCommit.objects.filter(team_id=team_id).values_list("repo_name", "sha"))
    for repo, sha in CommitAttribution.objects.filter(team_id=team_id).values_list(
        "repo_name", "commit_hash"
    ):
        keys.add((repo or "", sha))
    return resolve(team_id, keys)
