from __future__ import annotations

import base64

import pytest
from django.utils import timezone
from rest_framework import exceptions

from teams.auth import key_from_header, key_lookup
from teams.models import LAST_USED_RESOLUTION, ApiKey
from tests.factories import TeamFactory, make_key


def test_it_reads_the_key_from_basic_with_empty_password():
    header = "Basic " + base64.b64encode(b"ak_secret:").decode()
    assert key_from_header(header) == "ak_secret"


def test_it_reads_the_key_from_bearer():
    assert key_from_header("Bearer ak_secret") == "ak_secret"
    assert key_from_header("bearer   ak_secret ") == "ak_secret"


@pytest.mark.parametrize(
    "header, fragment",
    [
        ("Token abc", "Unsupported Authorization scheme 'token'"),
        ("Basic %%%", "not valid base64"),
        ("Basic " + base64.b64encode(b":password").decode(), "user name"),
        ("Bearer ", "empty"),
    ],
)
def test_it_names_what_is_wrong_with_a_malformed_header(header, fragment):
    with pytest.raises(exceptions.AuthenticationFailed) as info:
        key_from_header(header)
    assert fragment in str(info.value.detail)


@pytest.mark.django_db
def test_it_stores_only_a_keyed_hash():
    key, plain = make_key(TeamFactory())
    assert plain.startswith(key.prefix)
    assert plain not in key.hashed_key
    assert len(key.hashed_key) == 64


@pytest.mark.django_db
def test_it_finds_a_key_by_prefix_and_hash():
    key, plain = make_key(TeamFactory())
    assert key_lookup(plain) == key


@pytest.mark.django_db
def test_it_rejects_a_key_with_the_right_prefix_and_a_wrong_secret():
    _, plain = make_key(TeamFactory())
    forged = plain[:-1] + ("A" if plain[-1] != "A" else "B")
    with pytest.raises(exceptions.AuthenticationFailed, match="Invalid API key"):
        key_lookup(forged)


@pytest.mark.django_db
def test_it_rejects_a_revoked_key():
    key, plain = make_key(TeamFactory())
    ApiKey.objects.filter(pk=key.pk).update(revoked=True)
    with pytest.raises(exceptions.AuthenticationFailed, match="revoked"):
        key_lookup(plain)


@pytest.mark.django_db
def test_it_writes_last_used_at_most_once_per_resolution(django_assert_num_queries):
    key, _ = make_key(TeamFactory())
    with django_assert_num_queries(1):
        key.touch()
    first = ApiKey.objects.get(pk=key.pk).last_used_at
    assert first is not None
    with django_assert_num_queries(0):
        key.touch()
    # Another process saw the key a while ago: the stale copy writes once, the DB moves on.
    stale = timezone.now() - LAST_USED_RESOLUTION * 2
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=stale)
    key.last_used_at = stale
    with django_assert_num_queries(1):
        key.touch()
    assert ApiKey.objects.get(pk=key.pk).last_used_at > first


@pytest.mark.django_db
def test_a_stale_copy_does_not_overwrite_a_fresh_last_used():
    key, _ = make_key(TeamFactory())
    key.touch()
    fresh = ApiKey.objects.get(pk=key.pk).last_used_at
    key.last_used_at = fresh - LAST_USED_RESOLUTION * 2  # this process's view is old
    key.touch()
    assert ApiKey.objects.get(pk=key.pk).last_used_at == fresh
