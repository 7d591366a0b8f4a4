"""Formula cells (=HYPERLINK(...), +cmd|..., @SUM(...)) in the four CSV exports: byte-exact by
default, neutralised with a leading ' behind `neutralizeFormulas=true`."""

from __future__ import annotations

import pytest
from django.utils import timezone

from analytics_api.cursor import exports
from tests.analytics_api.cursor.utils import CHANGES_CSV, COMMITS_CSV, csv_rows
from tests.factories import ChangeFactory, CommitFactory

PLANTED = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]


@pytest.fixture
def planted(owner):
    now = timezone.now()
    for i, text in enumerate(PLANTED):
        CommitFactory(member=owner, message=text, repo_name=f"repo{i}", created_at=now)
        ChangeFactory(member=owner, team=owner.team, model=text, created_at=now)


def column(rows: list[dict], name: str) -> set[str]:
    return {row[name] for row in rows}


@pytest.fixture(params=["copy", "python"])
def method(request, monkeypatch):
    from django.db import connection

    if request.param == "copy" and connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    monkeypatch.setattr(exports, "export_method", lambda: request.param)
    return request.param


@pytest.mark.parametrize(("path", "field"), [(COMMITS_CSV, "message"), (CHANGES_CSV, "model")])
def test_cursor_exports_are_byte_exact_by_default_and_neutralised_on_request(
    api, planted, method, path, field
):
    assert column(csv_rows(api.get(path)), field) == set(PLANTED)
    neutral = api.get(path, {"neutralizeFormulas": "true"})
    assert column(csv_rows(neutral), field) == {"'" + text for text in PLANTED}


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/organizations/{org}/ai-code-tracking/commits/export", "message"),
        ("/v1/organizations/{org}/ai-code-tracking/changes/export", "model"),
    ],
)
def test_qoder_exports_are_byte_exact_by_default_and_neutralised_on_request(
    client, read_key, team, planted, path, field
):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {read_key}")
    url = path.format(org=team.uuid)
    assert column(csv_rows(client.get(url)), field) == set(PLANTED)
    neutral = client.get(url, {"neutralizeFormulas": "1"})
    assert column(csv_rows(neutral), field) == {"'" + text for text in PLANTED}


def test_the_option_is_part_of_the_etag_and_validated(api, planted):
    plain, neutral = api.get(COMMITS_CSV), api.get(COMMITS_CSV, {"neutralizeFormulas": "true"})
    assert plain["ETag"] != neutral["ETag"]
    bad = api.get(COMMITS_CSV, {"neutralizeFormulas": "maybe"})
    assert bad.status_code == 400
    assert "neutralizeFormulas" in bad.json()["message"]
