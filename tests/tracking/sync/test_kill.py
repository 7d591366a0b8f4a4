"""`kill -9` in the middle of a sync, then a rerun: exactly the upstream's records, none
missing, none twice. The sync runs as a real process on an SQLite file it migrates itself
(pytest's test database lives in a transaction another process cannot see), or, when the
suite runs on PostgreSQL, on a database named after the suite's with `_sync_kill` appended."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.tracking.sync.upstream import KEY, ORG, Upstream, make_records, parse_ts

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
MAKE_TEAM = "import django; django.setup(); from teams.models import Team; " \
    "Team.objects.create(name='Acme', slug='acme')"  # fmt: skip


def _env(db: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(
        DATABASE_URL=db,
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="kill-test-" + "x" * 40,
        CURSOR_API_KEY=KEY,
        QODER_API_KEY=KEY,
    )
    return env  # fmt: skip


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> str:
    """Migrated once with the team; each test starts from a copy (a file copy on SQLite, a
    database created from it as TEMPLATE on PostgreSQL): the kill, not the migrations, is
    what each test pays for."""
    suite = os.environ.get("DATABASE_URL", "")
    if suite.startswith(("postgres://", "postgresql://")):
        db = suite.rsplit("?", 1)[0] + "_sync_kill_template"
        _recreate_pg(db)
    else:
        db = f"sqlite:///{tmp_path_factory.mktemp('kill') / 'template.sqlite3'}"
    env = _env(db)
    for command in (["manage.py", "migrate", "--noinput", "-v0"], ["-c", MAKE_TEAM]):
        done = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True,
                              text=True)  # fmt: skip
        assert done.returncode == 0, done.stderr
    return db


@pytest.fixture
def database(template, tmp_path) -> str:
    if template.startswith("sqlite:///"):
        copy = tmp_path / "sync.sqlite3"
        shutil.copyfile(template.removeprefix("sqlite:///"), copy)
        return f"sqlite:///{copy}"
    db = template.removesuffix("_template")
    _recreate_pg(db, template=template.rsplit("/", 1)[1])
    return db


def _recreate_pg(url: str, template: str | None = None) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        copy = f' TEMPLATE "{template}"' if template else ""
        connection.execute(f'CREATE DATABASE "{name}"{copy}')


def _rows(db: str, sql: str) -> list:
    if db.startswith("sqlite:///"):
        with sqlite3.connect(db.removeprefix("sqlite:///")) as connection:
            return connection.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(db) as connection:
        return connection.execute(sql).fetchall()


def _stored(db: str, table: str) -> int:
    try:
        return _rows(db, f"SELECT COUNT(*) FROM {table}")[0][0]
    except sqlite3.OperationalError:  # locked by the writer: try again
        return 0


@pytest.mark.parametrize(
    "upstream_name, table, stored",
    [
        ("cursor", "tracking_commit", 10),  # in the commits stream
        ("cursor", "tracking_change", 60),  # in the changes stream
        ("qoder", "tracking_commit", 10),
        ("qoder", "tracking_change", 60),
    ],
)
def test_a_sync_killed_mid_run_then_rerun_holds_exactly_the_upstream_records(
    database, upstream_name, table, stored
):
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    commits, changes = make_records(now, commits=80, changes=300, days=5)
    command = [sys.executable, "manage.py", "sync", upstream_name, "--team", "acme",
               "--max-rpm", "0", "--since", "6d", "--window-days", "1",
               "--organization", ORG]  # fmt: skip
    with Upstream(commits, changes, delay=0.1) as upstream:
        command += ["--base-url", upstream.url]
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=_env(database),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        # Killed once some windows are committed and others are not.
        while _stored(database, table) < stored and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.05)  # somewhere inside the next window's request or transaction
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL
        partial = _rows(database, "SELECT COUNT(*) FROM tracking_change")[0][0]
        assert partial < len(changes), "the kill came after the run had finished"
        print(f"killed with {partial} of {len(changes)} changes and "
              f"{_rows(database, 'SELECT COUNT(*) FROM tracking_commit')[0][0]} of "
              f"{len(commits)} commits stored")  # fmt: skip
        upstream.delay = 0
        done = subprocess.run(command, cwd=ROOT, env=_env(database), capture_output=True,
                              text=True)  # fmt: skip
        assert done.returncode == 0, done.stderr

    stored_commits = _rows(database, "SELECT commit_hash, created_at FROM tracking_commit")
    stored_changes = _rows(database, "SELECT change_id, created_at FROM tracking_change")
    assert sorted(h for h, _ in stored_commits) == sorted(c["commitHash"] for c in commits)
    assert sorted(i for i, _ in stored_changes) == sorted(c["changeId"] for c in changes)
    assert {_instant(at) for _, at in stored_changes} == {parse_ts(c["createdAt"]) for c in changes}


def _instant(value) -> datetime:
    """SQLite answers text (`2026-12-03 10:00:00`), PostgreSQL an aware datetime."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return parse_ts(value.replace(" ", "T") + ("" if "+" in value else "Z"))
