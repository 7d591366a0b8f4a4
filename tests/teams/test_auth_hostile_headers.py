"""No Authorization header value makes an endpoint answer 500: a bad one is a 401 naming it."""

from __future__ import annotations

import base64

import pytest
from django.db import OperationalError

from teams.models import ApiKey
from tests.analytics_api.cursor.utils import COMMITS

pytestmark = pytest.mark.django_db


def _basic(raw: bytes) -> str:
    return "Basic " + base64.b64encode(raw).decode()


def test_non_ascii_basic_credentials_are_a_401_not_a_500(client):
    response = client.get(COMMITS, HTTP_AUTHORIZATION="Basic é")
    assert response.status_code == 401
    assert "base64" in response.json()["message"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ak_abc\x00defghijklmnop",
        _basic(b"ak_abcdefgh\x00ijklmnop:"),
        _basic(b"ak_abcdefgh\x01ijklmnop:"),
        "Bearer ak_abcdefgh-ijklmnop",
        _basic("ak_abcdefghé:".encode()),
        "Bearer ak_",
    ],
)
def test_a_key_outside_the_key_alphabet_is_invalid_before_any_query(
    client, read_key, header, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(COMMITS, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid API key."


def test_a_failed_last_used_write_does_not_fail_the_request(api, monkeypatch):
    def locked(self):
        raise OperationalError("database is locked")

    monkeypatch.setattr(ApiKey, "touch", locked)
    assert api.get(COMMITS).status_code == 200
