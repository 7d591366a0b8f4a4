from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics_api.errors import ApiError
from analytics_api.paging import parse_paging
from tests.analytics_api.cursor.utils import COMMITS


def paging(**query):
    return parse_paging(query, default_size=100, max_size=1000)


def test_defaults_are_page_1_of_100():
    assert paging() == (1, 100)


def test_blank_values_count_as_absent():
    assert paging(page="", pageSize=" ") == (1, 100)


def test_it_clamps_page_size_over_the_maximum():
    assert paging(pageSize="5000") == (1, 1000)
    assert paging(pageSize="9" * 40) == (1, 1000)


def test_leading_zeros_are_fine():
    assert paging(page="002", pageSize="0010") == (2, 10)


@pytest.mark.parametrize("name", ["page", "pageSize"])
@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "1e3", "+3", "٣", "00"])
def test_it_rejects_non_integers_and_values_below_1_naming_the_parameter(name, value):
    with pytest.raises(ApiError) as caught:
        paging(**{name: value})
    assert caught.value.status_code == 400
    assert f"Invalid {name}:" in str(caught.value.detail)


@given(st.integers(min_value=1, max_value=10**30), st.integers(min_value=1, max_value=10**30))
def test_any_positive_integers_parse_within_bounds(page, size):
    got_page, got_size = paging(page=str(page), pageSize=str(size))
    assert 1 <= got_page <= 10**18
    assert got_size == min(size, 1000)


def test_a_huge_page_is_capped_for_offsets_by_default():
    assert paging(page="9" * 40) == (10**18, 100)


def test_a_huge_page_is_kept_exactly_when_not_capped():
    page, _ = parse_paging({"page": "9" * 40}, default_size=100, max_size=1000, cap_page=False)
    assert page == int("9" * 40)


def test_a_page_longer_than_python_converts_is_a_400_naming_it():
    with pytest.raises(ApiError) as caught:
        paging(page="9" * 5000)
    assert "Invalid page: more than 4000 digits." in str(caught.value.detail)


@pytest.mark.parametrize("page", ["1000000000000000000000", "9" * 400, "0001" + "0" * 30])
def test_the_cursor_list_echoes_a_huge_page_as_asked(api, page):
    body = api.get(COMMITS, {"page": page, "pageSize": 2}).json()
    assert (body["page"], body["items"]) == (int(page), [])
