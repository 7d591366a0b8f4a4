"""The records admin (tracking/admin.py): bounded lists of commits, changes and messages, their
filters and searches, read-only records, and deletes that bump the team's data version."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.factories import (
    ChangeFactory,
    CommitFactory,
    CommitFileFactory,
    MemberFactory,
    MessageFactory,
)
from tracking.admin import FILES_SHOWN
from tracking.models import Change, Commit


@pytest.fixture
def records(owner, teammate, outsider):
    for member in (owner, teammate, outsider):
        for i in range(10):
            commit = CommitFactory(member=member, repo_name=f"acme/repo{i % 3}")
            CommitFileFactory(commit=commit)
            ChangeFactory(member=member, source="NEXT" if i % 2 else "AGENT")
            MessageFactory(member=member)


@pytest.mark.parametrize("model", ["commit", "change", "message"])
def test_record_lists_render_with_a_bounded_number_of_queries(
    admin, records, model, django_assert_max_num_queries
):
    with django_assert_max_num_queries(9):
        response = admin.get(f"/admin/tracking/{model}/")

    assert response.status_code == 200
    assert "owner@acme.example" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "team__id__exact=1",
        "source__exact=NEXT",
        "accepted__exact=1",
        "created_within=7d",
        "created_month=2026-01",
        "created_month=garbage",
        "created_month=2026-01&created_day=2026-01-15",
        "created_day=garbage",
        "q=owner@acme.example",
        "q=749356201",
        "p=1",
    ],
)
def test_change_list_filters_and_searches_render(admin, records, query):
    assert admin.get(f"/admin/tracking/change/?{query}").status_code == 200


@pytest.mark.parametrize(
    "query",
    ["repo=acme/repo1", "is_primary_branch__exact=1", "q=0000", "q=teammate@acme.example",
     "team__id__exact=1&created_within=30d"],
)  # fmt: skip
def test_commit_list_filters_and_searches_render(admin, records, query):
    assert admin.get(f"/admin/tracking/commit/?{query}").status_code == 200


def test_searching_changes_by_change_id_finds_exactly_that_change(admin, owner):
    wanted = ChangeFactory(member=owner, change_id="wanted-123")
    ChangeFactory(member=owner, change_id="other-456")

    html = admin.get("/admin/tracking/change/?q=wanted-123").content.decode()

    assert f"/admin/tracking/change/{wanted.pk}/change/" in html
    assert "other-456" not in html


def test_searching_by_email_finds_that_members_records_in_any_case(admin, owner, teammate):
    ChangeFactory(member=owner, change_id="owners")
    ChangeFactory(member=teammate, change_id="teammates")

    html = admin.get("/admin/tracking/change/?q=OWNER@acme.example").content.decode()

    assert "owners" in html and "teammates" not in html


def test_searching_commits_by_hash_prefix(admin, owner):
    CommitFactory(member=owner, commit_hash="abcdef0123456789")
    CommitFactory(member=owner, commit_hash="fedcba9876543210")

    html = admin.get("/admin/tracking/commit/?q=ABCDEF").content.decode()

    assert "abcdef0123456789" in html and "fedcba9876543210" not in html


def test_the_repo_filter_limits_commits_to_the_repo(admin, owner):
    CommitFactory(member=owner, repo_name="acme/web", commit_hash="web000")
    CommitFactory(member=owner, repo_name="acme/api", commit_hash="api000")

    html = admin.get("/admin/tracking/commit/?repo=acme/web").content.decode()

    assert "web000" in html and "api000" not in html
    assert "acme/api" in html  # offered as a choice


def test_a_commit_page_shows_its_files_read_only(admin, owner):
    commit = CommitFactory(member=owner)
    CommitFileFactory(commit=commit, file_path="src/deep/thing.go")

    html = admin.get(f"/admin/tracking/commit/{commit.pk}/change/").content.decode()

    assert "src/deep/thing.go" in html
    assert 'name="files-0-file_path"' not in html  # no editable inline
    assert 'name="commit_hash"' not in html


def test_records_cannot_be_added_or_edited(admin, owner):
    change = ChangeFactory(member=owner, total_lines_added=5)

    assert admin.get("/admin/tracking/change/add/").status_code == 403
    admin.post(f"/admin/tracking/change/{change.pk}/change/", {"total_lines_added": 99})
    change.refresh_from_db()
    assert change.total_lines_added == 5


def test_deleting_records_bumps_the_team_data_version(admin, team, owner):
    changes = [ChangeFactory(member=owner) for _ in range(3)]
    team.refresh_from_db()
    before = team.data_version

    admin.post(
        "/admin/tracking/change/",
        {"action": "delete_selected", "_selected_action": [c.pk for c in changes[:2]],
         "post": "yes"},
    )  # fmt: skip

    team.refresh_from_db()
    assert Change.objects.count() == 1
    assert team.data_version == before + 1


def test_deleting_one_commit_bumps_the_data_version_and_removes_its_files(admin, team, owner):
    commit = CommitFileFactory(commit__member=owner).commit
    team.refresh_from_db()
    before = team.data_version

    response = admin.post(f"/admin/tracking/commit/{commit.pk}/delete/", {"post": "yes"})

    team.refresh_from_db()
    assert response.status_code == 302
    assert not Commit.objects.exists()
    assert team.data_version == before + 1


def test_the_day_filter_keeps_one_utc_day(admin, owner):
    ChangeFactory(
        member=owner, change_id="on-day", created_at=datetime(2026, 1, 15, 23, 59, tzinfo=UTC)
    )
    ChangeFactory(
        member=owner, change_id="next-day", created_at=datetime(2026, 1, 16, 0, 0, tzinfo=UTC)
    )

    html = admin.get("/admin/tracking/change/?created_month=2026-01&created_day=2026-01-15")

    assert "on-day" in html.content.decode() and "next-day" not in html.content.decode()
    assert "created_day=2026-01-31" in html.content.decode()  # days of the chosen month offered


def test_an_email_in_two_teams_finds_both_and_a_team_filter_narrows_it(admin, team, outsider_team):
    here = MemberFactory(team=team, email="same@both.example")
    there = MemberFactory(team=outsider_team, email="same@both.example")
    ChangeFactory(member=here, change_id="in-acme")
    ChangeFactory(member=there, change_id="in-globex")

    both = admin.get("/admin/tracking/change/?q=same@both.example").content.decode()
    one = admin.get(f"/admin/tracking/change/?q=same@both.example&team__id__exact={team.pk}")

    assert "in-acme" in both and "in-globex" in both
    assert "in-acme" in one.content.decode() and "in-globex" not in one.content.decode()


def test_an_unknown_email_finds_nothing(admin, records):
    html = admin.get("/admin/tracking/change/?q=nobody@nowhere.example").content.decode()

    assert "0 changes" in html


def test_the_repo_filter_offers_only_the_chosen_teams_repos(admin, owner, outsider):
    CommitFactory(member=owner, repo_name="acme/web")
    CommitFactory(member=outsider, repo_name="hooli/secret")

    html = admin.get(f"/admin/tracking/commit/?team__id__exact={owner.team_id}").content.decode()
    every = admin.get("/admin/tracking/commit/").content.decode()

    assert "?repo=acme%2Fweb" in html or "repo=acme/web" in html
    assert "hooli/secret" not in html
    assert "hooli/secret" in every


def test_a_commit_page_lists_at_most_the_first_files_and_says_how_many(admin, owner):
    commit = CommitFactory(member=owner)
    CommitFileFactory.create_batch(FILES_SHOWN + 5, commit=commit)
    other = CommitFileFactory(commit=CommitFactory(member=owner), file_path="other/x.go")

    html = admin.get(f"/admin/tracking/commit/{commit.pk}/change/").content.decode()

    assert html.count('<td class="field-file_path">') == FILES_SHOWN
    assert f"{FILES_SHOWN + 5} (the first {FILES_SHOWN} listed below)" in html
    assert other.file_path not in html


@pytest.mark.parametrize("model", ["activityday", "usageevent"])
def test_activity_lists_render_bounded_and_read_only(
    admin, owner, model, django_assert_max_num_queries
):
    from tests.factories import ActivityDayFactory, UsageEventFactory

    for i in range(5):
        ActivityDayFactory(member=owner, day=date(2026, 1, 1 + i))
        UsageEventFactory(member=owner)
    with django_assert_max_num_queries(9):
        response = admin.get(f"/admin/tracking/{model}/")
    assert response.status_code == 200
    assert "owner@acme.example" in response.content.decode()
    assert admin.get(f"/admin/tracking/{model}/add/").status_code == 403
