"""The dashboard's commit attribution by tool and model (tracking/attribution/, docs/tools.md):
the stacked chart of committed lines by tool, the table by model, the tool filter's choices,
a commit's lines by tool, human and unknown, and a member's tools."""

from __future__ import annotations

from datetime import date

from dashboard.data import _bucketed
from dashboard.filters import DashboardFilters
from teams.models import Team
from tracking import catalog
from tracking.attribution import figures as attribution

HUMAN, UNKNOWN = "human", "unknown (untracked)"


def _series_name(tool: str, kind: str) -> str:
    if kind == "ai":
        return tool or "(unnamed tool)"
    return HUMAN if kind == "human" else UNKNOWN


def section(*, team: Team, filters: DashboardFilters) -> dict:
    """Everything the overview's "Commit attribution by tool" section shows."""
    metric = filters.metric()
    rows = attribution.daily_tool_stats(team=team, filters=metric)
    per_day: dict[date, dict] = {}
    totals: dict[str, int] = {}
    for (day, tool, kind), row in rows.items():
        name = _series_name(tool, kind)
        per_day.setdefault(day, {})
        per_day[day][name] = per_day[day].get(name, 0) + row["added"]
        totals[name] = totals.get(name, 0) + row["added"]
    tools = sorted((n for n in totals if n not in (HUMAN, UNKNOWN)), key=lambda n: (-totals[n], n))
    series = tools + [n for n in (HUMAN, UNKNOWN) if n in totals]
    points = _bucketed(filters, per_day, tuple(series))
    trend = {
        "series": series,
        "days": [{"date": p["date"], "values": [p[name] for name in series]} for p in points],
        "tools": len(tools),
    }
    sums, totals, everything = attribution.sums_and_totals(team=team, filters=metric)
    measures = [
        (m, m.value(sums), catalog.not_filtered(m, metric))
        for m in catalog.MEASURES
        if m.family is catalog.COMMITS and "api" in m.faces
    ]
    summary = attribution.summary(totals, sums)
    # The tool filter's choices: the tools with AI lines in the window (and the one chosen).
    choices = {t for (t, _m, k), row in everything.items() if k == "ai" and row["added"]}
    return {
        "trend": trend,
        "measures": measures,
        "summary": summary,
        "recent": attribution.commit_page(
            team=team, filters=metric, offset=0, limit=10, count=False
        )[1],
        "choices": sorted(choices | ({filters.tool} if filters.tool else set())),
        "unmatched": attribution.unmatched_identities(team)[:20],
    }


has_attribution = attribution.has_attribution


def commit_detail(*, team: Team, repo_name, sha: str) -> dict | None:
    return attribution.commit_detail(team=team, repo_name=repo_name, sha=sha)


def attributed_commit(*, team: Team, pk: int) -> dict | None:
    return attribution.attributed_commit(team=team, pk=pk)


def member_tools(*, team: Team, filters: DashboardFilters, member) -> list[dict]:
    return attribution.tools_of_member(team=team, filters=filters.metric(), member=member)
