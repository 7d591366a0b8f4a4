"""What the dashboard's pages show: the figure catalog (tracking/catalog.py) rendered.

No figure is defined here: tiles are the catalog's measures, computed by the measures from the
sums tracking.figures reads; charts and tables are the catalog's views. This module only shapes
them for a template: buckets of days or weeks, the top series with the rest as "other", the
comparison with the previous window, the rows that make tables add up to the tiles, and the
"not filtered by" notes the catalog declares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from teams.models import Team
from tracking import catalog, figures
from tracking.catalog import clamp_rate
from tracking.reads import Filters

from .filters import DashboardFilters

TOP_SERIES = 5
RANKING_LIMIT = 100
REPOS_SHOWN = 20
WEEKLY_OVER_DAYS = 60  # charts of longer windows show weeks


# --- tiles -----------------------------------------------------------------------------------


def sums(*, team: Team, filters: Filters) -> dict:
    """The sums every tile is computed from. With an extension filter, lines added and AI lines
    added come from the commits' files of those extensions (the catalog's extension dimension);
    the rest is not split by extension."""
    out = dict(figures.overview_stats(team=team, filters=filters))
    if filters.file_extensions:
        lines = figures.extension_commit_stats(team=team, filters=filters).values()
        out["lines_added"] = sum(row["total"] for row in lines)
        out["ai_added"] = sum(row["ai"] for row in lines)
    return out


def has_records(family: catalog.Family, s: dict) -> bool:
    """Whether the sums hold any record of the family (else there is nothing to compare)."""
    if family is catalog.COMMITS:
        return s["commits"] > 0
    if family is catalog.EDITOR:
        return (
            s["accepted_lines"] + s["agent_edits"] + s["tab_completions"] + s["tab_suggestions"] > 0
        )
    return s["messages"] > 0


@dataclass(frozen=True)
class Tile:
    measure: catalog.Measure
    value: float
    previous: float | None  # None: the previous window holds no records of the family
    not_filtered: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.measure.key

    @property
    def label(self) -> str:
        return self.measure.label

    @property
    def definition(self) -> str:
        return self.measure.definition

    @property
    def family(self) -> str:
        return self.measure.family.label

    @property
    def percent(self) -> bool:
        return self.measure.percent

    @property
    def change(self) -> float | None:
        """Percent change against the previous window (points for a percentage); None when
        there is nothing to compare with (no earlier records, or a previous value of 0)."""
        if self.previous is None:
            return None
        if self.percent:
            return round(self.value - self.previous, 2)
        if not self.previous:
            return 0.0 if not self.value else None  # 0 then and now: no change
        return round(100.0 * (self.value - self.previous) / self.previous, 1)

    @property
    def comparison(self) -> str:
        """What the tile says under its value."""
        if self.previous is None:
            return "no earlier data"
        change = self.change
        if change is None:
            return "was 0"
        sign = "+" if change >= 0 else "−"
        if self.percent:
            return f"{sign}{abs(change):.2f} points"
        return f"{sign}{abs(change):,.1f} %"


def tiles(*, team: Team, filters: DashboardFilters) -> tuple[dict, list[Tile]]:
    """The window's sums and a tile per dashboard measure, compared with the previous window."""
    metric = filters.metric()
    now = sums(team=team, filters=metric)
    before = (
        sums(team=team, filters=filters.previous().metric()) if filters.has_previous() else None
    )
    out = []
    for measure in catalog.TILES:
        previous = None
        if before is not None and has_records(measure.family, before):
            previous = measure.value(before)
        out.append(
            Tile(measure, measure.value(now), previous, catalog.not_filtered(measure, metric))
        )
    return now, out


# --- buckets: days, or weeks for long windows ------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    first: date
    last: date

    @property
    def label(self) -> str:
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()} – {self.last.isoformat()}"

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def buckets(filters: DashboardFilters) -> list[Bucket]:
    """The chart's x axis: days, or 7-day weeks ending with the window's last day when the
    window is longer than WEEKLY_OVER_DAYS (its first week may be shorter: the label says)."""
    if filters.days <= WEEKLY_OVER_DAYS:
        return [Bucket(day, day) for day in filters.day_list()]
    out = []
    last = filters.end
    while last >= filters.start:
        first = max(filters.start, last - timedelta(days=6))
        out.append(Bucket(first, last))
        last = first - timedelta(days=1)
    return out[::-1]


def _bucketed(filters: DashboardFilters, rows: dict, fields: tuple[str, ...]) -> list[dict]:
    """Day rows {day: {field: n}} summed per bucket."""
    out = []
    for bucket in buckets(filters):
        total = dict.fromkeys(fields, 0)
        day = bucket.first
        while day <= bucket.last:
            row = rows.get(day)
            if row:
                for name in fields:
                    total[name] += row.get(name, 0)
            day += timedelta(days=1)
        out.append({"date": bucket.label, **total})
    return out


# --- charts ----------------------------------------------------------------------------------


def share_trend(*, team: Team, filters: DashboardFilters) -> list[dict]:
    """Lines added per bucket, split into AI (capped at the bucket's lines: vendors may report
    more) and the rest, so the bars add up to the lines added tile; the AI share line."""
    metric = filters.metric()
    rows = figures.daily_commit_stats(team=team, filters=metric)
    if metric.file_extensions:
        files: dict[date, dict] = {}
        for (day, _ext), row in figures.daily_extension_stats(team=team, filters=metric).items():
            entry = files.setdefault(day, {"total": 0, "ai": 0})
            entry["total"] += row["total"]
            entry["ai"] += row["ai"]
        # Every file belongs to a commit of its day: the days are the same.
        rows = {day: {**row, **files.get(day, {"total": 0, "ai": 0})} for day, row in rows.items()}
    out = []
    for row in _bucketed(filters, rows, ("total", "ai", "commits")):
        ai = min(row["ai"], row["total"])
        out.append(
            {
                "date": row["date"],
                "ai": ai,
                "other": row["total"] - ai,
                "share": clamp_rate(row["ai"], row["total"]) if row["total"] else None,
                "commits": row["commits"],
            }
        )
    return out


def _top_series(rows: dict, value: str, filters: DashboardFilters, label=str) -> dict:
    """{(day, name): {value: n}} as the top TOP_SERIES names per bucket, the rest as other."""
    totals: dict[str, int] = {}
    for (_day, name), row in rows.items():
        totals[name] = totals.get(name, 0) + row[value]
    ranked = sorted(totals, key=lambda name: (-totals[name], name))
    top, rest = ranked[:TOP_SERIES], set(ranked[TOP_SERIES:])
    series = top + (["other"] if rest else [])
    per_day: dict[date, dict] = {}
    for (day, name), row in rows.items():
        entry = per_day.setdefault(day, dict.fromkeys(series, 0))
        entry["other" if name in rest else name] += row[value]
    points = _bucketed(filters, per_day, tuple(series))
    return {
        "series": [label(name) if name != "other" else "other" for name in series],
        "days": [{"date": p["date"], "values": [p[name] for name in series]} for p in points],
    }


def extension_trend(*, team: Team, filters: DashboardFilters) -> dict:
    rows = figures.daily_extension_stats(team=team, filters=filters.metric())
    return _top_series(rows, "total", filters)


def model_trend(*, team: Team, filters: DashboardFilters) -> dict:
    rows = figures.daily_model_stats(team=team, filters=filters.metric())
    return _top_series(rows, "lines", filters, label=lambda m: m or "(no model named)")


def next_trend(*, team: Team, filters: DashboardFilters) -> list[dict]:
    """Tab suggestions, acceptances and acceptance rate (None, a gap, without suggestions)."""
    rows = figures.daily_next_stats(team=team, filters=filters.metric())
    out = []
    for row in _bucketed(filters, rows, ("suggested", "accepted")):
        rate = catalog.MEASURE["tab_accept_rate"].value(
            {"tab_completions": row["accepted"], "tab_suggestions": row["suggested"]}
        )
        out.append({**row, "rate": rate if row["suggested"] else None})
    return out


# --- tables ----------------------------------------------------------------------------------

_LINE_MEASURES = ("lines_added", "ai_lines_added", "ai_share")


def _commit_measures(row: dict) -> dict:
    """A table row's commit measures, computed by the catalog from the row's sums (total, ai
    and, where the row has them, commits)."""
    s = {"lines_added": row["total"], "ai_added": row["ai"], "commits": row.get("commits")}
    out = {key: catalog.MEASURE[key].value(s) for key in _LINE_MEASURES}
    if "commits" in row:
        out["commits"] = row["commits"]
    return out


def ranking(*, team: Team, filters: DashboardFilters, lines_added: int) -> dict:
    """The members by AI lines added; when cut at RANKING_LIMIT, a row for the rest so the
    table adds up to the lines added tile."""
    metric = filters.metric()
    rows, count = figures.ranking(team=team, filters=metric, limit=RANKING_LIMIT)
    members = [
        {"user_id": str(row["user_id"]), "email": row["email"], "name": row["display_name"]}
        | _commit_measures(row)
        for row in rows
    ]
    rest = None
    if count > len(rows):
        shown = sum(row["total"] for row in rows)
        rest = {"members": count - len(rows), "lines_added": lines_added - shown}
    return {"rows": members, "rest": rest}


def repos(*, team: Team, filters: DashboardFilters) -> dict:
    """Every repository (commits without one as "(no repository)"), the top REPOS_SHOWN and
    the rest in one row: the lines column adds up to the lines added tile."""
    totals = figures.repo_totals(team=team, filters=filters.metric())
    ordered = sorted(
        totals.items(), key=lambda item: (-item[1]["commits"], item[0] is None, item[0] or "")
    )
    rows = [{"repo": name} | _commit_measures(row) for name, row in ordered]
    shown, rest = rows[:REPOS_SHOWN], rows[REPOS_SHOWN:]
    other = None
    if rest:
        other = {
            "repos": len(rest),
            "commits": sum(r["commits"] for r in rest),
            "lines_added": sum(r["lines_added"] for r in rest),
        }
    named = sum(1 for name in totals if name is not None)
    return {"rows": shown, "rest": other, "count": named}


def extensions(*, team: Team, filters: DashboardFilters, lines_added: int) -> dict:
    rows = [
        {"extension": row["extension"], "changes": row["changes"]} | _commit_measures(row)
        for row in figures.extension_table(team=team, filters=filters.metric())
    ]
    without_files = lines_added - sum(r["lines_added"] for r in rows)
    return {"rows": rows, "without_files": without_files}


def notes(filters: DashboardFilters) -> dict[str, list[str]]:
    """Per chart or table: the set filters that do not apply to it, with the reason."""
    metric = filters.metric()
    out = {view.key: catalog.not_filtered(view, metric) for view in catalog.CHARTS}
    # The extension table shows two views: each column says which filters it ignores.
    lines, changes = out.pop("extensions"), out.pop("extension_changes")
    out["extension_lines"], out["extension_changes"] = lines, changes
    out["extensions"] = [f"Lines added, AI share: {n}" for n in lines] + [
        f"Accepted changes: {n}" for n in changes
    ]
    # The members' and repositories' commits column is the commits measure.
    commits = catalog.not_filtered(catalog.MEASURE["commits"], metric)
    for key in ("members", "repos"):
        out[key] = out[key] + [f"Commits column: {n}" for n in commits]
    return out


def has_any_records(*, team: Team) -> bool:
    return figures.has_records(team=team)


def model_choices(*, team: Team, filters: DashboardFilters) -> list[str]:
    """The model filter's options: the models of the window's accepted changes, plus the one
    filtered on."""
    found = figures.models_used(team=team, filters=filters.metric())
    if filters.model and filters.model not in found:
        found.append(filters.model)
    return found
