"""Admin behaviour found wanting in review: member forms and writes, NUL and odd input, bounded
pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from teams.models import Member
from tests.factories import CommitFactory, CommitFileFactory, MemberFactory, TeamFactory
from tracking.admin import FILES_SHOWN


@pytest.fixture
def admin(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def member_form(team, **fields) -> dict:
    return {"team": team.pk, "email": "new@acme.example", "display_name": "New"} | fields


def test_the_member_add_page_renders(admin):
    assert admin.get("/admin/teams/member/add/").status_code == 200


def test_an_unsaved_member_has_an_empty_public_id():
    assert Member().public_id == ""


def test_adding_a_member_with_an_invalid_email_is_refused(admin, team):
    response = admin.post("/admin/teams/member/add/", member_form(team, email="not an email"))

    assert response.status_code == 200  # the form again, with the error
    assert "Enter a valid email address." in response.content.decode()
    assert not Member.objects.filter(team=team, display_name="New").exists()


def test_an_email_differing_only_in_case_is_a_duplicate_not_a_500(admin, team, owner):
    response = admin.post("/admin/teams/member/add/", member_form(team, email=owner.email.upper()))

    assert response.status_code == 200
    assert Member.objects.filter(team=team, email=owner.email).count() == 1


def test_adding_a_member_bumps_the_team_data_version(admin, team):
    before = team.data_version

    response = admin.post("/admin/teams/member/add/", member_form(team))

    team.refresh_from_db()
    assert response.status_code == 302
    assert team.data_version == before + 1


def test_editing_a_member_bumps_the_data_version_of_both_teams_it_moved_between(
    admin, team, owner, outsider_team
):
    before, other_before = team.data_version, outsider_team.data_version

    admin.post(
        f"/admin/teams/member/{owner.pk}/change/",
        member_form(outsider_team, email=owner.email, display_name="Renamed"),
    )

    team.refresh_from_db()
    outsider_team.refresh_from_db()
    assert Member.objects.get(pk=owner.pk).display_name == "Renamed"
    assert team.data_version == before + 1
    assert outsider_team.data_version == other_before + 1


def test_deleting_a_member_bumps_the_team_data_version(admin, team, owner):
    before = team.data_version

    admin.post(f"/admin/teams/member/{owner.pk}/delete/", {"post": "yes"})

    team.refresh_from_db()
    assert not Member.objects.filter(pk=owner.pk).exists()
    assert team.data_version == before + 1


def test_deleting_members_in_bulk_bumps_each_team_once(admin, team, owner, teammate, outsider):
    before, other_before = team.data_version, outsider.team.data_version

    admin.post(
        "/admin/teams/member/",
        {"action": "delete_selected", "_selected_action": [owner.pk, teammate.pk, outsider.pk],
         "post": "yes"},
    )  # fmt: skip

    team.refresh_from_db()
    outsider.team.refresh_from_db()
    assert team.data_version == before + 1
    assert outsider.team.data_version == other_before + 1


def test_the_member_list_counts_once(admin, team):
    for _ in range(3):
        MemberFactory(team=team)

    with CaptureQueriesContext(connection) as queries:
        assert admin.get("/admin/teams/member/").status_code == 200

    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1, counts


@pytest.mark.parametrize(
    "url",
    [
        "/admin/tracking/commit/?q=a%00@b.co",
        "/admin/tracking/commit/?q=ab%00cd",
        "/admin/tracking/change/?q=a%00@b.co",
        "/admin/tracking/change/?q=x%00",
        "/admin/tracking/message/?q=x%00",
        "/admin/tracking/commit/?repo=%00",
        "/admin/tracking/commit/?repo=a%00b&q=dev%40example.com",
        "/admin/teams/member/?q=a%00",
        "/admin/teams/team/?q=a%00",
        "/admin/teams/apikey/?q=ak_%00aaaaaaaaaaaaaa",
        "/admin/tracking/commit/?q=a@b.co&team__id__exact=%C2%B2",
    ],
)
def test_nul_and_non_ascii_digits_in_admin_searches_and_filters_are_not_500s(admin, owner, url):
    CommitFactory(member=owner, repo_name="acme/web")

    response = admin.get(url)

    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert "acme/web</a></td>" not in response.content.decode()  # nothing matches


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


def test_a_team_page_still_renders(admin):
    team = TeamFactory()
    assert admin.get(f"/admin/teams/team/{team.pk}/change/").status_code == 200
