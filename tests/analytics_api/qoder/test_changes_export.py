"""GET ai-code-tracking/changes/export: flat CSV of accepted changes, no metadata."""

from __future__ import annotations

import csv
import io

from analytics_api.qoder import serialization
from tests.factories import ChangeFactory
from tracking import reads

from .conftest import TRACKING_RANGE, assert_qoder_error, at, in_range, qoder_url

PATH = "ai-code-tracking/changes/export"
SEED_HEADER = "changeId,userId,userEmail,source,model,totalLinesAdded,totalLinesDeleted,createdAt"


def read_csv(response) -> tuple[str, list[dict]]:
    text = b"".join(response.streaming_content).decode()
    return text.split("\n", 1)[0], list(csv.DictReader(io.StringIO(text)))


def test_it_streams_a_csv_attachment_with_the_seeds_header(qoder, world):
    response = qoder.get(qoder_url(world["team"], PATH, **TRACKING_RANGE))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ai-code-changes.csv"'
    header, _rows = read_csv(response)
    assert header == SEED_HEADER


def test_rows_are_the_accepted_changes_newest_first(qoder, world):
    _header, rows = read_csv(qoder.get(qoder_url(world["team"], PATH, **TRACKING_RANGE)))

    expected = sorted(
        (c for c in world["changes"] if c.accepted and in_range(c.created_at)),
        key=lambda c: (c.created_at, c.pk),
        reverse=True,
    )
    assert [r["changeId"] for r in rows] == [c.change_id for c in expected]
    first = expected[0]
    assert rows[0] == {
        "changeId": first.change_id,
        "userId": str(first.member.uuid),
        "userEmail": first.member.email,
        "source": first.source,
        "model": first.model or "",
        "totalLinesAdded": str(first.total_lines_added),
        "totalLinesDeleted": str(first.total_lines_deleted),
        "createdAt": first.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def test_source_filters_the_export(qoder, world):
    _header, rows = read_csv(
        qoder.get(qoder_url(world["team"], PATH, source="QUEST", **TRACKING_RANGE))
    )

    assert [r["source"] for r in rows] == ["QUEST"]


def test_it_rejects_an_unknown_source(qoder, team):
    response = qoder.get(qoder_url(team, PATH, source="COMPOSER"))

    assert_qoder_error(response, 400, "BadRequest", "source")


def test_batches_continue_after_the_last_row_even_across_equal_times(team, owner):
    made = [ChangeFactory(member=owner, created_at=at(2 + n // 3)) for n in range(7)]
    filters = reads.Filters(start=at(1), end=at(9))
    qs = reads.accepted_changes(team=team, filters=filters)

    rows = list(reads.keyset_rows(qs, serialization.change_csv_rows, batch=2))

    expected = sorted(made, key=lambda c: (c.created_at, c.pk), reverse=True)
    assert [r[0] for r in rows] == [c.change_id for c in expected]


def test_it_streams_in_a_bounded_number_of_queries(
    qoder, world, settings, django_assert_num_queries
):
    settings.RATELIMIT_ENABLE = False
    url = qoder_url(world["team"], PATH, **TRACKING_RANGE)
    qoder.get(url)

    with django_assert_num_queries(2):  # key lookup + one batch (under 10,000 rows)
        response = qoder.get(url)
        b"".join(response.streaming_content)
