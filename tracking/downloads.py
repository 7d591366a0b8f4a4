"""The CSV downloads for people (the dashboard's "Download CSV" links).

Unlike the dialects' exports (byte-exact Cursor and Qoder formats), these honour every filter of
the dashboard, through the same selections as the figures (tracking.figures.metric_*): the
records behind the page, not a vendor's file. Columns are a named spec (header, source, cell
function), cells that a spreadsheet would run as a formula are neutralised, and rows are read
in keyset batches (memory stays flat).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Exists, OuterRef, QuerySet

from teams.models import Team
from tracking import catalog, figures, reads
from tracking.models import CommitFile
from tracking.reads import Filters

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text(value) -> str:
    """A cell: empty for None, true/false, ISO 8601 UTC for a moment, a leading ' before text a
    spreadsheet would run as a formula (=HYPERLINK(...), +cmd|..., @SUM(...))."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    value = str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def extensions(metadata) -> str:
    found = sorted(
        {e.get("fileExtension") for e in metadata or () if isinstance(e, dict)} - {None}, key=str
    )
    return text(" ".join(str(e) for e in found))


@dataclass(frozen=True)
class Column:
    header: str
    source: str  # a value path of the queryset (or an annotation below)
    cell: Callable = text


COMMIT_COLUMNS = (
    Column("commitHash", "commit_hash"),
    Column("userEmail", "member__email"),
    Column("repoName", "repo_name"),
    Column("branchName", "branch_name"),
    Column("isPrimaryBranch", "is_primary_branch"),
    Column("totalLinesAdded", "total_lines_added"),
    Column("totalLinesDeleted", "total_lines_deleted"),
    Column("aiLinesAdded", "ai_added"),
    Column("aiLinesDeleted", "ai_deleted"),
    Column("commitTime", "occurred_at"),
    Column("message", "message"),
)
CHANGE_COLUMNS = (
    Column("changeId", "change_id"),
    Column("userEmail", "member__email"),
    Column("source", "source"),
    Column("model", "model"),
    Column("accepted", "accepted"),
    Column("totalLinesAdded", "total_lines_added"),
    Column("totalLinesDeleted", "total_lines_deleted"),
    Column("fileExtensions", "metadata", extensions),
    Column("createdAt", "created_at"),
)


@dataclass(frozen=True)
class Download:
    kind: str
    columns: tuple[Column, ...]
    time_field: str
    family: catalog.Family

    @property
    def header(self) -> list[str]:
        return [c.header for c in self.columns]


COMMITS = Download("commits", COMMIT_COLUMNS, "occurred_at", catalog.COMMITS)
CHANGES = Download("changes", CHANGE_COLUMNS, "created_at", catalog.EDITOR)
DOWNLOADS = {d.kind: d for d in (COMMITS, CHANGES)}


def selection(download: Download, *, team: Team, filters: Filters) -> QuerySet:
    """The records of the figures under these filters (catalog dimensions included)."""
    if download is COMMITS:
        qs = figures.metric_commits(team=team, filters=filters).annotate(
            ai_added=figures.AI_ADDED, ai_deleted=figures.AI_DELETED
        )
        if filters.file_extensions:  # commits that have a file of those extensions
            files = CommitFile.objects.filter(
                commit=OuterRef("pk"), file_extension__in=filters.file_extensions
            )
            qs = qs.filter(Exists(files))
        return qs
    return figures.metric_changes(team=team, filters=filters)


def not_filtered(download: Download, filters: Filters) -> list[str]:
    """The set filters a download cannot apply (the link says so)."""
    view = catalog.View(download.kind, download.kind, download.family, "", _dims(download))
    return catalog.not_filtered(view, filters)


def _dims(download: Download) -> tuple[str, ...]:
    if download is COMMITS:
        return ("repository", "primary_branch", "extension")
    return ("model", "extension")


def rows(download: Download, *, team: Team, filters: Filters) -> Iterator[list[str]]:
    """The rows as CSV cells, newest first, in keyset batches."""
    qs = selection(download, team=team, filters=filters)
    sources = [c.source for c in download.columns]
    cells = [c.cell for c in download.columns]
    wanted = set(filters.file_extensions)
    meta = sources.index("metadata") if "metadata" in sources else None
    for row in reads.keyset_rows(
        qs, lambda q: q.values_list(*sources), time_field=download.time_field
    ):
        if wanted and meta is not None and not _touches(row[meta], wanted):
            continue  # a change whose files have none of the extensions
        yield [cell(value) for cell, value in zip(cells, row, strict=True)]


def _touches(metadata, wanted: set[str]) -> bool:
    return any(isinstance(e, dict) and e.get("fileExtension") in wanted for e in metadata or ())
