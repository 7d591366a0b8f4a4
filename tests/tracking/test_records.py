"""Record validation: field rules, and the fast path for changes agreeing with the full one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracking.ingest import fields
from tracking.ingest.records import CHANGES, RecordInvalid, _change_fast, _parse_full

SOMETIMES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), st.text(max_size=5)
)
METADATA_ITEM = st.fixed_dictionaries(
    {"fileExtension": st.sampled_from(["ts", ".Go", "", "TSX"]) | SOMETIMES},
    optional={
        "fileName": st.sampled_from(["a.ts", "", "src/x.py"]) | SOMETIMES,
        "linesAdded": st.integers(-1, fields.MAX_COUNT + 1) | SOMETIMES,
        "linesDeleted": st.integers(0, 9) | SOMETIMES,
        "extra": SOMETIMES,
    },
)
CHANGE = st.fixed_dictionaries(
    {},
    optional={
        "changeId": st.sampled_from(["1", " ", "", "x" * 256, "a\x00"]) | SOMETIMES,
        "userEmail": st.sampled_from(["a@b.example", " A@B.example ", "bad", ""]) | SOMETIMES,
        "userId": st.sampled_from(["user_abc", "42"]) | SOMETIMES,
        "userName": SOMETIMES,
        "source": st.sampled_from(["TAB", "tab", "NEXT", "Composer", "QUEST", "x"]) | SOMETIMES,
        "model": st.sampled_from(["gpt", "", "m" * 256]) | SOMETIMES,
        "accepted": SOMETIMES,
        "totalLinesAdded": st.integers(-1, fields.MAX_COUNT + 1) | SOMETIMES,
        "totalLinesDeleted": st.integers(0, 5) | SOMETIMES,
        "metadata": st.lists(METADATA_ITEM | SOMETIMES, max_size=3) | SOMETIMES,
        "createdAt": st.sampled_from(
            [
                "2025-07-30T15:10:12.000Z",
                "2025-07-30T15:10:12",
                "2025-07-30T17:10:12+02:00",
                " 2025-07-30",
                "2025-13-01",
                "1753888212000",
                "",
            ]
        )
        | st.integers(-1, 2 * 10**12)
        | SOMETIMES,
        "unknown": SOMETIMES,
    },
)


@settings(max_examples=400, deadline=None)
@given(CHANGE)
def test_the_fast_path_for_changes_agrees_with_the_full_path(raw):
    fast = _change_fast(raw)
    try:
        full = _parse_full(CHANGES, raw)
    except RecordInvalid:
        assert fast is None, "the fast path accepted a record the full path refuses"
        return
    if fast is not None:
        assert (fast.key, fast.values, fast.email, fast.user, fast.display_name) == (
            full.key,
            full.values,
            full.email,
            full.user,
            full.display_name,
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-07-30T14:12:03.000Z", datetime(2025, 7, 30, 14, 12, 3, tzinfo=UTC)),
        ("2025-07-30T16:12:03+02:00", datetime(2025, 7, 30, 14, 12, 3, tzinfo=UTC)),
        ("2025-07-30T14:12:03", datetime(2025, 7, 30, 14, 12, 3, tzinfo=UTC)),
        ("2025-07-30", datetime(2025, 7, 30, tzinfo=UTC)),
        (1753884723000, datetime(2025, 7, 30, 14, 12, 3, tzinfo=UTC)),
        ("1753884723000", datetime(2025, 7, 30, 14, 12, 3, tzinfo=UTC)),
        (None, None),
    ],
)
def test_timestamps_are_iso_8601_or_unix_milliseconds(text, expected):
    assert fields.timestamp(text) == expected


@pytest.mark.parametrize(
    "value", ["30/07/2025", "now", True, 1.5, -1, [], "2025-02-30", "²", "１７５３８８４７２３"]
)
def test_other_timestamps_are_refused(value):
    with pytest.raises(fields.Invalid):
        fields.timestamp(value)


@pytest.mark.parametrize("value", [1753884723, "1753884723", 10**11 - 1])
def test_unix_timestamps_below_10_to_the_11_are_seconds_as_in_the_query_parameters(value):
    expected = datetime.fromtimestamp(int(value), tz=UTC)
    assert fields.timestamp(value) == expected
    assert fields.timestamp(value).year >= 2025 or int(value) == 10**11 - 1


def test_unix_timestamps_from_10_to_the_11_on_are_milliseconds():
    assert fields.timestamp(10**11) == datetime.fromtimestamp(10**8, tz=UTC)


@pytest.mark.parametrize(
    "value", ["²", "１２", "99999999999999999999999", "9" * 5000, 2**53, 0, "0", "USER_abc"]
)
def test_user_ids_that_are_not_plain_ascii_numbers_below_2_to_the_53_are_refused(value):
    with pytest.raises(fields.Invalid):
        fields.user_ref(value)


def test_a_numeric_user_id_is_a_member_pk():
    assert fields.user_ref("42") == ("pk", 42)
    assert fields.user_ref(2**53 - 1) == ("pk", 2**53 - 1)


@pytest.mark.parametrize(
    ("value", "expected"), [("TS", ".ts"), (".Go", ".go"), ("", ""), (" tsx ", ".tsx")]
)
def test_extensions_are_lower_case_with_a_dot(value, expected):
    assert fields.extension(value, path=None) == expected


def test_a_missing_extension_is_derived_from_the_path():
    assert fields.extension(None, path="src/App.TSX") == ".tsx"
    assert fields.extension(None, path="Makefile") == ""
    assert fields.extension(None, path=".gitignore") == ""


@pytest.mark.parametrize("value", [-1, 1.5, 2.0, "3", True, None, 2**31])
def test_line_counts_are_non_negative_integers(value):
    with pytest.raises(fields.Invalid):
        fields.count(value)


def test_line_counts_above_100_million_are_refused_so_no_row_sum_overflows_an_integer():
    assert fields.count(100_000_000) == 100_000_000
    with pytest.raises(fields.Invalid, match="at most 100000000"):
        fields.count(100_000_001)
    # 18 count columns at the cap still sum inside PostgreSQL integer.
    assert 18 * fields.MAX_COUNT < 2**31 - 1


LIKELY_CHANGE = st.fixed_dictionaries(
    {
        "changeId": st.sampled_from(["1", "chg_abc", " x "]),
        "userEmail": st.sampled_from(["a@b.example", " A@B.example "]),
        "source": st.sampled_from(["TAB", "NEXT", "AGENT", "INLINECHAT", "Composer"]),
    },
    optional={
        "model": st.sampled_from(["gpt", "", None]),
        "accepted": st.booleans(),
        "totalLinesAdded": st.integers(0, fields.MAX_COUNT),
        "metadata": st.lists(
            st.fixed_dictionaries(
                {"fileExtension": st.sampled_from(["ts", ".Go", "", "TSX"])},
                optional={
                    "fileName": st.sampled_from(["a.ts", "", None]),
                    "linesAdded": st.integers(0, 9),
                },
            ),
            max_size=3,
        ),
        "createdAt": st.sampled_from(
            [
                "2025-07-30T15:10:12.000Z",
                "2025-07-30T15:10:12",
                "2025-07-30T17:10:12+02:00",
                "2025-07-30",
            ]
        ),
    },
)


@settings(max_examples=200, deadline=None)
@given(LIKELY_CHANGE)
def test_the_fast_path_takes_well_formed_changes_and_stores_what_the_full_path_would(raw):
    fast, full = _change_fast(raw), _parse_full(CHANGES, raw)
    if raw["source"] != "Composer" and raw.get("accepted", True) is not None:
        assert fast is not None
    if fast is not None:
        assert (fast.key, fast.values, fast.email) == (full.key, full.values, full.email)
