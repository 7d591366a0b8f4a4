"""The JSON readers both doors share: the same elements, lines and error positions whichever
way an array is read (whole by orjson, element by element, across buffer refills)."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracking.ingest import readers

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=6,
)


def read_array(text: str) -> list:
    return list(readers.read_json_array(io.StringIO(text)))


@pytest.fixture(params=["whole", "by element", "by element, 5-character reads"])
def way(request, monkeypatch):
    if request.param != "whole":
        monkeypatch.setattr(readers, "ARRAY_WHOLE_MAX_CHARS", 0)
    if request.param.endswith("reads"):
        monkeypatch.setattr(readers, "CHUNK", 5)
    return request.param


@settings(max_examples=150, deadline=None)
@given(values=st.lists(JSON_VALUES, max_size=6), multiline=st.booleans())
def test_every_way_of_reading_an_array_yields_its_elements_and_the_line_each_starts_on(
    values, multiline
):
    text = "[" + (",\n" if multiline else ",").join(json.dumps(v) for v in values) + "]"
    expected = [(i + 1 if multiline else 1, v) for i, v in enumerate(values)]
    outcomes = []
    for whole_max, chunk in ((readers.ARRAY_WHOLE_MAX_CHARS, readers.CHUNK), (0, 1 << 20), (0, 5)):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(readers, "ARRAY_WHOLE_MAX_CHARS", whole_max)
            patch.setattr(readers, "CHUNK", chunk)
            outcomes.append(read_array(text))
    assert outcomes == [expected] * 3


@settings(max_examples=100, deadline=None)
@given(before=st.lists(JSON_VALUES, max_size=4), padding=st.integers(0, 12))
def test_a_malformed_element_is_placed_where_json_places_it_across_buffer_refills(before, padding):
    good = "".join(json.dumps(v) + ",\n" for v in before)
    text = "[\n" + good + " " * padding + '{"a": 1,, "b": 2}]'
    with pytest.raises(json.JSONDecodeError) as parsed:
        json.loads(text)
    with pytest.MonkeyPatch.context() as patch, pytest.raises(readers.JsonError) as read:
        patch.setattr(readers, "ARRAY_WHOLE_MAX_CHARS", 0)
        patch.setattr(readers, "CHUNK", 5)
        read_array(text)
    assert (read.value.line, read.value.column, read.value.reason) == (
        parsed.value.lineno,
        parsed.value.colno,
        parsed.value.msg,
    )


def test_a_malformed_element_is_reported_at_once_not_as_a_record_too_large(monkeypatch):
    """The reader reads on after a decode error only while the error may be the buffer's end."""
    monkeypatch.setattr(readers, "CHUNK", 64)
    monkeypatch.setattr(readers, "MAX_RECORD_CHARS", 200)
    monkeypatch.setattr(readers, "ARRAY_WHOLE_MAX_CHARS", 0)
    text = '[{"a": 1,, "b": 2},' + ",".join(['{"c": 3}'] * 1000) + "]"
    with pytest.raises(readers.JsonError, match="Expecting property name") as read:
        read_array(text)
    assert (read.value.line, read.value.column) == (1, 10)


def test_an_element_longer_than_a_read_is_read_whole(way):
    long = {"message": "m" * 50, "n": 123456789}
    assert read_array(json.dumps([long, long])) == [(1, long), (1, long)]


def test_an_empty_array_has_no_elements(way):
    assert read_array(" [ ] ") == []


@pytest.mark.parametrize(
    ("text", "reason", "column"),
    [
        ('[{"a": 1} {"b": 2}]', "expected ',' or ']', got '{'", 11),
        ('[{"a": 1}] x', "extra data after the array", None),
        ('[{"a": 1},', "Expecting value", 11),
        ("{}", "a JSON array must start with '['", None),
    ],
)
def test_a_broken_array_stops_the_reading_naming_where(way, text, reason, column):
    with pytest.raises(readers.JsonError) as read:
        read_array(text)
    assert (read.value.line, read.value.reason, read.value.column) == (1, reason, column)


def test_an_unpaired_surrogate_spoils_its_element_only(way):
    rows = read_array('[{"a": "\\ud800"}, {"b": 1}]')
    assert isinstance(rows[0][1], readers.MalformedRow)
    assert rows[0][1].error.reason.startswith("a string holds an unpaired surrogate")
    assert rows[1] == (1, {"b": 1})


def test_ndjson_lines_end_at_newline_only_and_a_bad_line_spoils_itself_only():
    body = '\ufeff{"a": "x\u2028y"}\r\n\n{"b": \n{"c": 3}'.encode()
    rows = list(readers.read_ndjson(io.BytesIO(body)))
    assert rows[0] == (1, {"a": "x\u2028y"})
    assert isinstance(rows[1][1], readers.MalformedRow)
    assert (rows[1][0], rows[1][1].error.column) == (3, 7)
    assert rows[1][1].message == "malformed JSON: Expecting value at column 7"
    assert rows[2] == (4, {"c": 3})
