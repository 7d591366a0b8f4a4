"""What every measurement needs: the database, the running server, the big team's window."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

import psycopg

from bench.server import Server
from bench.sizes import Sizes
from bench.sql import Window


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class Context:
    url: str
    conn: psycopg.Connection
    sizes: Sizes
    env: dict[str, str]
    team_id: int = 0
    team_slug: str = ""
    start: datetime | None = None
    end: datetime | None = None
    user_email: str = ""
    user_member_id: int = 0
    expected_rows: dict[str, int] = field(default_factory=dict)
    read_key: str = ""
    server: Server | None = None

    def window(self, *, member: bool = False) -> Window:
        member_id = self.user_member_id if member else None
        return Window(self.team_id, self.start, self.end, member_id)

    def team_uuid(self) -> str:
        """The big team's UUID, the Qoder organization_id of its URLs."""
        return str(self.conn.execute(
            "SELECT uuid FROM teams_team WHERE id = %s", [self.team_id]
        ).fetchone()[0])  # fmt: skip

    def range_query(self, **extra) -> str:
        return urlencode({"startDate": iso(self.start), "endDate": iso(self.end), **extra})


def load_window(ctx: Context) -> None:
    """The explicit range covering all the big team's data (1s margin on both ends), the row
    counts the exports must return, and the member with the most changes for `user` filters."""
    lo, hi = ctx.conn.execute(
        "SELECT min(created_at), max(created_at) FROM tracking_change WHERE team_id = %s",
        [ctx.team_id],
    ).fetchone()
    clo, chi = ctx.conn.execute(
        "SELECT min(created_at), max(created_at) FROM tracking_commit WHERE team_id = %s",
        [ctx.team_id],
    ).fetchone()
    ctx.start = min(lo, clo).replace(microsecond=0) - timedelta(seconds=1)
    ctx.end = max(hi, chi).replace(microsecond=0) + timedelta(seconds=1)
    ctx.expected_rows = {
        kind: ctx.conn.execute(
            f"SELECT count(*) FROM tracking_{kind[:-1]} c WHERE team_id = %s"
            + (" AND accepted" if kind == "changes" else ""),
            [ctx.team_id],
        ).fetchone()[0]
        for kind in ("commits", "changes")
    }
    ctx.user_member_id, ctx.user_email = ctx.conn.execute(
        "SELECT m.id, m.email FROM teams_member m JOIN tracking_change c ON c.member_id = m.id "
        "WHERE c.team_id = %s AND c.accepted GROUP BY m.id ORDER BY count(*) DESC LIMIT 1",
        [ctx.team_id],
    ).fetchone()
