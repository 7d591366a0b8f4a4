"""A Django cache backend for rate-limit counters in the database, atomic and shared.

Django's DatabaseCache reads then writes (two statements, a race between workers) and
django-ratelimit's checks reject it for that. Here every operation is ONE SQL statement, so the
database serialises concurrent workers and machines: `add` is an upsert that only replaces an
expired row, `incr` an UPDATE ... RETURNING. Works on SQLite (>= 3.35) and PostgreSQL.

Values are integers (this is a counter store, not a general cache).
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router
from redis.exceptions import RedisError

from analytics_api.models import RateLimitCounter

logger = logging.getLogger(__name__)

FOREVER = 1e15  # "never expires", still a plain float for the comparison


class AtomicDatabaseCache(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)
        self._table = RateLimitCounter._meta.db_table

    # -- plumbing -----------------------------------------------------------------------------

    def _execute(self, sql: str, params: list, *, write: bool = True) -> list:
        alias = (router.db_for_write if write else router.db_for_read)(RateLimitCounter)
        connection = connections[alias]
        table = connection.ops.quote_name(self._table)
        with connection.cursor() as cursor:
            cursor.execute(sql.format(t=table), params)
            return cursor.fetchall() if cursor.description else []

    def _expiry(self, timeout) -> float:
        timeout = self.get_backend_timeout(timeout)
        return FOREVER if timeout is None else timeout

    def _cull(self) -> None:
        # Optimization: expired rows are dropped when a key starts a new window (once per team,
        # endpoint and minute), not on every request; `expires` is indexed.
        self._execute("DELETE FROM {t} WHERE expires <= %s", [time.time()])

    # -- the cache API ------------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        rows = self._execute(
            "INSERT INTO {t} (key, value, expires) VALUES (%s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires "
            "WHERE {t}.expires <= %s RETURNING key",
            [key, int(value), self._expiry(timeout), time.time()],
        )
        if rows:
            self._cull()
        return bool(rows)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        key = self.make_and_validate_key(key, version=version)
        self._execute(
            "INSERT INTO {t} (key, value, expires) VALUES (%s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires",
            [key, int(value), self._expiry(timeout)],
        )

    def incr(self, key, delta=1, version=None) -> int:
        key = self.make_and_validate_key(key, version=version)
        rows = self._execute(
            "UPDATE {t} SET value = value + %s WHERE key = %s AND expires > %s RETURNING value",
            [int(delta), key, time.time()],
        )
        if not rows:
            raise ValueError(f"Key {key!r} not found.")
        return rows[0][0]

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        rows = self._execute(
            "SELECT value FROM {t} WHERE key = %s AND expires > %s", [key, time.time()], write=False
        )
        return rows[0][0] if rows else default

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        rows = self._execute(
            "UPDATE {t} SET expires = %s WHERE key = %s AND expires > %s RETURNING key",
            [self._expiry(timeout), key, time.time()],
        )
        return bool(rows)

    def delete(self, key, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return bool(self._execute("DELETE FROM {t} WHERE key = %s RETURNING key", [key]))

    def has_key(self, key, version=None) -> bool:
        return self.get(key, version=version) is not None

    def clear(self) -> None:
        self._execute("DELETE FROM {t}", [])


class RedisWithDatabaseFallback(BaseCache):
    """Redis for the counters, and AtomicDatabaseCache while Redis does not answer.

    A cache is not worth an outage: a Redis that refuses connections or times out (socket
    timeouts of REDIS_TIMEOUT seconds, so a black-holed Redis costs at most that per request)
    sends the operation to the database counter, which is still one atomic statement and
    exact across workers. The failure is logged once per RETRY_SECONDS; Redis is tried again
    after that, and used again as soon as it answers. A window that straddles the switch
    starts over in the other store: at most one window's budget is counted twice.
    """

    RETRY_SECONDS = 30.0

    def __init__(self, location, params):
        super().__init__(params)
        options = dict(params.get("OPTIONS") or {})
        timeout = float(options.pop("socket_timeout", 0.5))
        options.setdefault("socket_connect_timeout", timeout)
        options["socket_timeout"] = timeout
        redis_params = {**params, "OPTIONS": options}
        self.redis = RedisCache(location, redis_params)
        self.database = AtomicDatabaseCache(location, params)
        self._down_until = 0.0

    def _call(self, name: str, *args, **kwargs):
        now = time.monotonic()
        if now >= self._down_until:
            try:
                return getattr(self.redis, name)(*args, **kwargs)
            except RedisError as error:
                self._down_until = now + self.RETRY_SECONDS
                logger.warning(
                    "Redis is unavailable (%s): rate-limit counters use the database; "
                    "Redis is tried again in %d s.",
                    error.__class__.__name__,
                    self.RETRY_SECONDS,
                )
        return getattr(self.database, name)(*args, **kwargs)

    @property
    def redis_available(self) -> bool:
        return time.monotonic() >= self._down_until

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._call("add", key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        self._call("set", key, value, timeout, version)

    def incr(self, key, delta=1, version=None) -> int:
        return self._call("incr", key, delta, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None) -> bool:
        return self._call("delete", key, version)

    def has_key(self, key, version=None) -> bool:
        return self._call("has_key", key, version)

    def clear(self) -> None:
        self._call("clear")
