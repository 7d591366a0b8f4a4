"""GET /analytics/ai-code/changes: fields, source mapping, privacy mode, accepted only, paging."""

from __future__ import annotations

import pytest

from teams.public_ids import encode_member_id
from tests.analytics_api.cursor.utils import CHANGES, all_items, at
from tests.conftest import basic
from tests.factories import ChangeFactory, MemberFactory
from tracking.models import Source

WINDOW = {"startDate": "2025-07-01", "endDate": "2025-07-31"}


def test_every_field_in_the_seed_order(api, owner):
    ChangeFactory(
        member=owner, change_id="749356201", source=Source.AGENT, model=None,
        total_lines_added=18, total_lines_deleted=4, created_at=at("2025-07-30T15:10:12.5"),
    )  # fmt: skip
    body = api.get(CHANGES, WINDOW).json()
    assert body == {
        "items": [
            {
                "changeId": "749356201",
                "userId": encode_member_id(owner.pk),
                "userEmail": "owner@acme.example",
                "source": "COMPOSER",
                "model": None,
                "totalLinesAdded": 18,
                "totalLinesDeleted": 4,
                "createdAt": "2025-07-30T15:10:12.500Z",
                "metadata": [
                    {
                        "fileName": "src/analytics/report.ts",
                        "fileExtension": "ts",
                        "linesAdded": 12,
                        "linesDeleted": 3,
                    },
                    {
                        "fileName": "src/analytics/ui.tsx",
                        "fileExtension": "tsx",
                        "linesAdded": 6,
                        "linesDeleted": 1,
                    },
                ],  # fmt: skip
            }
        ],
        "totalCount": 1,
        "page": 1,
        "pageSize": 100,
    }
    assert list(body["items"][0]) == [
        "changeId", "userId", "userEmail", "source", "model", "totalLinesAdded",
        "totalLinesDeleted", "createdAt", "metadata",
    ]  # fmt: skip
    assert list(body["items"][0]["metadata"][0]) == [
        "fileName", "fileExtension", "linesAdded", "linesDeleted"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "shown"),
    [(Source.NEXT, "TAB"), (Source.AGENT, "COMPOSER"), (Source.QUEST, "COMPOSER"),
     (Source.INLINECHAT, "COMPOSER")],
)  # fmt: skip
def test_sources_in_the_cursor_dialect(api, owner, source, shown):
    ChangeFactory(member=owner, source=source, created_at=at("2025-07-10T00:00:00"))
    assert api.get(CHANGES, WINDOW).json()["items"][0]["source"] == shown


def test_privacy_mode_leaves_file_name_out_not_null(api, owner):
    ChangeFactory(
        member=owner,
        created_at=at("2025-07-10T00:00:00"),
        metadata=[
            {"fileExtension": ".go", "linesAdded": 3, "linesDeleted": 0},
            {"fileName": None, "fileExtension": "py", "linesAdded": 1, "linesDeleted": 2},
        ],
    )
    metadata = api.get(CHANGES, WINDOW).json()["items"][0]["metadata"]
    assert metadata == [
        {"fileExtension": "go", "linesAdded": 3, "linesDeleted": 0},
        {"fileExtension": "py", "linesAdded": 1, "linesDeleted": 2},
    ]


def test_only_accepted_changes_are_listed(api, owner):
    accepted = ChangeFactory(member=owner, source=Source.NEXT, created_at=at("2025-07-10T00:00:00"))
    ChangeFactory(member=owner, source=Source.NEXT, accepted=False,
                  created_at=at("2025-07-11T00:00:00"))  # fmt: skip
    body = api.get(CHANGES, WINDOW).json()
    assert [i["changeId"] for i in body["items"]] == [accepted.change_id]
    assert body["totalCount"] == 1


def test_newest_first_with_id_tie_break_across_pages(api, owner):
    same = at("2025-07-15T12:00:00")
    changes = [ChangeFactory(member=owner, created_at=same) for _ in range(5)]
    changes.append(ChangeFactory(member=owner, created_at=at("2025-07-15T12:00:01")))
    expected = sorted(changes, key=lambda c: (c.created_at, c.pk), reverse=True)
    items = all_items(api, CHANGES, **WINDOW, pageSize=2)
    assert [i["changeId"] for i in items] == [c.change_id for c in expected]


def test_date_window_is_inclusive_and_on_created_at(api, owner):
    first = ChangeFactory(member=owner, created_at=at("2025-07-01T00:00:00"))
    ChangeFactory(member=owner, created_at=at("2025-06-30T23:59:59"))
    last = ChangeFactory(member=owner, created_at=at("2025-07-31T23:59:59.999"))
    ChangeFactory(member=owner, created_at=at("2025-08-01T00:00:00"))
    items = api.get(CHANGES, WINDOW).json()["items"]
    assert [i["changeId"] for i in items] == [last.change_id, first.change_id]


def test_user_filter_by_every_form(api, owner, teammate):
    mine = ChangeFactory(member=owner, created_at=at("2025-07-10T00:00:00"))
    ChangeFactory(member=teammate, created_at=at("2025-07-10T00:00:00"))
    for value in (owner.email.upper(), encode_member_id(owner.pk), str(owner.pk)):
        items = api.get(CHANGES, {**WINDOW, "user": value}).json()["items"]
        assert [i["changeId"] for i in items] == [mine.change_id]
    assert api.get(CHANGES, {**WINDOW, "user": "ghost@acme.example"}).json()["totalCount"] == 0


def test_paging_clamps_and_goes_past_the_end(api, owner):
    for _ in range(3):
        ChangeFactory(member=owner, created_at=at("2025-07-10T00:00:00"))
    assert api.get(CHANGES, {**WINDOW, "pageSize": "1001"}).json()["pageSize"] == 1000
    body = api.get(CHANGES, {**WINDOW, "page": 5, "pageSize": 1}).json()
    assert (body["items"], body["totalCount"], body["page"]) == ([], 3, 5)


def test_an_outsiders_key_never_sees_the_team(client, owner, outsider, outsider_key):
    ChangeFactory(member=owner, created_at=at("2025-07-10T00:00:00"))
    client.credentials(HTTP_AUTHORIZATION=basic(outsider_key))
    assert client.get(CHANGES, WINDOW).json()["totalCount"] == 0


@pytest.mark.parametrize(
    ("params", "name"),
    [({"pageSize": "x"}, "pageSize"), ({"page": "0"}, "page"), ({"startDate": "tomorrow"},
     "startDate"), ({"endDate": "7x"}, "endDate"), ({"user": "not an id"}, "user")],
)  # fmt: skip
def test_bad_input_is_a_400_naming_the_parameter(api, params, name):
    response = api.get(CHANGES, params)
    assert response.status_code == 400 and name in response.json()["message"]


@pytest.mark.parametrize("page_size", [1, 1000])
def test_a_fixed_number_of_queries_whatever_the_page_size(
    api, team, django_assert_num_queries, page_size
):
    members = MemberFactory.create_batch(4, team=team)
    for i in range(20):
        ChangeFactory(member=members[i % 4], created_at=at("2025-07-10T00:00:00"))
    api.get(CHANGES, WINDOW)
    with django_assert_num_queries(5):  # key, rate-limit add + incr, count, page
        body = api.get(CHANGES, {**WINDOW, "pageSize": page_size}).json()
    assert len(body["items"]) == min(page_size, 20)
