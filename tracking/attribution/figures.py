"""Commit attribution figures by tool and model (catalog family "commits", dimensions tool and
model): from the records (`raw_*`: CommitAttribution parts) or from TeamToolDay for the
window's whole UTC days plus the records at its edges, as tracking/figures.py does."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce

from teams.models import Team
from tracking import catalog, rollups
from tracking.figures import _day_of, _days, split
from tracking.models import AttributionPart, TeamToolDay
from tracking.reads import Filters


def _total(column: str):
    return Coalesce(Sum(column), Value(0))


def metric_parts(*, team: Team, filters: Filters):
    """The parts of the team's attributed commits in the window (commit time), member and
    the catalog's attribution dimensions (repository, primary branch, tool, model)."""
    q = Q(attribution__team=team)
    if filters.start is not None:
        q &= Q(attribution__occurred_at__gte=filters.start)
    if filters.end is not None:
        q &= Q(attribution__occurred_at__lte=filters.end)
    if filters.who is not None:
        q &= filters.who.q("attribution__")
    return AttributionPart.objects.filter(q, catalog.record_q("attribution", filters))


def _key(row: dict) -> tuple[str, str, str]:
    return (row.pop("tool"), row.pop("model"), row.pop("kind"))


def raw_tool_totals(*, team: Team, filters: Filters) -> dict[tuple, dict]:
    """{(tool, model, kind): {commits, added, deleted}}: commits = commits with such lines."""
    rows = (
        metric_parts(team=team, filters=filters)
        .values("tool", "model", "kind")
        .annotate(
            commits=Count("attribution_id", distinct=True),
            added=_total("lines_added"),
            deleted=_total("lines_deleted"),
        )
        .order_by()
    )
    return {_key(r): r for r in rows if r["commits"]}


def _table_rows(*, team: Team, filters: Filters, days):
    return _days(TeamToolDay.objects.of(team), days).filter(catalog.table_q("TeamToolDay", filters))


def tool_totals(*, team: Team, filters: Filters) -> dict[tuple, dict]:
    parts = split(filters)
    if filters.who is not None or parts.days is None:
        return raw_tool_totals(team=team, filters=filters)
    rows = (
        _table_rows(team=team, filters=filters, days=parts.days)
        .values("tool", "model", "kind")
        .annotate(
            commits=_total("commits"), added=_total("lines_added"), deleted=_total("lines_deleted")
        )
        .order_by()
    )
    out = {_key(r): r for r in rows}
    for edge in parts.edges:
        for key, row in raw_tool_totals(team=team, filters=edge).items():
            into = out.setdefault(key, {"commits": 0, "added": 0, "deleted": 0})
            for k, v in row.items():
                into[k] += v
    return {k: v for k, v in out.items() if v["commits"]}


def raw_daily_tool_stats(*, team: Team, filters: Filters) -> dict[tuple, dict]:
    """{(day, tool, kind): {added}} per day of commit time in the filters' time zone."""
    rows = (
        metric_parts(team=team, filters=filters)
        .annotate(day=_day_of("attribution__occurred_at", filters))
        .values("day", "tool", "kind")
        .annotate(added=_total("lines_added"))
        .order_by()
    )
    return {
        (rollups.as_date(r["day"]), r["tool"], r["kind"]): {"added": r["added"]}
        for r in rows
        if r["added"]
    }


def daily_tool_stats(*, team: Team, filters: Filters) -> dict[tuple, dict]:
    parts = split(filters)
    if filters.who is not None or parts.days is None or filters.time_zone != "UTC":
        return raw_daily_tool_stats(team=team, filters=filters)
    rows = (
        _table_rows(team=team, filters=filters, days=parts.days)
        .values("day", "tool", "kind")
        .annotate(added=_total("lines_added"))
        .order_by()
    )
    out = {
        (rollups.as_date(r["day"]), r["tool"], r["kind"]): {"added": r["added"]}
        for r in rows
        if r["added"]
    }
    for edge in parts.edges:
        for key, row in raw_daily_tool_stats(team=team, filters=edge).items():
            out.setdefault(key, {"added": 0})["added"] += row["added"]
    return out


def summary(totals: dict[tuple, dict], sums: dict[str, int]) -> dict:
    """AI lines added per tool and per model, with shares of every attributed line added in
    the window (`sums`: the catalog's sums, whose denominator ignores the tool and model
    filters); human and unknown lines added."""
    by_tool: dict[str, int] = {}
    by_model: dict[str, int] = {}
    for (tool, model, kind), row in totals.items():
        if kind == "ai":
            by_tool[tool] = by_tool.get(tool, 0) + row["added"]
            by_model[model] = by_model.get(model, 0) + row["added"]
    total = sums["attributed_all"]
    share = catalog.clamp_rate
    return {
        "lines_added": total,
        "by_kind": {"ai": sums["attributed_ai"], "human": sums["attributed_human"],
                    "unknown": sums["attributed_unknown"]},
        "tools": sorted(
            ({"tool": t, "ai_lines_added": n, "share": share(n, total)}
             for t, n in by_tool.items()), key=lambda r: (-r["ai_lines_added"], r["tool"]),
        ),
        "models": sorted(
            ({"model": m, "ai_lines_added": n, "share": share(n, total)}
             for m, n in by_model.items()), key=lambda r: (-r["ai_lines_added"], r["model"]),
        ),
    }  # fmt: skip


def days_of(stats: dict[tuple, dict]) -> list[date]:
    return sorted({day for day, _tool, _kind in stats})


def sums(*, team: Team, filters: Filters, raw: bool = False) -> dict[str, int]:
    """The sums the catalog's attribution measures are computed from. `attributed_all` is
    every attributed line added under the filters but tool and model (the share's
    denominator); human and unknown lines have no tool or model, so those filters leave them
    whole."""
    return sums_and_totals(team=team, filters=filters, raw=raw)[0]


def sums_and_totals(*, team: Team, filters: Filters, raw: bool = False):
    """(sums, totals under every filter, totals without the tool and model filters)."""
    from dataclasses import replace

    read = raw_tool_totals if raw else tool_totals
    totals = read(team=team, filters=filters)
    everything = totals
    if filters.tool or filters.model:
        everything = read(team=team, filters=replace(filters, tool=None, model=None))
    out = {"attributed_added": 0, "attributed_ai": 0, "attributed_human": 0,
           "attributed_unknown": 0, "attributed_all": 0}  # fmt: skip
    for (_tool, _model, kind), row in totals.items():
        out["attributed_added"] += row["added"]
        if kind == "ai":
            out["attributed_ai"] += row["added"]
    for (_tool, _model, kind), row in everything.items():
        out["attributed_all"] += row["added"]
        if kind != "ai":
            out[f"attributed_{kind}"] += row["added"]
    return out, totals, everything


def member_by_email(team: Team, email: str):
    from teams.models import Member, normalize_email

    return Member.objects.filter(team=team, email=normalize_email(email)).first()


def attributions(*, team: Team, filters: Filters):
    """The team's attributed commits in the window, member, repository and branch; with a tool
    or model filter, those with lines of it."""
    from tracking.models import CommitAttribution

    qs = CommitAttribution.objects.of(team)
    if filters.start is not None:
        qs = qs.filter(occurred_at__gte=filters.start)
    if filters.end is not None:
        qs = qs.filter(occurred_at__lte=filters.end)
    if filters.who is not None:
        qs = qs.filter(filters.who.q(""))
    if filters.repo_name is not None:
        qs = qs.filter(repo_name=filters.repo_name)
    if filters.primary_branch_only:
        qs = qs.filter(primary=True)
    if filters.tool:
        qs = qs.filter(parts__tool=filters.tool)
    if filters.model:
        qs = qs.filter(parts__model=filters.model, parts__kind="ai")
    return qs.distinct()


def commit_item(a) -> dict:
    parts = sorted(a.parts.all(), key=lambda p: (p.kind, p.tool, p.model))
    return {
        "id": a.pk,
        "commitHash": a.commit_hash,
        "repoName": a.repo_name,
        "source": a.source,
        "author": a.author or (a.member.email if a.member_id else ""),
        "userEmail": a.member.email if a.member_id else None,
        "occurredAt": a.occurred_at.isoformat(),
        "linesAdded": a.lines_added,
        "linesDeleted": a.lines_deleted,
        "parts": [
            {
                "tool": p.tool,
                "model": p.model,
                "kind": p.kind,
                "linesAdded": p.lines_added,
                "linesDeleted": p.lines_deleted,
            }
            for p in parts
        ],
    }


def commit_page(*, team: Team, filters: Filters, offset: int, limit: int, count: bool = True):
    """(number of commits, one page of them, newest first); `count=False`: no count query
    (the number is None)."""
    qs = attributions(team=team, filters=filters)
    total = qs.count() if count else None
    if total is not None and offset >= total:
        return total, []
    page = (
        qs.select_related("member")
        .prefetch_related("parts")
        .order_by("-occurred_at", "-pk")[offset : offset + limit]
    )
    return total, [commit_item(a) for a in page]


def commit_detail(*, team: Team, repo_name: str | None, sha: str):
    from tracking.models import CommitAttribution

    qs = CommitAttribution.objects.of(team).filter(commit_hash=sha)
    qs = qs.filter(repo_name=repo_name) if repo_name else qs
    return _detail(team, qs.select_related("member").prefetch_related("parts").first())


def attributed_commit(*, team: Team, pk: int):
    from tracking.models import CommitAttribution

    qs = CommitAttribution.objects.of(team).filter(pk=pk)
    return _detail(team, qs.select_related("member").prefetch_related("parts").first())


def _detail(team: Team, a):
    from tracking.models import AttributionRecord

    if a is None:
        return None
    records = (
        AttributionRecord.objects.of(team)
        .filter(repo_name=a.repo_name or "", commit_sha=a.commit_hash)
        .values("source", "record_id", "schema_version", "status", "received_at")
    )
    item = commit_item(a)
    by_kind: dict[str, int] = {}
    for part in item["parts"]:
        by_kind[part["kind"]] = by_kind.get(part["kind"], 0) + part["linesAdded"]
    return {**item, "records": list(records), "by_kind": by_kind}


def tools_of_member(*, team: Team, filters: Filters, member) -> list[dict]:
    """AI lines added per tool and model of one member's attributed commits."""
    from dataclasses import replace

    from tracking.reads import Who

    totals = raw_tool_totals(team=team, filters=replace(filters, who=Who(uuid=member.uuid)))
    rows = [
        {"tool": t, "model": m, "added": r["added"], "commits": r["commits"]}
        for (t, m, k), r in totals.items()
        if k == "ai"
    ]
    return sorted(rows, key=lambda r: (-r["added"], r["tool"], r["model"]))


def unmatched_identities(team: Team) -> list:
    from teams.models import MemberIdentity

    return list(MemberIdentity.objects.filter(team=team, member__isnull=True).order_by("value"))


def has_attribution(*, team: Team) -> bool:
    return TeamToolDay.objects.of(team).exists()
