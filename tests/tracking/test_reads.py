"""tracking.reads: the one read path (team scope, window, member, order, pages, keyset)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from teams.models import Team
from tests.factories import ChangeFactory, CommitFactory, MemberFactory
from tracking import reads
from tracking.models import Commit
from tracking.reads import Filters, Who

T0 = datetime(2026, 5, 1, 12, tzinfo=UTC)


@pytest.fixture
def other_team_commit(db):
    return CommitFactory(created_at=T0)  # a commit of another team, in every window


def _ids(qs) -> list[int]:
    return list(reads.newest_first(qs).values_list("id", flat=True))


def test_every_read_is_the_teams_own(team, owner, other_team_commit):
    mine = CommitFactory(team=team, member=owner, created_at=T0)
    everything = Filters()
    assert _ids(reads.commits(team=team, filters=everything)) == [mine.pk]
    assert other_team_commit.team != team
    assert list(Commit.objects.of(team)) == [mine]


def test_the_window_is_inclusive_at_both_ends(team, owner):
    inside = [
        CommitFactory(team=team, member=owner, created_at=T0 + timedelta(hours=h)) for h in (0, 1)
    ]
    CommitFactory(team=team, member=owner, created_at=T0 - timedelta(microseconds=1))
    CommitFactory(team=team, member=owner, created_at=T0 + timedelta(hours=1, microseconds=1))
    window = Filters(start=T0, end=T0 + timedelta(hours=1))
    assert _ids(reads.commits(team=team, filters=window)) == [c.pk for c in reversed(inside)]


@pytest.mark.parametrize("how", ["email", "member_id", "uuid"])
def test_a_member_named_any_way_selects_the_same_rows(team, owner, teammate, how):
    own = ChangeFactory(team=team, member=owner, created_at=T0)
    ChangeFactory(team=team, member=teammate, created_at=T0)
    who = {"email": Who(email=owner.email), "member_id": Who(member_id=owner.pk),
           "uuid": Who(uuid=owner.uuid)}[how]  # fmt: skip
    assert _ids(reads.accepted_changes(team=team, filters=Filters(who=who))) == [own.pk]


def test_an_email_of_another_teams_member_selects_nothing(team, owner):
    stranger = MemberFactory(team=Team.objects.create(name="Other"))
    CommitFactory(team=team, member=owner, created_at=T0)
    assert Who(email=stranger.email).resolved(team) == Who(nobody=True)
    assert _ids(reads.commits(team=team, filters=Filters(who=Who(email=stranger.email)))) == []
    assert _ids(reads.commits(team=team, filters=Filters(who=Who(nobody=True)))) == []


def test_accepted_changes_leave_out_rejected_suggestions_and_changes_keep_them(team, owner):
    accepted = ChangeFactory(team=team, member=owner, created_at=T0)
    rejected = ChangeFactory(team=team, member=owner, created_at=T0, accepted=False)
    assert _ids(reads.accepted_changes(team=team, filters=Filters())) == [accepted.pk]
    assert set(_ids(reads.changes(team=team, filters=Filters()))) == {accepted.pk, rejected.pk}


def test_a_page_past_the_end_runs_no_query(team, django_assert_num_queries):
    qs = reads.newest_first(reads.commits(team=team, filters=Filters())).values_list("id")
    with django_assert_num_queries(0):
        assert reads.page_of(qs, offset=10**18, limit=100, total=5) == ([], 5)


def test_pages_and_keyset_batches_give_the_same_rows(team, owner):
    for n in range(7):
        CommitFactory(team=team, member=owner, created_at=T0 + timedelta(minutes=n // 3))
    columns = reads.values("id", "commit_hash")
    everything = Filters(start=T0 - timedelta(days=1), end=T0 + timedelta(days=1))
    paged = []
    for offset in range(0, 7, 3):
        rows, total = reads.commit_page(
            team=team, filters=everything, columns=columns, offset=offset, limit=3
        )
        assert total == 7
        paged += rows
    batched = reads.keyset_rows(reads.commits(team=team, filters=everything), columns, batch=2)
    assert list(batched) == paged
