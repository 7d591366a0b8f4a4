"""Benchmark sizes: the full enterprise size by default, small ones with --quick."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    commits: int = 2_000_000
    changes: int = 10_000_000
    members: int = 5_000
    days: int = 90
    small_teams: int = 3
    small_commits: int = 2_000
    small_changes: int = 10_000
    ingest_requests: int = 20
    ingest_batch: int = 10_000
    ingest_file_rows: int = 1_000_000
    page_reps: int = 20
    workers: int = 4


QUICK = dict(
    commits=20_000,
    changes=100_000,
    members=200,
    small_commits=500,
    small_changes=2_000,
    ingest_requests=5,
    ingest_file_rows=50_000,
    page_reps=5,
)
