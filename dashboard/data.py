"""What the dashboard's pages show, built from tracking.figures only.

No figure is computed here: these functions call the same data-layer functions as the Qoder
views (overview, daily trend, member ranking, repos, file extensions) and only shape them for
a template: rates, empty days, the top extensions with the rest as "other", changes against
the previous window.
"""

from __future__ import annotations

from dataclasses import dataclass

from teams.models import Team
from tracking import figures
from tracking.figures import rate

from .filters import DashboardFilters

TOP_EXTENSIONS = 5
RANKING_LIMIT = 100
REPOS_SHOWN = 20


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: float
    previous: float
    percent: bool = False  # the value is a percentage; its change is in points

    @property
    def change(self) -> float | None:
        """Percent change against the previous window (points for a percentage); None when
        the previous window had nothing to compare with."""
        if self.percent:
            return round(self.value - self.previous, 2)
        if not self.previous:
            return None
        return round(100.0 * (self.value - self.previous) / self.previous, 1)


def overview_figures(stats: dict) -> dict:
    """The overview as the Qoder API names it (stats/overview)."""
    return {
        "committedTotalLinesEdit": stats["committed_total"],
        "committedAiLinesEdit": stats["committed_ai"],
        "acceptedLinesEdit": stats["accepted_lines"],
        "aiShareRate": rate(stats["committed_ai"], stats["committed_total"]),
        "agentEditCount": stats["agent_edits"],
        "tabCompletionCount": stats["tab_completions"],
        "messageCount": stats["messages"],
    }


TILES = (
    ("committedTotalLinesEdit", "Committed lines", False),
    ("aiShareRate", "AI share of committed lines", True),
    ("acceptedLinesEdit", "Accepted AI lines", False),
    ("agentEditCount", "Agent edits", False),
    ("tabCompletionCount", "Tab completions", False),
    ("messageCount", "Messages", False),
)


def tiles(*, team: Team, filters: DashboardFilters) -> tuple[dict, list[Tile]]:
    """The overview of the window and the tiles comparing it with the previous window."""
    now = overview_figures(figures.overview_stats(team=team, filters=filters.metric()))
    before = overview_figures(
        figures.overview_stats(team=team, filters=filters.previous().metric())
    )
    return now, [Tile(key, label, now[key], before[key], pct) for key, label, pct in TILES]


def share_trend(*, team: Team, filters: DashboardFilters) -> list[dict]:
    """Chart 1: per day, AI and other lines added and the AI share (stats/daily-trend items)."""
    rows = figures.daily_commit_stats(team=team, filters=filters.metric())
    out = []
    for day in filters.day_list():
        row = rows.get(day) or {"ai": 0, "other": 0, "commits": 0}
        out.append(
            {
                "date": day.isoformat(),
                "aiLinesAdded": row["ai"],
                "otherLinesAdded": row["other"],
                "aiShareRate": rate(row["ai"], row["ai"] + row["other"]),
                "commitCount": row["commits"],
            }
        )
    return out


def extension_trend(*, team: Team, filters: DashboardFilters) -> dict:
    """Chart 2: lines added per day for the top extensions of the window, the rest as other."""
    rows = figures.daily_extension_stats(team=team, filters=filters.metric())
    totals: dict[str, int] = {}
    for (_day, extension), row in rows.items():
        totals[extension] = totals.get(extension, 0) + row["total"]
    ranked = sorted(totals, key=lambda ext: (-totals[ext], ext))
    top, rest = ranked[:TOP_EXTENSIONS], set(ranked[TOP_EXTENSIONS:])
    series = top + (["other"] if rest else [])
    days = []
    for day in filters.day_list():
        values = {name: 0 for name in series}
        for extension in totals:
            row = rows.get((day, extension))
            if row:
                values["other" if extension in rest else extension] += row["total"]
        days.append({"date": day.isoformat(), "values": [values[name] for name in series]})
    return {"series": series, "days": days}


def next_trend(*, team: Team, filters: DashboardFilters) -> list[dict]:
    """Chart 3: tab suggestions, acceptances and acceptance rate per day."""
    rows = figures.daily_next_stats(team=team, filters=filters.metric())
    out = []
    for day in filters.day_list():
        row = rows.get(day) or {"suggested": 0, "accepted": 0}
        out.append(
            {
                "date": day.isoformat(),
                "nextSuggestedCount": row["suggested"],
                "nextAcceptedCount": row["accepted"],
                "nextAcceptRate": rate(row["accepted"], row["suggested"]),
            }
        )
    return out


def ranking(*, team: Team, filters: DashboardFilters) -> list[dict]:
    rows = figures.member_ranking(team=team, filters=filters.metric(), limit=RANKING_LIMIT)
    return [
        {
            "userId": str(row["user_id"]),
            "email": row["email"],
            "displayName": row["display_name"],
            "totalLinesAdded": row["total"],
            "aiLinesAdded": row["ai"],
            "aiShareRate": rate(row["ai"], row["total"]),
            "commitCount": row["commits"],
        }
        for row in rows
    ]


def repos(*, team: Team, filters: DashboardFilters) -> tuple[int, list[dict]]:
    total, rows = figures.repo_list(
        team=team, filters=filters.metric(), query=None, offset=0, limit=REPOS_SHOWN
    )
    return total, [
        {"repoName": r["repo_name"], "commitCount": r["commits"], "totalLinesAdded": r["total"]}
        for r in rows
    ]


def extensions(*, team: Team, filters: DashboardFilters) -> list[dict]:
    return [
        {
            "extension": row["extension"],
            "changeCount": row["changes"],
            "totalLinesAdded": row["total"],
            "aiShareRate": rate(row["ai"], row["total"]),
        }
        for row in figures.extension_table(team=team, filters=filters.metric())
    ]
