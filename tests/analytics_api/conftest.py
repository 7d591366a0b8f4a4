"""Fixtures for every API test, the Qoder dialect's (tests/analytics_api/qoder/) included."""

from __future__ import annotations

import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def fresh_rate_limits(settings):
    """Empty rate-limit counters and a generous budget, so tests that make many requests do not
    trip the limit by accident. Rate-limit tests set settings.AI_CODE_RATE_LIMIT themselves.

    The counters are cleared before and after: with Redis (REDIS_URL set) they outlive the
    test's database transaction.
    """
    settings.AI_CODE_RATE_LIMIT = "1000/m"
    settings.CURSOR_ADMIN_RATE_LIMIT = "1000/m"
    cache = caches[settings.RATELIMIT_USE_CACHE]
    _clear(cache)
    yield cache
    _clear(cache)


def _clear(cache) -> None:
    try:
        cache.clear()
    except Exception:  # noqa: BLE001 - no database access in this test: nothing was counted
        pass
