"""The overview's filters from the URL: a bad value is dropped with a message saying what is
shown instead (never a 400), and the parameters a view writes back reproduce it (shareable)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.http import QueryDict

from dashboard.filters import parse_filters

TODAY = date(2025, 8, 31)


def parsed(query: str):
    return parse_filters(QueryDict(query), today=TODAY)


def test_no_parameters_show_the_last_30_days_without_a_message():
    filters, errors = parsed("")

    # The last 30 whole days: today, still running, is not one of them.
    assert (filters.start, filters.end, filters.preset) == (date(2025, 8, 1), date(2025, 8, 30), 30)
    assert errors == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("range=12", "Unknown date range '12': showing the last 30 days."),
        ("start=31/08/2025", "Dates are YYYY-MM-DD: showing the last 30 days."),
        ("start=2025-02-30", "Dates are YYYY-MM-DD: showing the last 30 days."),
    ],
)
def test_a_bad_range_or_date_shows_the_last_30_days_and_says_so(query, message):
    filters, errors = parsed(query)

    assert (filters.start, filters.end, filters.preset) == (date(2025, 8, 1), date(2025, 8, 30), 30)
    assert errors == [message]


def test_a_start_after_the_end_is_swapped_and_said():
    filters, errors = parsed("start=2025-08-10&end=2025-08-01")

    assert (filters.start, filters.end, filters.preset) == (
        date(2025, 8, 1),
        date(2025, 8, 10),
        None,
    )
    assert errors == ["The start is after the end: the two are swapped."]


def test_a_custom_range_over_a_year_is_shortened_to_366_days_ending_on_its_end():
    filters, errors = parsed("start=2020-01-01&end=2025-08-31")

    assert (filters.start, filters.end, filters.days) == (date(2024, 8, 31), TODAY, 366)
    assert errors == ["A custom range is at most 366 days: shortened."]


def test_an_unknown_member_shows_everyone_and_says_so():
    filters, errors = parsed("range=7&member=olivia")

    assert filters.member is None and filters.preset == 7
    assert errors == ["Unknown member: showing everyone."]


def test_the_written_back_parameters_reproduce_the_filters():
    member = uuid.uuid4()
    query = f"start=2025-07-01&end=2025-07-31&member={member}&repo=acme/web&primary=1&ext=TS,.py"
    filters, errors = parsed(query)

    assert errors == []
    assert filters.extensions == (".py", ".ts")
    assert parsed(filters.query())[0] == filters
    # A preset link keeps every other filter and drops the custom dates.
    week = parsed(filters.query(range=7))[0]
    assert (week.preset, week.member, week.repo, week.extensions) == (
        7,
        member,
        "acme/web",
        (".py", ".ts"),
    )
