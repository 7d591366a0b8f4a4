from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.core.management.base import CommandError
from django.db.models import Max, Min

from teams.models import Member, Team
from tests.commands import run
from tests.factories import ChangeFactory, TeamFactory
from tracking import rollups
from tracking.demo import GENERATION_ORDER, DemoRecords, DemoSize, demo_seed
from tracking.models import AI_PAIRS, Change, Commit, CommitFile, Message, TeamChangeDay

NOW = datetime(2026, 3, 18, 15, 42, tzinfo=UTC)
SMALL = DemoSize(members=6, repos=5, days=30, commits=400, changes=3_000, messages=300, seed=7)


def snapshot(team: Team) -> dict[str, list[tuple]]:
    """The team's records as plain values, members by email, without database ids."""
    commit_fields = [f.name for f in Commit._meta.fields if f.name not in ("id", "team")]
    change_fields = [f.name for f in Change._meta.fields if f.name not in ("id", "team")]
    message_fields = [f.name for f in Message._meta.fields if f.name not in ("id", "team")]

    def rows(model, fields):
        values = model.objects.filter(team=team).order_by("created_at", "pk")
        return [
            tuple(str(v) for v in row)
            for row in values.values_list(*[f.replace("member", "member__email") for f in fields])
        ]

    files = CommitFile.objects.filter(commit__team=team).order_by("commit__created_at", "pk")
    return {
        "members": sorted(Member.objects.filter(team=team).values_list("email", "display_name")),
        "commits": rows(Commit, commit_fields),
        "changes": rows(Change, change_fields),
        "messages": rows(Message, message_fields),
        "files": list(files.values_list("commit__commit_hash", "file_path", "lines_added")),
    }


@pytest.fixture
def seeded(team):
    demo_seed(team=team, size=SMALL, now=NOW)
    return team


def test_the_same_seed_gives_the_same_records_in_two_teams(seeded):
    other = TeamFactory(slug="other")
    demo_seed(team=other, size=SMALL, now=NOW)

    assert snapshot(seeded) == snapshot(other)
    assert len(snapshot(seeded)["changes"]) == SMALL.changes


def test_another_seed_gives_other_records(seeded):
    other = TeamFactory(slug="other")
    demo_seed(team=other, size=DemoSize(**{**SMALL.__dict__, "seed": 8}), now=NOW)

    assert snapshot(seeded)["commits"] != snapshot(other)["commits"]


def test_it_writes_the_requested_amounts(seeded):
    assert Member.objects.filter(team=seeded).count() == SMALL.members
    assert Commit.objects.filter(team=seeded).count() == SMALL.commits
    assert Change.objects.filter(team=seeded).count() == SMALL.changes
    assert Message.objects.filter(team=seeded).count() == SMALL.messages
    assert Commit.objects.filter(team=seeded).values("repo_name").distinct().count() <= 6


@pytest.mark.parametrize("model", [Commit, Change, Message])
def test_every_kind_of_record_spans_the_whole_window(seeded, model):
    times = model.objects.filter(team=seeded).aggregate(
        first=Min("created_at"), last=Max("created_at")
    )
    # Charts of the last week must have data for every kind, and so must the first week.
    assert times["last"] > NOW - timedelta(days=3)
    assert times["first"] < NOW - timedelta(days=SMALL.days - 7)
    assert times["last"] <= NOW


def test_changes_cover_every_source_and_unaccepted_next_only(seeded):
    changes = Change.objects.filter(team=seeded)

    assert set(changes.values_list("source", flat=True)) == {"NEXT", "AGENT", "QUEST", "INLINECHAT"}
    assert changes.filter(source="NEXT", accepted=False).exists()
    assert not changes.exclude(source="NEXT").filter(accepted=False).exists()
    assert {"gpt-4o", "auto"} <= set(changes.values_list("model", flat=True))


def test_change_metadata_has_privacy_rows_and_normalised_extensions(seeded):
    entries = [e for m in Change.objects.filter(team=seeded).values_list("metadata", flat=True)
               for e in m]  # fmt: skip

    assert any("fileName" not in e for e in entries)
    assert any("fileName" in e for e in entries)
    assert all(e["fileExtension"].startswith(".") for e in entries)
    assert all(e["fileExtension"] == e["fileExtension"].lower() for e in entries)


def test_change_totals_are_the_sums_of_their_files(seeded):
    for change in Change.objects.filter(team=seeded)[:200]:
        assert change.total_lines_added == sum(e["linesAdded"] for e in change.metadata)
        assert change.total_lines_deleted == sum(e["linesDeleted"] for e in change.metadata)


def test_commits_have_every_ai_pair_no_ai_all_ai_and_never_more_ai_than_lines(seeded):
    """The demo shows a team whose tools report sensibly: commits with no AI, with all of it
    AI, never with more AI lines than lines (the dashboard would show a data-quality note)."""
    commits = list(Commit.objects.filter(team=seeded))

    def ai(c, side="added"):
        return sum(getattr(c, f"{p}_lines_{side}") for p in AI_PAIRS)

    for pair in AI_PAIRS:
        assert any(getattr(c, f"{pair}_lines_added") for c in commits), pair
    assert any(ai(c) == 0 for c in commits)
    assert any(ai(c) == c.total_lines_added > 0 for c in commits)
    assert all(ai(c) <= c.total_lines_added for c in commits)
    assert all(ai(c, "deleted") <= c.total_lines_deleted for c in commits)


def test_commits_have_null_branches_null_repos_and_annotations(seeded):
    commits = Commit.objects.filter(team=seeded)

    assert commits.filter(branch_name__isnull=True, is_primary_branch__isnull=True).exists()
    assert commits.filter(is_primary_branch=True, branch_name="main").exists()
    assert commits.filter(is_primary_branch=False).exists()
    assert commits.filter(repo_name__isnull=True).exists()
    annotated = commits.exclude(range_annotations=None).first()
    group = annotated.range_annotations[0]["groups"][0]
    assert group["source"] in {"NEXT", "AGENT", "QUEST", "INLINECHAT"}
    assert group["ranges"][0]["start"] <= group["ranges"][0]["end"]


def test_commit_times_precede_ingestion_and_lie_in_the_window(seeded):
    for commit in Commit.objects.filter(team=seeded):
        assert commit.commit_ts < commit.created_at < NOW
        assert commit.created_at > NOW - timedelta(days=SMALL.days + 1)


def test_activity_follows_the_working_week(seeded):
    weekdays = [c.weekday() for c in Change.objects.filter(team=seeded)
                .values_list("created_at", flat=True)]  # fmt: skip

    assert sum(d < 5 for d in weekdays) > 0.85 * len(weekdays)


def test_commit_files_sum_to_the_commit_and_ai_never_exceeds_lines(seeded):
    files = CommitFile.objects.filter(commit__team=seeded)

    assert files.exists()
    assert all(f.ai_lines_added <= f.lines_added for f in files)
    assert all(f.ai_lines_deleted <= f.lines_deleted for f in files)
    assert {f.file_extension for f in files} >= {".ts", ".py"}
    commit = files.first().commit
    assert sum(f.lines_added for f in commit.files.all()) == commit.total_lines_added


def test_messages_come_in_conversations(seeded):
    messages = Message.objects.filter(team=seeded)

    assert messages.values("conversation_id").distinct().count() < messages.count()
    assert set(messages.values_list("source", flat=True)) <= {"AGENT", "QUEST", "INLINECHAT"}


def test_seeding_moves_the_data_version(team):
    before = team.data_version

    demo_seed(team=team, size=SMALL, now=NOW)

    team.refresh_from_db()
    assert team.data_version > before  # one ingest per kind, each moves it


def test_members_get_their_display_names_through_the_records(seeded):
    names = dict(Member.objects.filter(team=seeded).values_list("email", "display_name"))

    assert len(names) == SMALL.members
    assert all(name.count(" ") == 1 and "@" not in name for name in names.values()), names
    assert all(email.split("@")[0] == name.lower().replace(" ", ".")
               for email, name in names.items())  # fmt: skip


def test_the_demo_records_are_what_a_client_posts(ingest_api, team):
    records = DemoRecords(size=DemoSize(members=3, commits=40, changes=60, messages=20), now=NOW)

    for kind in GENERATION_ORDER:
        body = json.dumps([raw for _line, raw in records.records(kind)])
        response = ingest_api.post(f"/ingest/v1/{kind}", body, content_type="application/json")
        count = getattr(records.size, kind)
        assert response.json() == {"received": count, "created": count, "updated": 0}, kind
    assert Member.objects.filter(team=team, display_name__contains=" ").count() == 3


def test_the_summary_tables_are_current_after_seeding_without_a_rebuild(team):
    """The seed goes through the ingest writers, which move the summary tables: verify finds
    nothing to repair (a write that bypassed them would leave the tables empty)."""
    with mock.patch.object(rollups, "rebuild", side_effect=AssertionError("rebuilt")):
        run("seed_demo", "--team", "acme", "--commits", "300", "--changes", "900",
            "--messages", "60", "--members", "4")  # fmt: skip

    assert TeamChangeDay.objects.filter(team=team).exists()
    assert "acme: 0 difference(s)" in run("rollups", "verify", "--team", "acme")


def test_the_command_seeds_a_team_by_slug(team):
    output = run("seed_demo", "--team", "acme", "--commits", "50", "--changes", "120",
                 "--messages", "10", "--members", "3")  # fmt: skip

    assert "50 commits" in output and "120 changes" in output
    assert Change.objects.filter(team=team).count() == 120


def test_the_command_refuses_a_team_with_records(team, owner):
    ChangeFactory(member=owner)

    with pytest.raises(CommandError, match="already has records"):
        run("seed_demo", "--team", "acme", "--changes", "10")
    assert Change.objects.count() == 1


def test_append_with_a_new_seed_adds_and_with_the_same_seed_refuses(team):
    args = ("seed_demo", "--team", "acme", "--commits", "20", "--changes", "30",
            "--messages", "5", "--members", "2")  # fmt: skip
    run(*args)

    run(*args, "--append", "--seed", "43")
    assert Change.objects.filter(team=team).count() == 60
    hashes = set(Commit.objects.filter(team=team).values_list("commit_hash", "created_at"))
    with pytest.raises(CommandError, match="stored in team 'acme' already: choose another"):
        run(*args, "--append", "--seed", "43")
    assert Change.objects.filter(team=team).count() == 60
    assert set(Commit.objects.filter(team=team).values_list("commit_hash", "created_at")) == hashes


def test_the_command_rejects_negative_sizes(team):
    with pytest.raises(CommandError, match="--changes"):
        run("seed_demo", "--team", "acme", "--changes", "-5")


def test_the_command_names_an_unknown_team(db):
    with pytest.raises(CommandError, match="No team with slug 'ghost'"):
        run("seed_demo", "--team", "ghost")


def test_appending_with_another_seed_reuses_the_members(seeded):
    demo_seed(team=seeded, size=DemoSize(**{**SMALL.__dict__, "seed": 99}), now=NOW)

    assert Member.objects.filter(team=seeded).count() == SMALL.members
    assert Change.objects.filter(team=seeded).count() == 2 * SMALL.changes
