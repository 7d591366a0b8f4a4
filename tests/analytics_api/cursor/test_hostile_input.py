"""No query parameter value makes a Cursor endpoint answer 500 (API.md section 4)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.analytics_api.cursor.utils import CHANGES, CHANGES_CSV, COMMITS, COMMITS_CSV, at
from tests.factories import ChangeFactory, CommitFactory

PARAMS = ["startDate", "endDate", "user", "page", "pageSize"]
EDGE_VALUES = [
    "0001-01-01", "9999-12-31", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00",
    "9999999999999999", "999999999d", "user_", "user_" + "z" * 13, "9" * 400, "\x00", "%00",
    "'; DROP TABLE tracking_commit; --", "ü@例え.jp", "-0", " ", "1" * 19,
]  # fmt: skip
hostile_text = st.one_of(st.sampled_from(EDGE_VALUES), st.text(max_size=30))


@pytest.fixture
def data(owner):
    CommitFactory(member=owner, created_at=at("2025-07-10T00:00:00"))
    ChangeFactory(member=owner, created_at=at("2025-07-10T00:00:00"))


@pytest.mark.parametrize("path", [COMMITS, CHANGES, COMMITS_CSV, CHANGES_CSV])
@pytest.mark.parametrize("name", PARAMS)
def test_edge_values_are_answered_200_or_400(api, data, path, name):
    for value in EDGE_VALUES:
        response = api.get(path, {name: value})
        assert response.status_code in (200, 400), (name, value, response.status_code)
        if response.status_code == 400:
            assert name in response.json()["message"]
        elif response.streaming:
            b"".join(response.streaming_content)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.fixed_dictionaries({}, optional={n: hostile_text for n in PARAMS}))
def test_any_combination_is_answered_200_or_400(api, data, query):
    for path in (COMMITS, CHANGES_CSV):
        response = api.get(path, query)
        assert response.status_code in (200, 400), (query, response.status_code)
        if response.streaming:
            b"".join(response.streaming_content)
