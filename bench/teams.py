"""The benchmark's teams: the big one (seeded once, reused), small ones, throwaway ingest teams."""

from __future__ import annotations

from bench.context import Context

BIG_TEAM = "bench-big"
RECORD_TABLES = ("tracking_commitfile", "tracking_commit", "tracking_change", "tracking_message")


def team_counts(ctx: Context, team_id: int) -> dict[str, int]:
    q = "SELECT count(*) FROM {} WHERE team_id = %s"
    return {
        kind: ctx.conn.execute(q.format(f"tracking_{kind[:-1]}"), [team_id]).fetchone()[0]
        for kind in ("commits", "changes")
    }


def purge_records(ctx: Context, team_id: int) -> None:
    """Delete a team's records with plain SQL: the ORM's cascade would load millions of rows."""
    ctx.conn.execute(
        "DELETE FROM tracking_commitfile WHERE commit_id IN "
        "(SELECT id FROM tracking_commit WHERE team_id = %s)",
        [team_id],
    )
    for table in RECORD_TABLES[1:]:
        ctx.conn.execute(f"DELETE FROM {table} WHERE team_id = %s", [team_id])


def purge_team(ctx: Context, team) -> None:
    purge_records(ctx, team.pk)
    team.delete()  # members and keys: few rows, the ORM's cascade is fine


def get_or_create_team(slug: str):
    from teams.models import Team

    team, _ = Team.objects.get_or_create(slug=slug, defaults={"name": slug})
    return team


def fresh_team(ctx: Context, slug: str, *, ingest: bool):
    """An empty team (leftovers of an interrupted run are purged) and a key for it."""
    from teams.models import ApiKey, Team

    for old in Team.objects.filter(slug=slug):
        purge_team(ctx, old)
    team = Team.objects.create(slug=slug, name=slug)
    _key, plain = ApiKey.objects.create_key(team=team, name="bench", can_ingest=ingest)
    return team, plain
