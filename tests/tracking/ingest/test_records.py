"""Record validation: field rules, and the fast path for changes agreeing with the full one."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracking.ingest import fields
from tracking.ingest.records import (
    CHANGES,
    RecordInvalid,
    _change_fast,
    _parse_full,
    parse_record,
)

# Any JSON value at all, so "for any input" covers lists and objects where a string belongs.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=5,
)
SOMETIMES = (
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 3),
        st.floats(allow_nan=False),
        st.text(max_size=5),
    )
    | JSON
)
METADATA_ITEM = st.fixed_dictionaries(
    {"fileExtension": st.sampled_from(["ts", ".Go", "", "TSX", "x" * 31, "x" * 32]) | SOMETIMES},
    optional={
        "fileName": st.sampled_from(["a.ts", "", "src/x.py", "n" * 1024, "n" * 1025, " "])
        | SOMETIMES,
        "linesAdded": st.integers(-1, fields.MAX_COUNT + 1) | SOMETIMES,
        "linesDeleted": st.integers(0, 9) | SOMETIMES,
        "extra": SOMETIMES,
    },
)
CHANGE = st.fixed_dictionaries(
    {},
    optional={
        "changeId": st.sampled_from(["1", " ", "", "x" * 255, "x" * 256, "a\x00"]) | SOMETIMES,
        "userEmail": st.sampled_from(["a@b.example", " A@B.example ", "bad", ""]) | SOMETIMES,
        "userId": st.sampled_from(["user_abc", "42"]) | SOMETIMES,
        "userName": SOMETIMES,
        "source": st.sampled_from(["TAB", "tab", "NEXT", "Composer", "QUEST", "x"]) | SOMETIMES,
        "model": st.sampled_from(["gpt", "", "m" * 255, "m" * 256, "m\x00"]) | SOMETIMES,
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


COUNTS = [0, 9, fields.MAX_COUNT]
COUNT_EDGES = [-1, fields.MAX_COUNT + 1, 2.0, "3", True, None]
VALID_ITEM = st.fixed_dictionaries(
    {"fileExtension": st.sampled_from(["ts", ".Go", "TSX", "", "x" * 31])},
    optional={
        "fileName": st.sampled_from(["a.ts", "src/x.py", "", None, "n" * 1024]),
        "linesAdded": st.sampled_from(COUNTS),
        "linesDeleted": st.sampled_from(COUNTS),
    },
)
VALID_CHANGE = st.fixed_dictionaries(
    {
        "changeId": st.sampled_from(["1", "chg_abc", "x" * 255]),
        "userEmail": st.sampled_from(["a@b.example", " A@B.example "]),
        "source": st.sampled_from(["NEXT", "AGENT", "QUEST", "INLINECHAT", "TAB", "COMPOSER"]),
    },
    optional={
        "model": st.sampled_from(["gpt", "", None, "m" * 255]),
        "accepted": st.booleans(),
        "totalLinesAdded": st.sampled_from(COUNTS),
        "totalLinesDeleted": st.sampled_from(COUNTS),
        "metadata": st.lists(VALID_ITEM, max_size=3) | st.none(),
        "createdAt": st.sampled_from(
            ["2025-07-30T15:10:12.000Z", "2025-07-30T17:10:12+02:00", "2025-07-30", None]
        ),
    },
)
ABSENT = object()
# Values just past each rule the fast path checks (lengths, NUL, counts, types, spellings).
EDGES = {
    "changeId": ["x" * 256, " ", "", "a\x00", 7, ABSENT],
    "userEmail": ["bad", "", "a@" + "b" * 260, ABSENT],
    "userId": ["user_abc", 42],
    "userName": ["Dev", ""],
    "source": ["tab", "Composer", "x", " NEXT", ABSENT],
    "model": ["m" * 256, "m\x00", 1],
    "accepted": [None, 1, "true"],
    "totalLinesAdded": COUNT_EDGES,
    "totalLinesDeleted": COUNT_EDGES,
    "metadata": [{}, "[]", [None], [[]]],
    "createdAt": [
        "2025-13-01",
        "1753888212000",
        1753888212,
        "",
        " 2025-07-30",
        "0001-01-01T00:00:00+14:00",
    ],
    "unknownField": [1],
    "metadata.fileExtension": ["x" * 32, "a\x00", None, 3, ABSENT],
    "metadata.fileName": ["n" * 1025, "a\x00b", " ", 5],
    "metadata.linesAdded": COUNT_EDGES,
    "metadata.linesDeleted": COUNT_EDGES,
    "metadata.extra": [1],
}


def moved(raw: dict, name: str, value, item: int = 0) -> dict:
    """raw with one field (a metadata item's, for "metadata.x") set to value, or removed."""
    target, key = raw, name
    if name.startswith("metadata."):
        metadata = raw.get("metadata")
        items = [i for i in metadata if type(i) is dict] if type(metadata) is list else []
        if not items:
            return raw
        target, key = items[item % len(items)], name.removeprefix("metadata.")
    if value is ABSENT:
        target.pop(key, None)
    else:
        target[key] = value
    return raw


@st.composite
def near_change(draw):
    """A valid change with up to two fields moved to the edge of their rule (or anywhere)."""
    raw = draw(VALID_CHANGE)
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(sorted(EDGES)))
        edges = st.sampled_from(EDGES[name])
        value = draw(st.integers(0, 3).flatmap(lambda n, e=edges: e if n else SOMETIMES))
        raw = moved(raw, name, value, draw(st.integers(0, 2)))
    return raw


def outcome(parse, raw):
    try:
        return parse(CHANGES, raw)
    except RecordInvalid as exc:
        return exc.problems


def assert_both_paths_agree(raw) -> None:
    fast = _change_fast(raw) if type(raw) is dict else None
    try:
        full = _parse_full(CHANGES, raw)
    except RecordInvalid:
        assert fast is None, "the fast path accepted a record the full path refuses"
    else:
        assert fast is None or fast == full  # every field of the Record
    assert outcome(parse_record, raw) == outcome(_parse_full, raw)


@settings(max_examples=1000, deadline=None)
@given(near_change() | CHANGE | JSON)
def test_the_fast_path_for_changes_agrees_with_the_full_path(raw):
    assert_both_paths_agree(raw)


PLAIN = {
    "changeId": "c-1", "userEmail": "dev@acme.example", "source": "AGENT", "model": "gpt",
    "accepted": True, "totalLinesAdded": 3, "totalLinesDeleted": 1,
    "createdAt": "2025-07-30T15:10:12.000Z",
    "metadata": [{"fileName": "a.ts", "fileExtension": "ts", "linesAdded": 3, "linesDeleted": 1}],
}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "value"), [(name, value) for name, values in EDGES.items() for value in values]
)
def test_each_edge_of_each_rule_is_judged_alike_by_both_paths(name, value):
    assert _change_fast(copy.deepcopy(PLAIN)) is not None  # the fast path's own case
    assert_both_paths_agree(moved(copy.deepcopy(PLAIN), name, value))


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
        assert fast == full
