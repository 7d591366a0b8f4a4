"""GET /analytics/ai-code/changes.csv: the seed's columns, metadata_json, accepted only."""

from __future__ import annotations

import json

from teams.public_ids import encode_member_id
from tests.analytics_api.cursor.utils import CHANGES, CHANGES_CSV, all_items, at, csv_body, csv_rows
from tests.factories import ChangeFactory
from tracking.models import Source

WINDOW = {"startDate": "2025-07-01", "endDate": "2025-07-31"}
HEADER = (
    "change_id,user_id,user_email,source,model,total_lines_added,total_lines_deleted,"
    "created_at,metadata_json"
)


def test_rows_exactly_as_the_seed_shows(api, owner):
    ChangeFactory(member=owner, change_id="749356201", created_at=at("2025-07-30T15:10:12"))
    ChangeFactory(
        member=owner, change_id="749356202", source=Source.NEXT, model=None,
        total_lines_added=8, total_lines_deleted=2, created_at=at("2025-07-30T15:08:45"),
        metadata=[{"fileName": "src/utils/helpers.ts", "fileExtension": ".ts",
                   "linesAdded": 8, "linesDeleted": 2}],
    )  # fmt: skip
    uid = encode_member_id(owner.pk)
    response = api.get(CHANGES_CSV, WINDOW)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_body(response) == (
        f"{HEADER}\n"
        f"749356201,{uid},owner@acme.example,COMPOSER,gpt-4o,18,4,2025-07-30T15:10:12.000Z,"
        '"[{""fileName"":""src/analytics/report.ts"",""fileExtension"":""ts"",""linesAdded"":12,'
        '""linesDeleted"":3},{""fileName"":""src/analytics/ui.tsx"",""fileExtension"":""tsx"",'
        '""linesAdded"":6,""linesDeleted"":1}]"\n'
        f"749356202,{uid},owner@acme.example,TAB,,8,2,2025-07-30T15:08:45.000Z,"
        '"[{""fileName"":""src/utils/helpers.ts"",""fileExtension"":""ts"",""linesAdded"":8,'
        '""linesDeleted"":2}]"\n'
    )


def test_metadata_json_is_compact_unicode_and_omits_private_file_names(api, owner):
    ChangeFactory(
        member=owner, created_at=at("2025-07-10T00:00:00"),
        metadata=[{"fileName": "src/日本.ts", "fileExtension": ".ts", "linesAdded": 1,
                   "linesDeleted": 0}, {"fileExtension": ".go", "linesAdded": 2,
                   "linesDeleted": 1}],
    )  # fmt: skip
    cell = csv_rows(api.get(CHANGES_CSV, WINDOW))[0]["metadata_json"]
    assert cell == (
        '[{"fileName":"src/日本.ts","fileExtension":"ts","linesAdded":1,"linesDeleted":0},'
        '{"fileExtension":"go","linesAdded":2,"linesDeleted":1}]'
    )


def test_only_accepted_changes_are_exported(api, owner):
    ChangeFactory(member=owner, accepted=False, created_at=at("2025-07-10T00:00:00"))
    kept = ChangeFactory(member=owner, created_at=at("2025-07-10T00:00:00"))
    assert [r["change_id"] for r in csv_rows(api.get(CHANGES_CSV, WINDOW))] == [kept.change_id]


def test_same_rows_as_the_json_list_for_the_same_filters(api, owner, teammate):
    for i in range(9):
        ChangeFactory(member=owner if i % 2 else teammate, source=[*Source][i % 4],
                      created_at=at(f"2025-07-{10 + i % 3:02d}T00:00:00"))  # fmt: skip
    for params in (WINDOW, {**WINDOW, "user": str(owner.pk)}, {"startDate": "2025-07-11"}):
        items = all_items(api, CHANGES, **params, pageSize=4)
        rows = csv_rows(api.get(CHANGES_CSV, params))
        assert [
            (r["change_id"], r["user_id"], r["user_email"], r["source"], r["model"] or None,
             int(r["total_lines_added"]), int(r["total_lines_deleted"]), r["created_at"],
             json.loads(r["metadata_json"]))
            for r in rows
        ] == [tuple(i.values()) for i in items]  # fmt: skip
