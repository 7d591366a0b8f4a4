"""The member admin (teams/admin.py): its form refuses bad and duplicate emails, every write
bumps the data version of the teams involved (their cached answers name members), and its list
counts once."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from teams.models import Member
from tests.factories import MemberFactory


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
