"""AtomicDatabaseCache: the cache operations django-ratelimit uses, each one SQL statement."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics_api.models import RateLimitCounter
from analytics_api.ratelimit_cache import AtomicDatabaseCache


@pytest.fixture
def cache(db):
    return AtomicDatabaseCache("", {})


def test_add_only_creates_a_missing_key(cache):
    assert cache.add("k", 1, 60) is True
    assert cache.add("k", 5, 60) is False
    assert cache.get("k") == 1


def test_incr_is_one_statement_and_returns_the_new_value(cache):
    cache.add("k", 1, 60)
    with CaptureQueriesContext(connection) as queries:
        assert cache.incr("k") == 2
    assert len(queries) == 1
    assert cache.incr("k", 3) == 5


def test_incr_of_a_missing_key_raises_value_error_like_other_backends(cache):
    with pytest.raises(ValueError):
        cache.incr("missing")


def test_an_expired_counter_is_gone_and_add_starts_it_again(cache):
    cache.add("k", 7, 60)
    RateLimitCounter.objects.filter(pk=cache.make_key("k")).update(expires=time.time() - 1)
    assert cache.get("k", "default") == "default"
    with pytest.raises(ValueError):
        cache.incr("k")
    assert cache.add("k", 1, 60) is True
    assert cache.get("k") == 1


def test_starting_a_window_drops_expired_rows(cache):
    cache.add("old", 1, 60)
    RateLimitCounter.objects.filter(pk=cache.make_key("old")).update(expires=time.time() - 1)
    cache.add("new", 1, 60)
    assert list(RateLimitCounter.objects.values_list("key", flat=True)) == [cache.make_key("new")]


def test_set_touch_delete_clear(cache):
    cache.set("k", 3, 60)
    assert cache.get("k") == 3
    assert cache.touch("k", 120) is True
    assert cache.has_key("k")
    assert cache.delete("k") is True and cache.get("k") is None
    cache.set("a", 1, None)
    cache.clear()
    assert RateLimitCounter.objects.count() == 0
