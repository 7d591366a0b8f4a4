"""GET ai-code-tracking/changes: accepted changes only, source filter, the seed's item shape."""

from __future__ import annotations

import pytest

from tests.factories import ChangeFactory

from .conftest import TRACKING_RANGE, assert_qoder_error, at, in_range, qoder_url

PATH = "ai-code-tracking/changes"


def ids(body) -> list[str]:
    return [item["changeId"] for item in body["data"]["items"]]


def newest_first(changes) -> list[str]:
    ordered = sorted(changes, key=lambda c: (c.created_at, c.pk), reverse=True)
    return [c.change_id for c in ordered]


def test_an_item_has_the_seeds_fields(qoder, team, owner):
    metadata = [
        {"fileName": "main.go", "fileExtension": ".go", "linesAdded": 30, "linesDeleted": 8},
        {"fileExtension": ".go", "linesAdded": 15, "linesDeleted": 4},
    ]
    ChangeFactory(
        member=owner,
        change_id="chg_abc123",
        source="AGENT",
        model="efficient",
        total_lines_added=45,
        total_lines_deleted=12,
        metadata=metadata,
        created_at=at(15, 10, 28),
    )

    body = qoder.get(qoder_url(team, PATH, startDate="2025-06-01", endDate="2025-06-30")).json()

    assert body["data"]["items"] == [
        {
            "changeId": "chg_abc123",
            "userId": str(owner.uuid),
            "userEmail": "owner@acme.example",
            "source": "AGENT",
            "model": "efficient",
            "totalLinesAdded": 45,
            "totalLinesDeleted": 12,
            "metadata": metadata,  # privacy mode: no fileName key, not null
            "createdAt": "2025-06-15T10:28:00Z",
        }
    ]


def test_it_lists_accepted_changes_newest_first(qoder, world):
    body = qoder.get(qoder_url(world["team"], PATH, **TRACKING_RANGE)).json()

    expected = [c for c in world["changes"] if c.accepted and in_range(c.created_at)]
    assert ids(body) == newest_first(expected)
    assert body["data"]["pagination"]["totalItems"] == len(expected) == 5


@pytest.mark.parametrize("source", ["NEXT", "AGENT", "QUEST", "INLINECHAT", "quest"])
def test_source_filters_changes(qoder, world, source):
    body = qoder.get(qoder_url(world["team"], PATH, source=source, **TRACKING_RANGE)).json()

    expected = [
        c
        for c in world["changes"]
        if c.accepted and in_range(c.created_at) and c.source == source.upper()
    ]
    assert ids(body) == newest_first(expected)
    assert {i["source"] for i in body["data"]["items"]} <= {source.upper()}


def test_model_is_shown_as_stored_including_null(qoder, world):
    items = qoder.get(qoder_url(world["team"], PATH, source="NEXT", **TRACKING_RANGE)).json()
    models = {i["changeId"]: i["model"] for i in items["data"]["items"]}

    assert models == {
        c.change_id: c.model
        for c in world["changes"]
        if c.source == "NEXT" and c.accepted and in_range(c.created_at)
    }
    assert None in models.values()


def test_user_id_filters_changes(qoder, world):
    teammate = world["members"]["teammate"]
    url = qoder_url(world["team"], PATH, userId=str(teammate.uuid), **TRACKING_RANGE)

    expected = [
        c
        for c in world["changes"]
        if c.member == teammate and c.accepted and in_range(c.created_at)
    ]
    assert ids(qoder.get(url).json()) == newest_first(expected)


def test_it_rejects_an_unknown_source(qoder, team):
    response = qoder.get(qoder_url(team, PATH, source="TAB"))

    assert_qoder_error(response, 400, "BadRequest", "source", "AGENT")


def test_it_rejects_a_malformed_user_id(qoder, team):
    response = qoder.get(qoder_url(team, PATH, userId="550e8400"))

    assert_qoder_error(response, 400, "BadRequest", "userId")


def test_it_answers_in_a_bounded_number_of_queries(
    qoder, world, settings, django_assert_num_queries
):
    settings.RATELIMIT_ENABLE = False
    url = qoder_url(world["team"], PATH, startDate="2025-06-01", endDate="2025-06-03")
    qoder.get(url)

    # key lookup + count (the daily summary: whole days) + one page of rows
    with django_assert_num_queries(3):
        assert qoder.get(url).status_code == 200
