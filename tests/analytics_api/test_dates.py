from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics_api.dates import is_relative, parse_date
from tracking.daterange import EARLIEST, EARLIEST_DAY, LATEST_DAY

NOW = datetime(2025, 7, 30, 14, 12, 3, 123456, tzinfo=UTC)
aware_instants = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.just(UTC)
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("NOW", NOW),
        ("0d", NOW),
        ("7d", NOW - timedelta(days=7)),
        ("14D", NOW - timedelta(days=14)),
        ("3h", NOW - timedelta(hours=3)),
        ("90s", NOW - timedelta(seconds=90)),
        ("today", datetime(2025, 7, 30, tzinfo=UTC)),
        ("yesterday", datetime(2025, 7, 29, tzinfo=UTC)),
        ("2025-06-01", datetime(2025, 6, 1, tzinfo=UTC)),
        ("2025-06-01T00:00:00Z", datetime(2025, 6, 1, tzinfo=UTC)),
        ("2025-06-01T10:00:00", datetime(2025, 6, 1, 10, tzinfo=UTC)),
        ("2025-06-01T10:00:00+02:00", datetime(2025, 6, 1, 8, tzinfo=UTC)),
        ("2025-07-30T14:12:03.000Z", datetime(2025, 7, 30, 14, 12, 3, tzinfo=UTC)),
        ("1753884723", datetime(2025, 7, 30, 14, 12, 3, tzinfo=UTC)),
        ("1753884723000", datetime(2025, 7, 30, 14, 12, 3, tzinfo=UTC)),
        ("1753884723500", datetime(2025, 7, 30, 14, 12, 3, 500000, tzinfo=UTC)),
        ("  7d  ", NOW - timedelta(days=7)),
    ],
)
def test_it_parses_every_documented_form_as_a_start(text, expected):
    assert parse_date(text, now=NOW) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-01", datetime(2025, 6, 1, 23, 59, 59, 999999, tzinfo=UTC)),
        ("today", datetime(2025, 7, 30, 23, 59, 59, 999999, tzinfo=UTC)),
        ("yesterday", datetime(2025, 7, 29, 23, 59, 59, 999999, tzinfo=UTC)),
        ("now", NOW),
        ("2025-06-01T10:00:00Z", datetime(2025, 6, 1, 10, tzinfo=UTC)),
    ],
)
def test_a_bare_date_as_end_includes_the_whole_day(text, expected):
    assert parse_date(text, now=NOW, is_end=True) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "soon",
        "7 days",
        "-7d",
        "7w",
        "2025-13-01",
        "2025-02-30",
        "2025-06-01T25:00",
        "1e9",
        "99999999999999999",
        "９d",
        "d7",
        "1234567890123456789",
    ],
)
def test_it_rejects_what_is_not_a_date_with_a_message(text):
    with pytest.raises(ValueError, match="not a date|outside the supported range"):
        parse_date(text, now=NOW)


def test_a_huge_relative_value_is_out_of_range_not_a_crash():
    with pytest.raises(ValueError, match="outside the supported range"):
        parse_date("999999999d", now=NOW)


@pytest.mark.parametrize("text", ["now", "today", "yesterday", "7d", "0d", "3H", "5s"])
def test_relative_forms_are_recognised(text):
    assert is_relative(text)


@pytest.mark.parametrize("text", ["2025-06-01", "1753884723", "2025-06-01T00:00:00Z"])
def test_instants_are_not_relative(text):
    assert not is_relative(text)


@given(aware_instants)
def test_iso_round_trip(instant):
    assert parse_date(instant.isoformat(), now=NOW) == instant


# Seconds below 10**11 (year 5138), milliseconds from 10**11 (March 1973): both forms hold there.
@given(
    st.datetimes(
        min_value=datetime(1973, 3, 4), max_value=datetime(5138, 1, 1), timezones=st.just(UTC)
    )
)
def test_unix_seconds_and_milliseconds_agree(instant):
    instant = instant.replace(microsecond=0)
    seconds = int(instant.timestamp())
    assert parse_date(str(seconds), now=NOW) == instant
    assert parse_date(str(seconds * 1000), now=NOW) == instant


@given(st.integers(min_value=0, max_value=(NOW - EARLIEST).days))
def test_relative_days_count_back_from_now(days):
    assert parse_date(f"{days}d", now=NOW) == NOW - timedelta(days=days)


@given(st.integers(min_value=(NOW - EARLIEST).days + 1, max_value=10**9 - 1))
def test_relative_days_before_1970_name_the_supported_range(days):
    with pytest.raises(ValueError, match="outside the supported range, 1970-01-01T00:00:00Z to"):
        parse_date(f"{days}d", now=NOW)


@given(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)).filter(
        lambda d: not datetime(1970, 1, 1) <= d < datetime(9999, 12, 31)
    ),
    st.booleans(),
)
def test_an_instant_outside_1970_to_9999_12_30_names_the_supported_range(instant, is_end):
    with pytest.raises(ValueError, match="outside the supported range"):
        parse_date(instant.isoformat() + "Z", now=NOW, is_end=is_end)


@given(st.dates(min_value=EARLIEST_DAY, max_value=LATEST_DAY))
def test_a_bare_date_spans_exactly_one_day(day):
    start = parse_date(day.isoformat(), now=NOW)
    end = parse_date(day.isoformat(), now=NOW, is_end=True)
    assert start.tzinfo == UTC and end.tzinfo == UTC
    assert end - start == timedelta(days=1) - timedelta(microseconds=1)


@given(st.text(max_size=40))
def test_any_text_parses_or_raises_value_error(text):
    try:
        result = parse_date(text, now=NOW)
    except ValueError as exc:
        assert str(exc)
    else:
        assert result.tzinfo is not None and result.utcoffset() == timedelta(0)
