"""The interchange formats' names, defined once: the JSON fields of both dialects, the CSV
headers the exports write (derived from those fields) and the importer reads back, and the
camelCase keys of the eight AI pairs.

Both serializers (analytics_api/cursor, analytics_api/qoder) and `manage.py ingest` import these
lists, so an export and its re-import cannot drift apart.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tracking.models import AI_PAIRS

# Unix timestamps, in query parameters and in records alike: an integer below 10**11 is seconds
# (10**11 seconds is the year 5138; 10**11 milliseconds is 1973, so no real millisecond value
# is lost), anything else milliseconds.
UNIX_SECONDS_BELOW = 10**11


def from_unix(number: int) -> datetime:
    """The UTC instant of a Unix timestamp in seconds or milliseconds (UNIX_SECONDS_BELOW).
    Raises OverflowError, OSError or ValueError when it is out of range."""
    seconds = number if number < UNIX_SECONDS_BELOW else number / 1000
    return datetime.fromtimestamp(seconds, tz=UTC)


def camel(snake: str) -> str:
    """`ide_next_lines_added` -> `ideNextLinesAdded`."""
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


# "ideNextLinesAdded" -> "ide_next_lines_added": the eight Qoder pairs, in the seed's order.
PAIR_FIELDS: dict[str, str] = {
    camel(f"{pair}_lines_{side}"): f"{pair}_lines_{side}"
    for pair in AI_PAIRS
    for side in ("added", "deleted")
}
# The Qoder dialect's pair keys: the eight pairs, then nonAi.
QODER_PAIR_KEYS = (*PAIR_FIELDS, "nonAiLinesAdded", "nonAiLinesDeleted")


def snake(camel_name: str) -> str:
    """`nonAiLinesAdded` -> `non_ai_lines_added`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel_name).lower()


# Cursor's AiCommitMetric and AiCodeChangeMetric fields, in the seed's order.
CURSOR_COMMIT_FIELDS = (
    "commitHash",
    "userId",
    "userEmail",
    "repoName",
    "branchName",
    "isPrimaryBranch",
    "totalLinesAdded",
    "totalLinesDeleted",
    "tabLinesAdded",
    "tabLinesDeleted",
    "composerLinesAdded",
    "composerLinesDeleted",
    "nonAiLinesAdded",
    "nonAiLinesDeleted",
    "message",
    "commitTs",
    "createdAt",
    "commitSource",  # beyond the seed (Cursor's current docs); JSON only, not in commits.csv
)
CURSOR_CHANGE_FIELDS = (
    "changeId",
    "userId",
    "userEmail",
    "source",
    "model",
    "totalLinesAdded",
    "totalLinesDeleted",
    "createdAt",
    "metadata",
)
# Cursor's commits.csv and changes.csv: the same fields in snake_case, metadata as JSON text.
CURSOR_COMMIT_CSV_HEADER = [snake(name) for name in CURSOR_COMMIT_FIELDS[:-1]]
CURSOR_CHANGE_CSV_HEADER = [
    "metadata_json" if name == "metadata" else snake(name) for name in CURSOR_CHANGE_FIELDS
]

# Qoder's tracking items, in the seed's order.
QODER_COMMIT_KEYS = (
    "commitHash",
    "userId",
    "userEmail",
    "repoName",
    "branchName",
    "isPrimaryBranch",
    "totalLinesAdded",
    "totalLinesDeleted",
    *QODER_PAIR_KEYS,
    "message",
    "commitTs",
    "createdAt",
)
QODER_CHANGE_KEYS = (
    "changeId",
    "userId",
    "userEmail",
    "source",
    "model",
    "totalLinesAdded",
    "totalLinesDeleted",
    "metadata",
    "createdAt",
)
# Qoder's ai-code-commits.csv keeps userName (the JSON dropped it); ai-code-changes.csv is flat.
QODER_COMMIT_CSV_HEADER = [*QODER_COMMIT_KEYS[:3], "userName", *QODER_COMMIT_KEYS[3:]]
QODER_CHANGE_CSV_HEADER = [key for key in QODER_CHANGE_KEYS if key != "metadata"]
