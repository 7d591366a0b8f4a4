"""A Redis that fails never takes the API down: the counters fall back to the database.

Every test here uses its own Redis (or a closed port), never the machine's shared one: a
redis-server started by the test on a free port, stopped and started again by the test.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.core.cache import caches

from analytics_api.ratelimit_cache import RedisWithDatabaseFallback
from tests.analytics_api.cursor.utils import CHANGES, COMMITS
from tests.factories import ChangeFactory
from tracking import counts

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalRedis:
    """A throwaway redis-server on its own port that keeps nothing on disk."""

    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def keys(self) -> list[bytes]:
        return redis.Redis.from_url(self.url).keys("*")


@pytest.fixture
def local_redis():
    server = LocalRedis(free_port())
    server.start()
    yield server
    server.stop()


def use_redis(settings, url: str) -> RedisWithDatabaseFallback:
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "analytics_api.ratelimit_cache.RedisWithDatabaseFallback",
            "LOCATION": url,
            "KEY_PREFIX": "aicode-test",
            "OPTIONS": {"socket_timeout": 0.2},
        },
    }
    cache = caches["ratelimit"]
    assert isinstance(cache, RedisWithDatabaseFallback)
    return cache


def statuses(client, path, n):
    return [client.get(path).status_code for _ in range(n)]


def test_a_redis_on_a_closed_port_still_serves_and_limits_exactly(api, settings, caplog):
    use_redis(settings, f"redis://127.0.0.1:{free_port()}/0")
    settings.AI_CODE_RATE_LIMIT = "5/m"
    with caplog.at_level(logging.WARNING, logger="analytics_api.ratelimit_cache"):
        assert statuses(api, COMMITS, 5) == [200] * 5
        response = api.get(COMMITS)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    warnings = [r for r in caplog.records if "Redis is unavailable" in r.getMessage()]
    assert len(warnings) == 1, "logged once per interval, not once per request"


def test_redis_going_away_mid_run_falls_back_and_comes_back(api, settings, local_redis):
    cache = use_redis(settings, local_redis.url)
    cache.RETRY_SECONDS = 0.5
    assert statuses(api, COMMITS, 3) == [200] * 3
    assert local_redis.keys(), "while Redis answers, the counters are in Redis"

    local_redis.stop()
    assert statuses(api, COMMITS, 3) == [200] * 3
    assert statuses(api, CHANGES, 2) == [200] * 2
    assert not cache.redis_available

    local_redis.start()  # empty: it keeps nothing on disk
    time.sleep(0.6)
    assert statuses(api, CHANGES, 1) == [200]
    assert cache.redis_available
    assert local_redis.keys(), "Redis is used again by itself once it answers"


def test_the_hourly_counts_need_no_redis(api, team, owner, settings, local_redis, monkeypatch):
    """totalCount comes from the hourly counts kept at write time (tracking/rollups.py): no
    cache is involved, so Redis going away changes nothing but the rate-limit counter."""
    monkeypatch.setattr(counts, "MIN_TABLE_ROWS", 0)  # the hourly-counts path
    ChangeFactory.create_batch(3, team=team, member=owner)
    use_redis(settings, local_redis.url)
    first = api.get(CHANGES)
    assert not any(b"cursor-hours" in key for key in local_redis.keys())
    local_redis.stop()
    ChangeFactory.create(team=team, member=owner)
    again = api.get(CHANGES)
    assert first.status_code == again.status_code == 200
    assert (first.json()["totalCount"], again.json()["totalCount"]) == (3, 4)
