"""The import rule: a poorer format never overwrites richer stored values.

NDJSON and JSON arrays carry every field of a record. The four CSV exports do not: Cursor's
commits.csv gives the eight AI pairs as its tab/composer split and its changes.csv a change's
source as TAB/COMPOSER; both round timestamps to milliseconds, Qoder's CSVs to seconds; no CSV
says whether a change was accepted, none but a commits.csv with that column gives
commitSource, and an empty cell cannot tell "" from null. Ingesting such a file back (the
README's curl lines save exactly these files) used to turn every QUEST change into AGENT and
move a commit's plugin_next lines to ide_next.

The rule, field by field, for a record whose identity is stored:
- a field the format cannot carry keeps its stored value;
- a field the format carries coarsely keeps its stored value when that value, made as coarse,
  is what the file says (QUEST shown as COMPOSER, 3 plugin_next + 2 ide_next lines shown as 5
  tab lines, 12:00:00.123456 shown as 12:00:00.123); when the file says something else, the file
  is newer information and is stored, in the only form it has;
- every other field is stored as the file says, as from any format.
So re-ingesting an export of the same data writes nothing, and a corrected count in a CSV still
lands. Merging field by field was chosen over skipping stored identities (which would drop such
corrections) and over refusing the file (the README's files are legitimate input).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from teams.models import Team
from tracking.formats import PAIR_FIELDS
from tracking.ingest.records import CHANGES, COMMITS, Record
from tracking.models import COMPOSER_PAIRS, TAB_PAIRS, Change, Commit

MILLISECOND, SECOND = timedelta(milliseconds=1), timedelta(seconds=1)
_PAIR_COLUMNS = tuple(PAIR_FIELDS.values())
_TEXT = ("repo_name", "branch_name", "message", "model")
_TIMES = ("created_at", "commit_ts")


@dataclass(frozen=True)
class Fidelity:
    """What a format can say about a record's stored columns."""

    absent: frozenset[str] = frozenset()  # columns it cannot carry
    cursor_split: bool = False  # the eight pairs as Cursor's tab/composer split (commits)
    cursor_sources: bool = False  # a change's source as TAB/COMPOSER
    precision: timedelta | None = None  # timestamps cut to this
    empty_is_null: bool = False  # an empty cell: "" or null

    @property
    def full(self) -> bool:
        return self == FULL


FULL = Fidelity()
_MODELS = {COMMITS: Commit, CHANGES: Change}


def keep_richer(*, team: Team, kind: str, records: list[Record], fidelity: Fidelity) -> int:
    """Give each record whose identity is stored the stored values the format could not say
    (the rule above), in place. Returns how many records kept something."""
    if fidelity.full or kind not in _MODELS or not records:
        return 0
    stored = _stored(team, kind, records)
    kept = 0
    for record in records:
        old = stored.get(record.key)
        if old is not None and _merge(record.values, old, fidelity):
            kept += 1
    return kept


# The columns the rule reads (not range annotations or metadata: those a CSV leaves alone).
_COLUMNS = {
    COMMITS: (
        "commit_hash", "repo_name", "branch_name", "message", "commit_ts", "created_at",
        "commit_source", *_PAIR_COLUMNS,
    ),
    CHANGES: ("change_id", "source", "model", "accepted", "created_at"),
}  # fmt: skip


def _stored(team: Team, kind: str, records: list[Record]) -> dict[tuple, dict]:
    """The batch's stored rows by identity: one query (the last key column is indexed)."""
    model = _MODELS[kind]
    if kind == COMMITS:
        rows = model.objects.of(team).filter(commit_hash__in={r.key[1] for r in records})
        key = lambda row: (row["repo_name"] or "", row["commit_hash"])  # noqa: E731
    else:
        rows = model.objects.of(team).filter(change_id__in={r.key[0] for r in records})
        key = lambda row: (row["change_id"],)  # noqa: E731
    wanted = {record.key for record in records}
    return {key(row): row for row in rows.values(*_COLUMNS[kind]) if key(row) in wanted}


def _merge(new: dict, old: dict, fidelity: Fidelity) -> bool:
    kept = False
    for column in fidelity.absent & new.keys():
        kept |= _keep(new, old, column, True)
    for column in _TIMES:
        if fidelity.precision and column in new and new[column] is not None:
            kept |= _keep(new, old, column, _cut(old[column], fidelity.precision) == new[column])
    if fidelity.empty_is_null:
        for column in _TEXT:
            kept |= _keep(
                new, old, column, column in new and new[column] is None and old[column] == ""
            )
    if fidelity.cursor_sources and "source" in new:
        kept |= _keep(new, old, "source", _cursor_source(old["source"]) == new["source"])
    if fidelity.cursor_split and "ide_next_lines_added" in new and _same_split(new, old):
        for column in _PAIR_COLUMNS:
            kept |= _keep(new, old, column, True)
    return kept


def _keep(new: dict, old: dict, column: str, consistent: bool) -> bool:
    """The stored value instead of the file's, when consistent; True if that changed it."""
    if not consistent or new[column] == old[column]:
        return False
    new[column] = old[column]
    return True


def _cut(value: datetime | None, precision: timedelta) -> datetime | None:
    if value is None:
        return None
    return value - (value - value.min.replace(tzinfo=value.tzinfo)) % precision


def _cursor_source(source: str) -> str:
    """A stored source as Cursor's changes.csv writes it, read back (TAB -> NEXT,
    COMPOSER -> AGENT)."""
    return "NEXT" if source == "NEXT" else "AGENT"


def _same_split(new: dict, old: dict) -> bool:
    """Whether the stored pairs sum to the file's tab (ide_next) and composer (ide_agent)."""
    for side in ("added", "deleted"):
        tab = sum(old[f"{pair}_lines_{side}"] for pair in TAB_PAIRS)
        composer = sum(old[f"{pair}_lines_{side}"] for pair in COMPOSER_PAIRS)
        if (tab, composer) != (new[f"ide_next_lines_{side}"], new[f"ide_agent_lines_{side}"]):
            return False
    return True
