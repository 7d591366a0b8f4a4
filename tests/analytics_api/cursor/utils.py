"""Small helpers of the Cursor endpoint tests."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

COMMITS = "/analytics/ai-code/commits"
CHANGES = "/analytics/ai-code/changes"
COMMITS_CSV = "/analytics/ai-code/commits.csv"
CHANGES_CSV = "/analytics/ai-code/changes.csv"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def csv_body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(csv_body(response))))


def all_items(api, path: str, **params) -> list[dict]:
    """Every item of a JSON list, page by page, as a client would fetch them."""
    items, page = [], 1
    while True:
        body = api.get(path, {**params, "page": page}).json()
        items += body["items"]
        if len(body["items"]) < body["pageSize"]:
            return items
        page += 1
