"""Read replicas: which database a read goes to (docs/scaling.md, "Read replicas").

`DATABASE_REPLICA_URLS` (settings) adds PostgreSQL streaming-replication standbys as the
aliases `replica_0`, `replica_1`, ... Empty (the default): one database, every query on
`default`, exactly as before.

The rule, enforced here and nowhere else:

- A read goes to a replica only while a GET, HEAD or OPTIONS request outside the admin is being
  answered (`ReplicaReadsMiddleware`, until the response, a streamed CSV export included, has
  been sent), only for the models of `DATABASE_REPLICA_APPS` (the records and their summary
  tables), and only outside a transaction on the primary.
- Everything else reads the primary: the ingest answer (a POST), `rollups verify` and every
  other command (no request), anything inside `transaction.atomic` (a write and the reads it
  depends on), the admin (it edits what it shows), and the models that decide who may see what
  (API keys, teams, memberships, users, sessions, rate-limit counters): a revoked key or
  membership stops working at once, not one replica lag later.
- A replica that does not answer, is not in recovery, or lags more than
  `DATABASE_REPLICA_MAX_LAG` seconds is left out (checked at most every
  `DATABASE_REPLICA_CHECK_SECONDS` per process); with none left the request reads the primary.
- Writes always go to the primary; migrations run on the primary only (a standby is read-only
  and receives the schema through replication).
"""

from __future__ import annotations

import logging
import random
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router
from django.urls import NoReverseMatch, reverse

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The replica chosen for the request being answered (None: read the primary). One per request,
# so that a page's rows and totals come from the same snapshot of one standby.
_request_replica: ContextVar[str | None] = ContextVar("request_replica", default=None)
# alias -> (checked at, usable, why not)
_checks: dict[str, tuple[float, bool, str]] = {}


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def read_connection(model):
    """The connection a raw-SQL read of `model`'s data should use (the router's choice)."""
    return connections[router.db_for_read(model)]


def records_alias() -> str:
    """Where reads of records go now: the request's replica, or the primary (no request, or
    inside a transaction, which reads what it may be about to write)."""
    alias = _request_replica.get()
    if alias is None or _in_transaction(connections[DEFAULT_DB_ALIAS]):
        return DEFAULT_DB_ALIAS
    return alias


class ReplicaRouter:
    """Django database router: the rule above."""

    def db_for_read(self, model, **hints):
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return instance._state.db  # related objects come from where their parent came from
        if model._meta.app_label not in settings.DATABASE_REPLICA_APPS:
            return DEFAULT_DB_ALIAS
        return records_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data (replicas are copies of the primary)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _in_transaction(conn) -> bool:
    """Inside transaction.atomic on the primary (the blocks a test case wraps around each test
    do not count: in production there are none)."""
    if not conn.in_atomic_block:
        return False
    blocks = conn.atomic_blocks
    return not blocks or any(not getattr(block, "_from_testcase", False) for block in blocks)


def _admin_prefix() -> str | None:
    try:
        return reverse("admin:index")
    except NoReverseMatch:
        return None


class ReplicaReadsMiddleware:
    """Lets the reads of a safe, non-admin request go to one usable replica (see the rule)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        aliases = replica_aliases()
        if aliases and request.method in SAFE_METHODS:
            admin = _admin_prefix()
            if not (admin and request.path.startswith(admin)):
                usable = [alias for alias in aliases if usable_replica(alias)]
                if usable:
                    # Not reset here: a streamed response (CSV export) reads after this returns.
                    # request_finished (sent when the response is closed) resets it.
                    _request_replica.set(random.choice(usable))
        return self.get_response(request)


def _reset(**kwargs) -> None:
    _request_replica.set(None)


# Each request starts and ends on the primary (a WSGI worker thread keeps its context).
request_started.connect(_reset, dispatch_uid="common.replicas.reset_started")
request_finished.connect(_reset, dispatch_uid="common.replicas.reset_finished")


def usable_replica(alias: str) -> bool:
    """Whether reads may go to `alias` now (cached for DATABASE_REPLICA_CHECK_SECONDS)."""
    now = time.monotonic()
    checked = _checks.get(alias)
    if checked and now - checked[0] < settings.DATABASE_REPLICA_CHECK_SECONDS:
        return checked[1]
    state = replica_state(alias)
    ok, why = state["usable"], state["problem"]
    if not ok and (not checked or checked[1]):
        log.warning("replica %s left out, reads go to the primary: %s", alias, why)
    _checks[alias] = (now, ok, why)
    return ok


def forget_checks() -> None:
    _checks.clear()


def replica_state(alias: str) -> dict:
    """One replica's state as the admin shows it: whether it answers and is a standby, how far
    its replay is behind the primary (bytes of WAL, and seconds since the last transaction it
    replayed committed on the primary; 0 when it has replayed everything the primary wrote)."""
    conn = connections[alias]
    state = {
        "alias": alias,
        "host": conn.settings_dict.get("HOST") or "(local socket)",
        "port": conn.settings_dict.get("PORT") or "5432",
        "name": conn.settings_dict.get("NAME"),
        "usable": False,
        "problem": "",
        "lag_seconds": None,
        "lag_bytes": None,
    }
    if conn.vendor != "postgresql":
        state.update(usable=True, problem="not PostgreSQL: no lag to measure", lag_seconds=0.0)
        return state
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
                "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
            )
            in_recovery, replay_lsn, since_last = cursor.fetchone()
        if not in_recovery:
            state["problem"] = "not a standby (pg_is_in_recovery() is false)"
            return state
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)::bigint", [replay_lsn]
            )
            behind = max(int(cursor.fetchone()[0]), 0)
    except DatabaseError as exc:
        state["problem"] = f"does not answer: {str(exc).strip().splitlines()[0]}"
        return state
    lag = 0.0 if behind == 0 else float(since_last or 0.0)
    state.update(lag_bytes=behind, lag_seconds=round(max(lag, 0.0), 3))
    limit = settings.DATABASE_REPLICA_MAX_LAG
    if lag > limit:
        state["problem"] = f"lags {lag:.1f} s, more than DATABASE_REPLICA_MAX_LAG ({limit:g} s)"
        return state
    state["usable"] = True
    return state


def replicas_status() -> list[dict]:
    """Every configured replica's state, measured now (the admin's index page)."""
    return [replica_state(alias) for alias in replica_aliases()]
