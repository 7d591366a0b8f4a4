"""The figure catalog: every figure the service shows, declared once.

A *family* is a kind of fact with its own records and time axis; families are never summed
into each other (lines that landed in git are not edits accepted in the IDE). A *dimension*
declares how it filters each family's records and each summary table, or why it cannot. A
*measure* declares its one-sentence definition for people, its family, how it is computed
from the family's sums (tracking/figures.py reads those sums from the records or the summary
tables), which dimensions filter it, and the names it has on each face (the Qoder API, the
dashboard, the CSV downloads).

Faces render the catalog: the Qoder overview's keys and formulas (`qoder_overview`), the
dashboard's tiles, charts and "not filtered by" notes, the definitions shown next to them, and
docs/figures.md (`markdown()`, kept current by tests/tracking/test_catalog.py). Adding a
dimension is one `Dimension` here (plus the summary-table column it needs and its migration);
adding a measure is one `Measure`.

Zulip's analytics/lib/counts.py (COUNT_STATS) is the model: the declaration is the one place
that says what a figure is; the code that computes it is checked against it (the property test
in tests/tracking/test_rollups.py compares each family's sums from the records, the summary
tables and a rebuild for drawn windows x filters).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q

# --- families --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    key: str
    label: str
    definition: str
    time_axis: str


COMMITS = Family(
    "commits",
    "Commit attribution",
    "What landed in git: each commit's lines, and how many of them an AI tool wrote, as the "
    "tool reported when the commit was made.",
    "commit time (commitTs; createdAt when a commit has none)",
)
EDITOR = Family(
    "editor",
    "Editor activity",
    "What happened in the IDE: AI edits offered and accepted, before anything is committed. "
    "An accepted edit may be changed again or never committed, so these lines are not part of "
    "the committed lines.",
    "createdAt of the edit",
)
CHAT = Family(
    "chat",
    "Chat",
    "Messages people sent to an AI assistant.",
    "createdAt of the message",
)
FAMILIES = (COMMITS, EDITOR, CHAT)


# --- dimensions ------------------------------------------------------------------------------

QBuilder = Callable[[object], Q]


@dataclass(frozen=True)
class Dimension:
    """A way to split or filter figures.

    `attribute` is the tracking.reads.Filters field that carries the filter value; `records`
    maps a record kind ("commits", "commit_files", "changes", "messages") to the Q that selects
    the records of a value, `tables` a summary table's model name to the Q on its rows. A family
    the dimension cannot filter is in `not_for`, with the reason people are shown."""

    key: str
    label: str
    param: str  # the dashboard's URL parameter
    attribute: str  # tracking.reads.Filters
    records: Mapping[str, QBuilder] = field(default_factory=dict)
    tables: Mapping[str, QBuilder] = field(default_factory=dict)
    not_for: Mapping[str, str] = field(default_factory=dict)

    def reason(self, family: Family) -> str | None:
        return self.not_for.get(family.key)


def _repo(value) -> Q:
    return Q(repo_known=True, repo_name=value)


def _exts(column: str) -> QBuilder:
    return lambda values: Q(**{f"{column}__in": tuple(values)})


REPO_TABLES = ("TeamCommitDay", "MemberCommitDay", "TeamFileDay", "TeamToolDay")
DAY = Dimension(
    "day", "Day", "start/end", "start",
    not_for={},
)  # fmt: skip
MEMBER = Dimension("member", "Member", "member", "who")
REPOSITORY = Dimension(
    "repository", "Repository", "repo", "repo_name",
    records={
        "commits": lambda v: Q(repo_name=v),
        "commit_files": lambda v: Q(commit__repo_name=v),
        "attribution": lambda v: Q(attribution__repo_name=v),
    },
    tables={name: _repo for name in REPO_TABLES},
    not_for={
        "editor": "IDE edits have no repository",
        "chat": "messages have no repository",
    },
)  # fmt: skip
PRIMARY_BRANCH = Dimension(
    "primary_branch", "Primary branch only", "primary", "primary_branch_only",
    records={
        "commits": lambda v: Q(is_primary_branch=True) if v else Q(),
        "commit_files": lambda v: Q(commit__is_primary_branch=True) if v else Q(),
        "attribution": lambda v: Q(attribution__primary=True) if v else Q(),
    },
    tables={
        **{name: (lambda v: Q(primary=True) if v else Q()) for name in REPO_TABLES},
        "MemberCommitSpan": lambda v: Q(primary=True) if v else Q(),
    },
    not_for={
        "editor": "IDE edits have no branch",
        "chat": "messages have no branch",
    },
)  # fmt: skip
EXTENSION = Dimension(
    "extension", "File extension", "ext", "file_extensions",
    records={"commit_files": _exts("file_extension")},
    tables={
        "TeamFileDay": _exts("file_extension"),
        "TeamExtDay": _exts("file_extension"),
        "TeamChangeExtDay": _exts("file_extension"),
    },
    not_for={
        "editor": "an IDE edit is counted once, not per file (the extension table counts "
        "accepted edits per extension)",
        "chat": "messages have no files",
    },
)  # fmt: skip
SOURCE = Dimension(
    "source", "Source", "source", "source",
    records={"changes": lambda v: Q(source=v)},
    tables={"TeamChangeDay": lambda v: Q(source=v)},
    not_for={"commits": "a commit's lines are split by tool, not by IDE source",
             "chat": "not filtered by source"},
)  # fmt: skip
MODEL = Dimension(
    "model", "Model", "model", "model",
    records={"changes": lambda v: Q(model=v) if v else Q(model__isnull=True) | Q(model=""),
             "attribution": lambda v: Q(model=v or "")},
    tables={"TeamChangeDay": lambda v: Q(model=v or ""),
            "TeamToolDay": lambda v: Q(model=v or "")},
    not_for={
        "commits": "the Cursor and Qoder commit records name no model (the attribution "
                   "figures by tool and model split lines by model where git-ai or Agent "
                   "Trace name one)",
        "chat": "message counts are kept per day, not per model",
    },
)  # fmt: skip
TOOL = Dimension(
    "tool", "AI tool", "tool", "tool",
    records={"attribution": lambda v: Q(tool=v)},
    tables={"TeamToolDay": lambda v: Q(tool=v)},
    not_for={
        "commits": "the Cursor and Qoder commit records are counted whole (the attribution "
                   "figures split committed lines by tool)",
        "editor": "IDE edits are Cursor's or Qoder's records, not split by tool here",
        "chat": "messages are not split by tool",
    },
)  # fmt: skip
DIMENSIONS = (DAY, MEMBER, REPOSITORY, PRIMARY_BRANCH, EXTENSION, SOURCE, MODEL, TOOL)
BY_KEY = {d.key: d for d in DIMENSIONS}
# The dashboard's filters, in the order of its form.
DASHBOARD_FILTERS = (MEMBER, REPOSITORY, PRIMARY_BRANCH, EXTENSION, MODEL, TOOL)


def is_set(dimension: Dimension, filters) -> bool:
    value = getattr(filters, dimension.attribute)
    return bool(value) if not isinstance(value, bool) else value


def record_q(kind: str, filters) -> Q:
    """The Q of every set filter that applies to records of `kind` (besides window and member,
    which tracking.reads applies)."""
    q = Q()
    for dimension in DIMENSIONS:
        build = dimension.records.get(kind)
        if build is not None and is_set(dimension, filters):
            q &= build(getattr(filters, dimension.attribute))
    return q


def table_q(table: str, filters) -> Q:
    """The same on the rows of a summary table."""
    q = Q()
    for dimension in DIMENSIONS:
        build = dimension.tables.get(table)
        if build is not None and is_set(dimension, filters):
            q &= build(getattr(filters, dimension.attribute))
    return q


# --- measures --------------------------------------------------------------------------------


def clamp_rate(numerator: int, denominator: int) -> float:
    """A share in percent, rounded to two decimals, clamped to 0-100: 0 when the denominator is
    0. A vendor may report more AI lines than lines (stored as sent, counted as a data-quality
    note); a share never shows more than 100 %."""
    if not denominator:
        return 0.0
    return round(min(100.0, max(0.0, 100.0 * numerator / denominator)), 2)


Sums = Mapping[str, int]


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    definition: str
    family: Family
    compute: Callable[[Sums], float | int]
    unit: str = "count"  # count | lines | percent
    dimensions: tuple[str, ...] = ()  # besides day and member, which filter every measure
    faces: Mapping[str, str] = field(default_factory=dict)  # face -> name there
    dashboard: bool = False  # a tile of the dashboard
    not_for: Mapping[str, str] = field(default_factory=dict)  # dimension -> why it does not apply

    @property
    def percent(self) -> bool:
        return self.unit == "percent"

    def value(self, sums: Sums):
        return self.compute(sums)

    def filtered_by(self, dimension: Dimension) -> bool:
        return dimension.key in ("day", "member") or dimension.key in self.dimensions

    def not_filtered_reason(self, dimension: Dimension) -> str | None:
        if self.filtered_by(dimension):
            return None
        return (
            self.not_for.get(dimension.key)
            or dimension.reason(self.family)
            or f"not split by {dimension.label.lower()}"
        )


COMMIT_DIMS = ("repository", "primary_branch", "extension")
COMMIT_DIMS_NO_EXT = ("repository", "primary_branch")
EDITOR_DIMS = ("model",)
# Commit attribution by tool and model (tracking/attribution/): every source, one winner per
# commit. Lines are those of the committed files: no per-extension split.
ATTRIBUTION_DIMS = ("repository", "primary_branch", "tool", "model")
_NO_EXT = {"extension": "attribution is kept per commit, not per file extension"}

MEASURES = (
    Measure(
        "lines_added", "Lines added",
        "Lines added by the commits in the window, by people and AI alike (with an extension "
        "filter: lines added in files of those extensions).",
        COMMITS, lambda s: s["lines_added"], "lines", COMMIT_DIMS,
        {"dashboard": "Lines added", "csv": "totalLinesAdded"}, dashboard=True,
    ),
    Measure(
        "ai_lines_added", "AI lines added",
        "Of the lines added, those the AI tools reported as written by AI (every tool and "
        "mode summed), as sent by the tool.",
        COMMITS, lambda s: s["ai_added"], "lines", COMMIT_DIMS,
        {"dashboard": "AI lines added"}, dashboard=True,
    ),
    Measure(
        "ai_share", "AI share of lines added",
        "AI lines added divided by lines added, clamped to 0-100 %: the one AI share of the "
        "dashboard (tiles, chart, members, repositories and extensions).",
        COMMITS, lambda s: clamp_rate(s["ai_added"], s["lines_added"]), "percent",
        COMMIT_DIMS, {"dashboard": "AI share of lines added"}, dashboard=True,
    ),
    Measure(
        "commits", "Commits",
        "Commits made in the window.",
        COMMITS, lambda s: s["commits"], "count", COMMIT_DIMS_NO_EXT,
        {"dashboard": "Commits", "qoder": "commitCount"}, dashboard=True,
        not_for={"extension": "a commit is counted whole, whatever extensions its files have"},
    ),
    Measure(
        "ai_over_total", "Commits with more AI lines than lines",
        "Commits whose AI lines added (or deleted) exceed their lines added (or deleted): "
        "stored as the tool sent them, shown as a data-quality note.",
        COMMITS, lambda s: s["over_ai"], "count", COMMIT_DIMS_NO_EXT,
        not_for={"extension": "a commit is counted whole, whatever extensions its files have"},
    ),
    Measure(
        "committed_lines", "Committed lines (added + deleted)",
        "Lines added plus lines deleted by the commits in the window (Qoder's "
        "committedTotalLinesEdit).",
        COMMITS, lambda s: s["lines_added"] + s["lines_deleted"], "lines", COMMIT_DIMS_NO_EXT,
        {"qoder": "committedTotalLinesEdit"},
    ),
    Measure(
        "committed_ai_lines", "Committed AI lines (added + deleted)",
        "AI lines added plus AI lines deleted (Qoder's committedAiLinesEdit).",
        COMMITS, lambda s: s["ai_added"] + s["ai_deleted"], "lines", COMMIT_DIMS_NO_EXT,
        {"qoder": "committedAiLinesEdit"},
    ),
    Measure(
        "qoder_ai_share", "Qoder AI share (added + deleted)",
        "Committed AI lines divided by committed lines, clamped to 0-100 % (Qoder's "
        "aiShareRate of stats/overview; the dashboard's AI share counts lines added only).",
        COMMITS,
        lambda s: clamp_rate(
            s["ai_added"] + s["ai_deleted"], s["lines_added"] + s["lines_deleted"]
        ),
        "percent", COMMIT_DIMS_NO_EXT, {"qoder": "aiShareRate"},
    ),
    Measure(
        "attributed_lines", "Attributed lines added",
        "Lines added by the commits in the window as their winning source tells them (git-ai "
        "note, else Agent Trace, else the Cursor or Qoder record, else git alone): AI, human and "
        "unknown (untracked) lines; with a tool or model filter, that tool's or model's lines.",
        COMMITS, lambda s: s["attributed_added"], "lines", ATTRIBUTION_DIMS,
        {"dashboard": "Attributed lines added", "api": "linesAdded"}, not_for=_NO_EXT,
    ),
    Measure(
        "tool_ai_lines", "AI lines added by tool",
        "Of the attributed lines added, those an AI tool wrote (every tool and model unless "
        "filtered).",
        COMMITS, lambda s: s["attributed_ai"], "lines", ATTRIBUTION_DIMS,
        {"dashboard": "AI lines by tool", "api": "aiLinesAdded"}, not_for=_NO_EXT,
    ),
    Measure(
        "tool_ai_share", "AI share of attributed lines (all tools)",
        "AI lines added by tool divided by attributed lines added (AI + human + unknown), "
        "clamped to 0-100 %. Under a tool or model filter the denominator stays every line of "
        "the window's commits. It differs from the AI share of lines added, which reads the "
        "Cursor and Qoder commit records alone: this one takes one source per commit and also "
        "counts the commits known only from git-ai, Agent Trace or git, whose untracked lines "
        "are in its denominator.",
        COMMITS, lambda s: clamp_rate(s["attributed_ai"], s["attributed_all"]), "percent",
        ATTRIBUTION_DIMS, {"dashboard": "AI share of attributed lines", "api": "aiShare"},
        not_for=_NO_EXT,
    ),
    Measure(
        "human_lines", "Human lines added",
        "Attributed lines added that a source saw a person type (git-ai's known humans, "
        "Agent Trace human ranges).",
        COMMITS, lambda s: s["attributed_human"], "lines", ("repository", "primary_branch"),
        {"api": "humanLinesAdded"},
        not_for={**_NO_EXT, "tool": "human lines have no tool",
                 "model": "human lines have no model"},
    ),
    Measure(
        "unknown_lines", "Unknown (untracked) lines added",
        "Attributed lines added that no source claims: typed or pasted without a tracker, or "
        "by a tool that reports nothing.",
        COMMITS, lambda s: s["attributed_unknown"], "lines", ("repository", "primary_branch"),
        {"api": "unknownLinesAdded"},
        not_for={**_NO_EXT, "tool": "unknown lines have no tool",
                 "model": "unknown lines have no model"},
    ),
    Measure(
        "accepted_lines", "Accepted AI lines (IDE)",
        "Lines added plus deleted by the AI edits people accepted in the IDE (Qoder's "
        "acceptedLinesEdit): editor activity, not committed lines.",
        EDITOR, lambda s: s["accepted_lines"], "lines", EDITOR_DIMS,
        {"qoder": "acceptedLinesEdit", "dashboard": "Accepted AI lines (IDE)"}, dashboard=True,
    ),
    Measure(
        "agent_edits", "Agent edits",
        "Accepted AI edits made by an agent, quest or inline chat (every source but tab "
        "completion).",
        EDITOR, lambda s: s["agent_edits"], "count", EDITOR_DIMS,
        {"qoder": "agentEditCount", "dashboard": "Agent edits"}, dashboard=True,
    ),
    Measure(
        "tab_completions", "Tab completions accepted",
        "Tab completions people accepted.",
        EDITOR, lambda s: s["tab_completions"], "count", EDITOR_DIMS,
        {"qoder": "tabCompletionCount", "dashboard": "Tab completions"}, dashboard=True,
    ),
    Measure(
        "tab_suggestions", "Tab completions suggested",
        "Tab completions the IDE suggested, accepted or not.",
        EDITOR, lambda s: s["tab_suggestions"], "count", EDITOR_DIMS,
        {"qoder": "nextSuggestedCount"},
    ),
    Measure(
        "tab_accept_rate", "Tab acceptance rate",
        "Tab completions accepted divided by tab completions suggested (no value on a day "
        "without suggestions).",
        EDITOR, lambda s: clamp_rate(s["tab_completions"], s["tab_suggestions"]), "percent",
        EDITOR_DIMS, {"qoder": "nextAcceptRate"},
    ),
    Measure(
        "messages", "Messages",
        "Messages people sent to an AI assistant.",
        CHAT, lambda s: s["messages"], "count", (),
        {"qoder": "messageCount", "dashboard": "Messages"}, dashboard=True,
    ),
)  # fmt: skip
MEASURE = {m.key: m for m in MEASURES}
TILES = tuple(m for m in MEASURES if m.dashboard)

# The Qoder overview (QODER.md stats/overview), in the seed's key order.
QODER_OVERVIEW = (
    "committed_lines",
    "committed_ai_lines",
    "accepted_lines",
    "qoder_ai_share",
    "agent_edits",
    "tab_completions",
    "messages",
)


def qoder_overview(sums: Sums) -> dict:
    return {MEASURE[k].faces["qoder"]: MEASURE[k].value(sums) for k in QODER_OVERVIEW}


# The dashboard's charts and tables: what they show, from which measures, filtered by what.
@dataclass(frozen=True)
class View:
    key: str
    label: str
    family: Family
    definition: str
    dimensions: tuple[str, ...]

    def not_filtered(self, filters) -> list[str]:
        return not_filtered(self, filters)


CHARTS = (
    View("share", "AI and other lines added, per day", COMMITS,
         "Lines added per day, split into AI lines (capped at the day's lines added) and the "
         "rest; the line is the AI share of lines added.", COMMIT_DIMS),
    View("ext", "Lines added per file extension, per day", COMMITS,
         "Lines added per day in the top file extensions, from the commits' per-file rows.",
         COMMIT_DIMS),
    View("model", "Accepted AI lines by model, per day", EDITOR,
         "Lines added plus deleted by accepted AI edits in the IDE, per model.", EDITOR_DIMS),
    View("next", "Tab completions: suggested, accepted and acceptance rate, per day", EDITOR,
         "Tab completions suggested and accepted per day; the rate has a gap on days "
         "without suggestions.", EDITOR_DIMS),
    View("members", "Members", COMMITS,
         "Members by AI lines added in the window's commits.", COMMIT_DIMS),
    View("repos", "Repositories", COMMITS,
         "Commits and lines added per repository; commits without a repository are one row.",
         COMMIT_DIMS),
    View("extensions", "File extensions", COMMITS,
         "Lines added and AI share per extension, from the commits' per-file rows.",
         COMMIT_DIMS),
    View("tools", "AI share of committed lines by tool, per day", COMMITS,
         "Attributed lines added per day, stacked by AI tool, with human and unknown lines; "
         "every source, one winner per commit.", ATTRIBUTION_DIMS),
    View("tool_models", "AI lines added by model", COMMITS,
         "AI lines added in the window's commits per model (an empty model: the source "
         "named none).", ATTRIBUTION_DIMS),
    View("extension_changes", "Accepted changes per file extension", EDITOR,
         "Accepted IDE edits whose files have the extension (an edit of several extensions "
         "counts once for each).", ("extension", "model")),
)  # fmt: skip
CHART = {c.key: c for c in CHARTS}


def not_filtered(item, filters) -> list[str]:
    """'not filtered by X: why' for each set filter that does not apply to a measure or view."""
    out = []
    for dimension in DASHBOARD_FILTERS:
        if not is_set(dimension, filters):
            continue
        if isinstance(item, Measure):
            reason = item.not_filtered_reason(dimension)
        elif dimension.key in ("day", "member") or dimension.key in item.dimensions:
            reason = None
        else:
            reason = dimension.reason(item.family) or "not split by it"
        if reason:
            out.append(f"not filtered by {dimension.label.lower()}: {reason}")
    return out


# --- docs/figures.md -------------------------------------------------------------------------


def markdown() -> str:
    """docs/figures.md, generated from the declarations above."""
    out = [
        "# Figures",
        "",
        "Generated from `tracking/catalog.py` by `python manage.py figures_doc`; "
        "`tests/tracking/test_catalog.py` fails when this file is stale. Every face (the Qoder "
        "API, the dashboard, the CSV downloads) renders these definitions.",
        "",
        "## Families (never summed into each other)",
        "",
    ]
    for family in FAMILIES:
        out.append(f"- **{family.label}** (`{family.key}`, by {family.time_axis}): "
                   f"{family.definition}")  # fmt: skip
    out += ["", "## Measures", "", "| measure | family | definition | filtered by | faces |",
            "|---|---|---|---|---|"]  # fmt: skip
    for m in MEASURES:
        dims = ", ".join(["day", "member", *m.dimensions])
        faces = ", ".join(f"{face}: `{name}`" for face, name in m.faces.items()) or "-"
        out.append(f"| {m.label} (`{m.key}`) | {m.family.label} | {m.definition} | {dims} | "
                   f"{faces} |")  # fmt: skip
    out += ["", "## Dimensions", "", "| dimension | dashboard parameter | does not filter |",
            "|---|---|---|"]  # fmt: skip
    for d in DIMENSIONS:
        nots = "; ".join(f"{k}: {why}" for k, why in d.not_for.items()) or "-"
        out.append(f"| {d.label} (`{d.key}`) | `{d.param}` | {nots} |")
    out += ["", "## Dashboard charts and tables", "", "| view | family | definition | "
            "filtered by |", "|---|---|---|---|"]  # fmt: skip
    for c in CHARTS:
        dims = ", ".join(["day", "member", *c.dimensions])
        out.append(f"| {c.label} | {c.family.label} | {c.definition} | {dims} |")
    out += [
        "",
        "## Rules every face follows",
        "",
        "- Shares are clamped to 0-100 %. Records whose AI lines exceed their lines are stored "
        "as sent and counted (`ai_over_total`): the dashboard shows the count as a data-quality "
        "note, `manage.py rollups verify` prints it.",
        "- The dashboard's preset windows are whole days that have ended (in the team's time "
        "zone, UTC by default); each tile compares with the window of equal length before it, "
        'and says "no earlier data" when that window holds no records of the tile\'s family. '
        '"Today so far" (and a custom range that includes today) is compared with the same '
        "span ending as long before now.",
        "- A team time zone (Team.time_zone, set by a team admin on the Manage page, or in the "
        "admin) moves every day boundary of the "
        "dashboard. The summary tables hold UTC days: for another zone the totals read them for "
        "the whole UTC days inside the window and the records for the hours at its edges, and "
        "the per-day charts read the records (a cost that grows with the window; hourly "
        "summary rows would remove it). The APIs keep the vendors' UTC days.",
        "- A filter that does not apply to a figure is named on that figure, with the reason.",
        "",
    ]
    return "\n".join(out)
