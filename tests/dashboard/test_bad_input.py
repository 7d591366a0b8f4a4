"""Bad filter values on the dashboard's pages: a message and a page, never a 500 (a NUL is
refused by PostgreSQL; year 1 has no previous window and no day before it)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("repo=%00", "The repository filter has control characters"),
        ("ext=%00", "The extension filter has control characters"),
        ("model=a%00b", "The model filter has control characters"),
        ("start=0001-01-01&end=0001-01-05", "Dates go from 1970-01-01 to 9999-12-30"),
        ("start=9999-12-31&end=9999-12-31", "Dates go from 1970-01-01 to 9999-12-30"),
        ("ext=" + "x" * 40, "A file extension is at most 32 characters"),
        ("repo=" + "r" * 300, "The repository filter is over 255 characters"),
    ],
)
def test_bad_filters_show_the_page_with_a_message(seeded, teammate_user, query, message):
    client = Client()
    client.force_login(teammate_user)
    member = seeded.members.order_by("email").first()
    for path in ("/dashboard/acme/", f"/dashboard/acme/members/{member.uuid}/",
                 "/dashboard/acme/download/commits.csv"):  # fmt: skip
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, (path, query)
        if not path.endswith(".csv"):
            assert message in response.content.decode(), (path, query)


def test_the_earliest_days_have_no_earlier_data(seeded, teammate_user):
    client = Client()
    client.force_login(teammate_user)
    page = client.get("/dashboard/acme/?start=1970-01-01&end=1970-01-05")
    assert page.status_code == 200
    assert {t.comparison for t in page.context["tiles"]} == {"no earlier data"}
