"""common/admin_paging.py: the admin lists of big tables count at most up to a cap, and a NUL
(which PostgreSQL refuses in text) in any admin search or filter finds nothing instead of a
500."""

from __future__ import annotations

import pytest

from common import admin_paging
from common.admin_paging import CappedCountPaginator
from teams.models import Member
from tests.factories import CommitFactory, MemberFactory


def test_the_paginator_counts_exactly_below_the_cap(team):
    MemberFactory.create_batch(5, team=team)
    assert CappedCountPaginator(Member.objects.all(), 2).count == 5


def test_the_paginator_stops_counting_at_the_cap(team, monkeypatch):
    MemberFactory.create_batch(7, team=team)
    monkeypatch.setattr(admin_paging, "EXACT_COUNT_CAP", 3)
    queries = []
    monkeypatch.setattr(admin_paging, "planner_estimate", lambda qs: queries.append(qs) or 1)

    count = CappedCountPaginator(Member.objects.all(), 2).count

    assert count == 4  # at least cap + 1, the estimate taking over past the cap
    assert len(queries) == 1


def test_the_planner_estimate_is_a_row_count_on_every_backend(team):
    MemberFactory.create_batch(3, team=team)

    estimate = admin_paging.planner_estimate(Member.objects.filter(team=team))

    assert isinstance(estimate, int) and estimate >= 1


@pytest.mark.parametrize(
    "url",
    [
        "/admin/tracking/commit/?q=a%00@b.co",
        "/admin/tracking/commit/?q=ab%00cd",
        "/admin/tracking/change/?q=a%00@b.co",
        "/admin/tracking/change/?q=x%00",
        "/admin/tracking/message/?q=x%00",
        "/admin/tracking/commit/?repo=%00",
        "/admin/tracking/commit/?repo=a%00b&q=dev%40example.com",
        "/admin/teams/member/?q=a%00",
        "/admin/teams/team/?q=a%00",
        "/admin/teams/apikey/?q=ak_%00aaaaaaaaaaaaaa",
        "/admin/tracking/commit/?q=a@b.co&team__id__exact=%C2%B2",
    ],
)
def test_nul_and_non_ascii_digits_in_admin_searches_and_filters_are_not_500s(admin, owner, url):
    CommitFactory(member=owner, repo_name="acme/web")

    response = admin.get(url)

    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert "acme/web</a></td>" not in response.content.decode()  # nothing matches
