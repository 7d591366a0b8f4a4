"""The dashboard's CSV downloads: every filter of the page, formula cells neutralised, a budget
per person apart from the API keys' export limit, and a page (not a broken file) over it."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from tests.dashboard.conftest import person
from tests.dashboard.test_figures import at, ingest
from tracking.ingest.records import CHANGES, COMMITS

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(team):
    ingest(team, COMMITS, [
        {"commitHash": "c1", "userEmail": "ann@acme.example", "repoName": "acme/api",
         "isPrimaryBranch": True, "totalLinesAdded": 10, "createdAt": at(1),
         "message": "=HYPERLINK(\"http://evil.example\",\"x\")",
         "files": [{"fileExtension": ".py", "linesAdded": 10}]},
        {"commitHash": "c2", "userEmail": "ann@acme.example", "repoName": "acme/api",
         "isPrimaryBranch": False, "totalLinesAdded": 5, "createdAt": at(2),
         "message": "+cmd|' /C calc'!A0", "files": [{"fileExtension": ".ts", "linesAdded": 5}]},
        {"commitHash": "c3", "userEmail": "bob@acme.example", "repoName": "acme/web",
         "isPrimaryBranch": True, "totalLinesAdded": 7, "createdAt": at(3), "message": "@SUM(A1)"},
    ])  # fmt: skip
    ingest(team, CHANGES, [
        {"changeId": "x1", "userEmail": "ann@acme.example", "source": "AGENT", "model": "gpt-5",
         "createdAt": at(1), "metadata": [{"fileExtension": ".py"}]},
        {"changeId": "x2", "userEmail": "bob@acme.example", "source": "NEXT", "model": "o3",
         "createdAt": at(2), "metadata": [{"fileExtension": ".ts"}]},
    ])  # fmt: skip
    return team


@pytest.fixture
def viewer(team):
    client = Client()
    client.force_login(person("viewer@acme.example", team=team))
    return client


def download(client, kind, **query):
    response = client.get(f"/dashboard/acme/download/{kind}.csv", {"range": 7, **query})
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize(
    ("query", "hashes"),
    [
        ({}, {"c1", "c2", "c3"}),
        ({"repo": "acme/api"}, {"c1", "c2"}),
        ({"primary": "1"}, {"c1", "c3"}),
        ({"ext": ".ts"}, {"c2"}),
        ({"repo": "acme/api", "primary": "1", "ext": "py"}, {"c1"}),
    ],
)
def test_commits_honour_every_filter_of_the_page(records, viewer, query, hashes):
    assert {row["commitHash"] for row in download(viewer, "commits", **query)} == hashes


@pytest.mark.parametrize(
    ("query", "ids"),
    [({}, {"x1", "x2"}), ({"model": "gpt-5"}, {"x1"}), ({"ext": ".ts"}, {"x2"})],
)
def test_changes_honour_every_filter_that_applies_to_them(records, viewer, query, ids):
    assert {row["changeId"] for row in download(viewer, "changes", **query)} == ids


def test_formula_cells_are_neutralised(records, viewer):
    messages = {row["message"] for row in download(viewer, "commits")}
    assert messages == {
        '\'=HYPERLINK("http://evil.example","x")',
        "'+cmd|' /C calc'!A0",
        "'@SUM(A1)",
    }


def test_the_page_links_to_downloads_with_its_filters(records, viewer):
    body = viewer.get("/dashboard/acme/", {"range": 7, "ext": ".py", "primary": "1"}).content
    assert b"/dashboard/acme/download/commits.csv?range=7&amp;primary=1&amp;ext=.py" in body


def test_each_person_has_a_budget_and_a_page_says_when_it_is_spent(records, viewer, settings):
    settings.DASHBOARD_DOWNLOAD_RATE = "3/m"
    for _ in range(3):
        download(viewer, "commits")
    refused = viewer.get("/dashboard/acme/download/commits.csv", {"range": 7})
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("text/html")
    assert "Too many downloads" in refused.content.decode()
    # Another person of the team is not held back by the first one's downloads.
    other = Client()
    other.force_login(person("other@acme.example", team=records))
    assert download(other, "commits")


def test_an_outsider_and_an_unknown_kind_get_404(records, outsider_user, viewer):
    client = Client()
    client.force_login(outsider_user)
    assert client.get("/dashboard/acme/download/commits.csv").status_code == 404
    assert viewer.get("/dashboard/acme/download/secrets.csv").status_code == 404
