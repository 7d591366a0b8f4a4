"""The summary tables (tracking/rollups.py) stay equal to a recomputation from the records, and
every figure read from them equals the figure computed from the records, whatever sequence of
writes came before: inserts, identical re-sends, updates (a commit's repo, member, day, lines or
files; a change's `accepted`), deletes, ORM saves.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from teams.models import Member, Team
from tests.factories import ChangeFactory, CommitFactory, CommitFileFactory, MemberFactory
from tracking import figures, rollups
from tracking.attribution import figures as tool_figures
from tracking.attribution.resolve import resolve as attribution_resolve
from tracking.ingest.gitai import store_notes
from tracking.ingest.records import CHANGES, COMMITS, KIND_NAMES, MESSAGES
from tracking.ingest.services import IndexedRows, stream_ingest
from tracking.models import Change, Commit, GitCommit, HourCount, Message
from tracking.reads import Filters, Who

DAY0 = datetime(2026, 3, 1, tzinfo=UTC)
MOMENTS = [DAY0 + timedelta(hours=h, minutes=m) for h in (0, 7, 23, 30, 49) for m in (0, 59)]
EMAILS = ["ann@x.example", "bob@x.example", "cy@x.example"]
REPOS = [None, "", "acme/api", "acme/web"]
EXTENSIONS = [".py", ".ts", ".go"]
MODELS = [None, "gpt-5", "claude-opus-4"]
moments = st.sampled_from(MOMENTS)
lines = st.integers(0, 40)
# Commits that git-ai notes and git's facts (tracking/attribution/) also describe.
SHAS = ["a" * 40, "b" * 40]
TOOLS = ["claude", "cursor"]


@st.composite
def commits(draw) -> dict:
    record = {
        "commitHash": draw(st.sampled_from(["a1", "b2", "c3", "d4", *SHAS])),
        "userEmail": draw(st.sampled_from(EMAILS)),
        "repoName": draw(st.sampled_from(REPOS)),
        "isPrimaryBranch": draw(st.sampled_from([True, False, None])),
        "totalLinesAdded": draw(lines),
        "totalLinesDeleted": draw(lines),
        "ideNextLinesAdded": draw(lines),  # may exceed totalLinesAdded: counted as over_ai
        "ideAgentLinesAdded": draw(lines),
        "cliAgentLinesDeleted": draw(lines),
        "createdAt": draw(moments).isoformat(),
    }
    if draw(st.booleans()):
        record["commitTs"] = draw(moments).isoformat()
    if draw(st.booleans()):
        record["files"] = draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "fileExtension": st.sampled_from(EXTENSIONS),
                        "linesAdded": lines,
                        "aiLinesAdded": lines,
                    }
                ),
                max_size=3,
            )
        )
    return record


@st.composite
def changes(draw) -> dict:
    record = {
        "changeId": draw(st.sampled_from(["c-1", "c-2", "c-3", "c-4"])),
        "userEmail": draw(st.sampled_from(EMAILS)),
        "source": draw(st.sampled_from(["NEXT", "AGENT", "QUEST", "INLINECHAT"])),
        "accepted": draw(st.booleans()),
        "model": draw(st.sampled_from(MODELS)),
        "totalLinesAdded": draw(lines),
        "totalLinesDeleted": draw(lines),
        "createdAt": draw(moments).isoformat(),
    }
    if draw(st.booleans()):
        record["metadata"] = draw(
            st.lists(
                st.fixed_dictionaries(
                    {"fileExtension": st.sampled_from(EXTENSIONS), "linesAdded": lines}
                ),
                max_size=3,
            )
        )
    return record


messages = st.fixed_dictionaries(
    {
        "messageId": st.sampled_from(["m-1", "m-2", "m-3"]),
        "userEmail": st.sampled_from(EMAILS),
        "source": st.sampled_from(["AGENT", "QUEST"]),
        "createdAt": moments.map(datetime.isoformat),
    }
)

operations = st.one_of(
    st.tuples(st.just("commits"), st.lists(commits(), min_size=1, max_size=4)),
    st.tuples(st.just("changes"), st.lists(changes(), min_size=1, max_size=4)),
    st.tuples(st.just("messages"), st.lists(messages, min_size=1, max_size=3)),
    st.tuples(st.just("again"), st.none()),  # the previous request, sent again unchanged
    st.tuples(st.just("delete"), st.sampled_from([Commit, Change, Message])),
    st.tuples(st.just("delete-member"), st.sampled_from(EMAILS)),
    st.tuples(st.just("orm"), moments),  # factory saves, a commit file added, an edit
    # commit attribution: a git-ai note, git's facts of a commit (what `import gitai` stores)
    st.tuples(
        st.just("gitai"),
        st.tuples(st.sampled_from(SHAS), st.sampled_from(TOOLS), st.sampled_from(MODELS),
                  st.integers(1, 30), st.integers(0, 12)),
    ),
    st.tuples(
        st.just("git"),
        st.tuples(st.sampled_from(SHAS), moments, lines, lines, st.sampled_from(EMAILS)),
    ),
)  # fmt: skip


def ingest(kind: str, *, team: Team, records: list) -> None:
    """Records through the ingest service, as the HTTP door hands them over."""
    stream_ingest(team=team, kind=kind, rows=IndexedRows(records))


def apply(team: Team, operation, last: list) -> None:
    name, arg = operation
    if name in KIND_NAMES:
        ingest(name, team=team, records=arg)
        last[:] = [name, arg]
    elif name == "again" and last:
        ingest(last[0], team=team, records=last[1])
    elif name == "delete":
        doomed = arg.objects.filter(team=team).order_by("pk")[:2]
        queryset = arg.objects.filter(pk__in=list(doomed.values_list("pk", flat=True)))
        rollups.forget(queryset)  # what the admin's delete does, in its transaction
        queryset.delete()
    elif name == "delete-member":
        Member.objects.filter(team=team, email=arg).delete()
    elif name == "gitai":
        sha, tool, model, first, length = arg
        agent = {"tool": tool, "model": model or ""}
        note = (f"x.py\n  s_00000000000001::t_1 {first}-{first + length}\n  h_1 {first + 20}\n"
                '---\n{"schema_version": "authorship/3.0.0", "sessions": {"s_00000000000001": '
                f'{{"agent_id": {json.dumps(agent)}}}}}}}')  # fmt: skip
        store_notes(team=team, repo_name="acme/api", entries=[(sha, note)])
    elif name == "git":
        sha, moment, added, deleted, email = arg
        GitCommit.objects.update_or_create(
            team=team, repo_name="acme/api", sha=sha,
            defaults={"committed_at": moment, "lines_added": added, "lines_deleted": deleted,
                      "author_email": email},
        )  # fmt: skip
        attribution_resolve(team.pk, [("acme/api", sha)])
    elif name == "orm":
        member = Member.objects.filter(team=team).first() or MemberFactory(team=team)
        commit = CommitFactory(team=team, member=member, created_at=arg, repo_name="acme/orm")
        CommitFileFactory(commit=commit, file_extension=".py", lines_added=3, ai_lines_added=2)
        change = ChangeFactory(team=team, member=member, created_at=arg, accepted=True)
        change.accepted = False
        change.save()
        commit.created_at = arg + timedelta(days=1)
        commit.save()


def filter_sets(team: Team) -> list[Filters]:
    start, end = DAY0, DAY0 + timedelta(days=3) - timedelta(microseconds=1)
    member = Member.objects.filter(team=team).order_by("email").first()
    windows = [
        (None, None),
        (start, end),  # whole days
        (start + timedelta(hours=7, minutes=30), end - timedelta(hours=2)),  # partial edges
        (start + timedelta(hours=1), start + timedelta(hours=20)),  # within one day
    ]
    out = []
    for first, last in windows:
        out += [
            Filters(start=first, end=last),
            Filters(start=first, end=last, repo_name="acme/api"),
            Filters(start=first, end=last, repo_name=""),
            Filters(start=first, end=last, primary_branch_only=True),
            Filters(start=first, end=last, file_extensions=(".py", ".go")),
            Filters(start=first, end=last, model="gpt-5"),
            Filters(start=first, end=last, repo_name="acme/api", file_extensions=(".py",)),
            Filters(start=first, end=last, tool="claude"),
            Filters(start=first, end=last, tool="cursor", repo_name="acme/api"),
            Filters(start=first, end=last, model=""),
        ]
        if member is not None:
            out.append(Filters(start=first, end=last, who=Who(uuid=member.uuid)))
    return out


def assert_figures_equal_raw(team: Team, picks: list[int] | None = None) -> None:
    sets = filter_sets(team)
    for f in sets if picks is None else [sets[i % len(sets)] for i in picks]:
        where = repr(f)
        assert figures.overview_stats(team=team, filters=f) == figures.raw_overview_stats(
            team=team, filters=f
        ), where
        for name in ("daily_commit_stats", "daily_extension_stats", "daily_next_stats",
                     "extension_commit_stats", "extension_change_counts",
                     "daily_model_stats"):  # fmt: skip
            got = getattr(figures, name)(team=team, filters=f)
            want = getattr(figures, f"raw_{name}")(team=team, filters=f)
            assert got == want, f"{name} {where}"
        # commit attribution by tool and model (tracking/attribution/)
        assert tool_figures.tool_totals(team=team, filters=f) == (
            tool_figures.raw_tool_totals(team=team, filters=f)
        ), where
        assert tool_figures.daily_tool_stats(team=team, filters=f) == (
            tool_figures.raw_daily_tool_stats(team=team, filters=f)
        ), where
        assert tool_figures.sums(team=team, filters=f) == (
            tool_figures.sums(team=team, filters=f, raw=True)
        ), where
        assert figures.member_ranking(team=team, filters=f, limit=10) == (
            figures.raw_member_ranking(team=team, filters=f, limit=10)
        ), where
        # The dashboard's repositories: every repository and the commits without one, whose
        # rows add up to the overview's sums (lines from the files under an extension filter).
        repos = figures.repo_totals(team=team, filters=f)
        raw = {**figures.raw_repo_totals(team=team, filters=f)}
        if f.file_extensions:
            lines = figures.raw_repo_file_totals(team=team, filters=f)
            for name, row in raw.items():
                row.update(lines.get(name) or {"total": 0, "ai": 0})
        assert repos == {k: v for k, v in raw.items() if v["commits"]}, where
        stats = figures.overview_stats(team=team, filters=f)
        assert sum(r["commits"] for r in repos.values()) == stats["commits"], where
        if not f.file_extensions:
            assert sum(r["total"] for r in repos.values()) == stats["lines_added"], where
        if f.start is not None:
            for repo in (None, "acme/api"):
                raw = Commit.objects.filter(team=team, occurred_at__range=(f.start, f.end))
                raw = raw.filter(repo_name=repo) if repo else raw
                got = figures.commit_count(team=team, start=f.start, end=f.end, repo_name=repo)
                assert got == raw.count(), where
            for source in (None, "NEXT"):
                raw = Change.objects.filter(
                    team=team, accepted=True, created_at__range=(f.start, f.end)
                )
                raw = raw.filter(source=source) if source else raw
                got = figures.accepted_change_count(
                    team=team, start=f.start, end=f.end, source=source
                )
                assert got == raw.count(), where
        for query in (None, "API"):
            got = figures.repo_list(team=team, filters=f, query=query, offset=0, limit=10)
            want = figures.raw_repo_list(team=team, filters=f, query=query, offset=0, limit=10)
            assert got == want, where


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(operations, min_size=1, max_size=8),
    st.lists(st.integers(0, 35), min_size=4, max_size=4, unique=True),
)
def test_any_sequence_of_writes_keeps_every_figure_equal_to_the_raw_one(sequence, picks):
    """Each example checks the tables against a recomputation, and four of the 24 window x
    filter combinations (drawn) against the raw figures; test_every_filter_combination... below
    checks all of them on one rich sequence."""
    team = Team.objects.create(name="Prop", slug=f"prop-{uuid.uuid4().hex[:12]}")
    last: list = []
    for operation in sequence:
        apply(team, operation, last)
    assert rollups.differences(team.pk) == []
    assert_figures_equal_raw(team, picks)


@pytest.mark.django_db
def test_every_filter_combination_equals_the_raw_figure(team):
    moments = iter(MOMENTS * 4)
    ingest(COMMITS, team=team, records=[
        {"commitHash": f"h{i}", "userEmail": EMAILS[i % 3], "repoName": REPOS[i % 4],
         "isPrimaryBranch": [True, False, None][i % 3], "totalLinesAdded": 10 + i,
         "ideAgentLinesAdded": i, "createdAt": next(moments).isoformat(),
         "files": [{"fileExtension": EXTENSIONS[i % 3], "linesAdded": i, "aiLinesAdded": 1}]}
        for i in range(20)
    ])  # fmt: skip
    ingest(CHANGES, team=team, records=[
        {"changeId": f"c{i}", "userEmail": EMAILS[i % 3], "accepted": i % 4 != 0,
         "source": ["NEXT", "AGENT", "QUEST", "INLINECHAT"][i % 4], "totalLinesAdded": i,
         "createdAt": next(moments).isoformat(),
         "metadata": [{"fileExtension": EXTENSIONS[i % 3]}, {"fileExtension": ".md"}]}
        for i in range(20)
    ])  # fmt: skip
    ingest(MESSAGES, team=team, records=[
        {"messageId": f"m{i}", "userEmail": EMAILS[0], "source": "AGENT",
         "createdAt": MOMENTS[i].isoformat()} for i in range(5)
    ])  # fmt: skip
    assert rollups.differences(team.pk) == []
    assert_figures_equal_raw(team)


@pytest.mark.django_db
def test_an_identical_resend_changes_no_summary_row(team):
    records = [
        {"changeId": "x1", "userEmail": "a@x.example", "source": "NEXT", "accepted": True,
         "totalLinesAdded": 3, "createdAt": "2026-03-01T10:00:00Z"},
    ]  # fmt: skip
    ingest(CHANGES, team=team, records=records)
    before = rollups.stored(team.pk)
    assert before["HourCount"] == {("changes", datetime(2026, 3, 1, 10, tzinfo=UTC)): [1]}
    ingest(CHANGES, team=team, records=records)
    assert rollups.stored(team.pk) == before


@pytest.mark.django_db
def test_an_update_moves_the_old_contribution_out(team):
    record = {"changeId": "x1", "userEmail": "a@x.example", "source": "NEXT", "accepted": True,
              "createdAt": "2026-03-01T10:00:00Z"}  # fmt: skip
    ingest(CHANGES, team=team, records=[record])
    ingest(CHANGES, team=team, records=[record | {"accepted": False}])
    assert not HourCount.objects.filter(team=team, n__gt=0).exists()
    day = rollups.stored(team.pk)["TeamChangeDay"]
    assert day == {(DAY0.date(), "NEXT", False, ""): [1, 0]}


@pytest.mark.django_db
def test_verify_reports_each_difference_and_rebuild_repairs_it(team, owner):
    ingest(
        COMMITS,
        team=team,
        records=[{"commitHash": "abc", "userEmail": owner.email, "repoName": "r",
                  "totalLinesAdded": 5, "createdAt": "2026-03-01T10:00:00Z"}],
    )  # fmt: skip
    call_command("rollups", "verify", "--team", team.slug, stdout=StringIO(), stderr=StringIO())
    Commit.objects.filter(team=team).update(total_lines_added=9)  # behind the rollups' back
    out = StringIO()
    with pytest.raises(CommandError, match=r"\d+ difference"):
        call_command("rollups", "verify", "--team", team.slug, stdout=out, stderr=StringIO())
    assert "TeamCommitDay [day=2026-03-01" in out.getvalue()
    assert "stored commits=1 lines_added=5" in out.getvalue()
    assert "recomputed commits=1 lines_added=9" in out.getvalue()
    out = StringIO()
    call_command("rollups", "rebuild", "--team", team.slug, stdout=out, stderr=StringIO())
    assert f"{team.slug}: rebuilt" in out.getvalue()
    assert rollups.differences(team.pk) == []


@given(st.dates(max_value=date(9000, 1, 1)), st.integers(0, 400))
@example(date(1, 1, 1), 70)  # the first day there is: no span may start before it
def test_the_spans_of_a_run_of_days_cover_it_exactly_and_are_few(first, length):
    last = first + timedelta(days=length)
    spans = rollups.spans_covering(first, last)
    days = [start + timedelta(days=d) for level, start in spans for d in range(1 << level)]
    assert days == [first + timedelta(days=d) for d in range(length + 1)]
    for level, start in spans:
        assert (start.toordinal() - 1) % (1 << level) == 0  # aligned: one row per member, span
        assert (level, start) in set(rollups.spans_of(start))
    assert len(spans) <= 2 * 7 + (length >> 6)  # 90 days: at most ~12
