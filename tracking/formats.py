"""The interchange formats' names, defined once: the CSV headers the exports write and the
importer reads back, and the camelCase keys of the eight AI pairs.

Both serializers (analytics_api/cursor, analytics_api/qoder) and `manage.py ingest` import these
lists, so an export and its re-import cannot drift apart.
"""

from __future__ import annotations

from tracking.models import AI_PAIRS


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

# Cursor's commits.csv and changes.csv (snake_case, API.md).
CURSOR_COMMIT_CSV_HEADER = [
    "commit_hash",
    "user_id",
    "user_email",
    "repo_name",
    "branch_name",
    "is_primary_branch",
    "total_lines_added",
    "total_lines_deleted",
    "tab_lines_added",
    "tab_lines_deleted",
    "composer_lines_added",
    "composer_lines_deleted",
    "non_ai_lines_added",
    "non_ai_lines_deleted",
    "message",
    "commit_ts",
    "created_at",
]
CURSOR_CHANGE_CSV_HEADER = [
    "change_id",
    "user_id",
    "user_email",
    "source",
    "model",
    "total_lines_added",
    "total_lines_deleted",
    "created_at",
    "metadata_json",
]

# Qoder's ai-code-commits.csv and ai-code-changes.csv (camelCase, QODER.md).
QODER_COMMIT_CSV_HEADER = [
    "commitHash",
    "userId",
    "userEmail",
    "userName",
    "repoName",
    "branchName",
    "isPrimaryBranch",
    "totalLinesAdded",
    "totalLinesDeleted",
    *QODER_PAIR_KEYS,
    "message",
    "commitTs",
    "createdAt",
]
QODER_CHANGE_CSV_HEADER = [
    "changeId",
    "userId",
    "userEmail",
    "source",
    "model",
    "totalLinesAdded",
    "totalLinesDeleted",
    "createdAt",
]
