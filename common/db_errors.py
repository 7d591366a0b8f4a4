"""Whether a database error is the moment's fault (the connection broke) rather than a bug."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError


def connection_lost(exc: BaseException | None) -> bool:
    """A database connection that broke under the request: SQLSTATE class 08 (connection
    exception) or 57P (operator intervention: pg_terminate_backend, shutdown), a closed
    connection, or libpq's "server closed the connection". Other OperationalErrors are bugs."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    sqlstate = getattr(exc.__cause__, "sqlstate", None) or ""
    if sqlstate.startswith(("08", "57P")):
        return True
    message = str(exc).lower()
    return any(
        text in message
        for text in ("server closed the connection", "connection is lost", "connection refused")
    )
