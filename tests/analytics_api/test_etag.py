"""ETag / If-None-Match / Cache-Control on the Cursor endpoints (API.md section 4b)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics_api import base as base_view
from analytics_api.cursor import views
from tests.analytics_api.cursor.utils import CHANGES, CHANGES_CSV, COMMITS, COMMITS_CSV, at
from tests.factories import CommitFactory

ABSOLUTE = {"startDate": "2025-07-01", "endDate": "2025-07-31"}


@pytest.mark.parametrize("path", [COMMITS, CHANGES, COMMITS_CSV, CHANGES_CSV])
def test_every_200_carries_an_etag_and_private_cache_control(api, path):
    response = api.get(path)
    assert response.status_code == 200
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert response["Cache-Control"] == "private"
    assert "Authorization" in response["Vary"]


@pytest.mark.parametrize("path", [COMMITS, CHANGES, COMMITS_CSV, CHANGES_CSV])
def test_a_matching_if_none_match_is_a_304_without_body(api, path):
    etag = api.get(path, ABSOLUTE)["ETag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = api.get(path, ABSOLUTE, HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304
        assert response.content == b""
        assert response["ETag"] == etag and response["Cache-Control"] == "private"


def test_a_write_to_the_team_changes_the_etag(api, team, owner):
    etag = api.get(COMMITS, ABSOLUTE)["ETag"]
    CommitFactory(member=owner, created_at=at("2025-07-10T00:00:00"))
    team.bump_data_version()
    response = api.get(COMMITS, ABSOLUTE, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response.json()["totalCount"] == 1
    assert response["ETag"] != etag


def test_different_filters_or_pages_have_different_etags(api):
    etags = {
        api.get(COMMITS, params)["ETag"]
        for params in (ABSOLUTE, {**ABSOLUTE, "page": 2}, {**ABSOLUTE, "pageSize": 10},
                       {**ABSOLUTE, "user": "a@b.c"}, {"startDate": "2025-07-02"})
    }  # fmt: skip
    assert len(etags) == 5


def test_json_and_csv_twins_have_different_etags(api):
    assert api.get(COMMITS, ABSOLUTE)["ETag"] != api.get(COMMITS_CSV, ABSOLUTE)["ETag"]


def test_an_outsider_with_the_same_query_gets_another_etag(api, client, outsider_key):
    from tests.conftest import basic

    client_etag = api.get(COMMITS, ABSOLUTE)["ETag"]
    api.credentials(HTTP_AUTHORIZATION=basic(outsider_key))
    response = api.get(COMMITS, ABSOLUTE, HTTP_IF_NONE_MATCH=client_etag)
    assert response.status_code == 200


def test_a_relative_window_keeps_its_etag_for_at_most_a_minute(api, monkeypatch):
    base = timezone.now().replace(second=0, microsecond=0)

    class Clock:
        now = staticmethod(lambda: base)

    monkeypatch.setattr(views, "timezone", Clock)  # the parameters' now
    monkeypatch.setattr(base_view, "timezone", Clock)  # the ETag's time bucket
    etag = api.get(COMMITS, {"startDate": "7d"})["ETag"]
    Clock.now = staticmethod(lambda: base + timedelta(seconds=59))
    assert api.get(COMMITS, {"startDate": "7d"}, HTTP_IF_NONE_MATCH=etag).status_code == 304
    Clock.now = staticmethod(lambda: base + timedelta(seconds=61))
    assert api.get(COMMITS, {"startDate": "7d"}, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_errors_carry_no_etag(api):
    response = api.get(COMMITS, {"page": "0"})
    assert response.status_code == 400 and "ETag" not in response
