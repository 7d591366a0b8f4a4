from __future__ import annotations

from teams.models import Team
from tests.factories import ChangeFactory, CommitFactory, MemberFactory, TeamFactory


def test_the_team_list_shows_member_counts_without_a_query_per_team(
    admin, django_assert_max_num_queries
):
    for i in range(20):
        team = TeamFactory()
        for _ in range(i % 4):
            MemberFactory(team=team)

    with django_assert_max_num_queries(6):
        response = admin.get("/admin/teams/team/")

    assert response.status_code == 200
    assert '<td class="field-member_count">3</td>' in response.content.decode()


def test_a_team_can_be_created_in_the_admin(admin):
    # The form shows the time zone filled with UTC; a browser sends it back.
    assert 'name="time_zone" value="UTC"' in admin.get("/admin/teams/team/add/").content.decode()
    admin.post("/admin/teams/team/add/", {"name": "Hooli", "slug": "hooli", "time_zone": "UTC"})

    assert Team.objects.get(slug="hooli").name == "Hooli"


def test_a_team_admin_sets_the_time_zone_and_a_wrong_name_is_refused(admin, team):
    url = f"/admin/teams/team/{team.pk}/change/"
    refused = admin.post(url, {"name": team.name, "slug": team.slug, "time_zone": "Mars/Base"})
    assert "is not an IANA time zone name" in refused.content.decode()
    admin.post(url, {"name": team.name, "slug": team.slug, "time_zone": "Europe/Berlin"})
    team.refresh_from_db()
    assert team.time_zone == "Europe/Berlin"


def test_member_list_searches_and_filters(admin, owner, teammate, outsider):
    found = admin.get("/admin/teams/member/?q=teammate").content.decode()
    by_team = admin.get(f"/admin/teams/member/?team__id__exact={outsider.team_id}")

    assert "teammate@acme.example" in found and "owner@acme.example" not in found
    assert "outsider@globex.example" in by_team.content.decode()
    assert "owner@acme.example" not in by_team.content.decode()


def test_member_list_makes_a_bounded_number_of_queries(admin, team, django_assert_max_num_queries):
    for _ in range(30):
        MemberFactory(team=team)

    with django_assert_max_num_queries(8):
        assert admin.get("/admin/teams/member/").status_code == 200


def test_deleting_a_team_summarises_its_records_instead_of_listing_them(
    admin, team, owner, django_assert_max_num_queries
):
    for _ in range(5):
        ChangeFactory(member=owner)
    CommitFactory(member=owner)

    # One count per table that holds a team's rows (records, summaries, editor activity, commit
    # attribution, identities, the audit log), never one query per row.
    with django_assert_max_num_queries(16):
        response = admin.get(f"/admin/teams/team/{team.pk}/delete/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "changes: 5" in html.lower() and "commits: 1" in html.lower()


def test_a_team_delete_removes_its_records(admin, team, owner):
    ChangeFactory(member=owner)

    admin.post(f"/admin/teams/team/{team.pk}/delete/", {"post": "yes"})

    assert not Team.objects.filter(pk=team.pk).exists()


def test_the_admin_index_lists_every_model(admin):
    html = admin.get("/admin/").content.decode()

    for path in ("teams/team", "teams/member", "teams/apikey", "tracking/commit",
                 "tracking/change", "tracking/message"):  # fmt: skip
        assert f"/admin/{path}/" in html


def test_a_team_page_still_renders(admin):
    team = TeamFactory()
    assert admin.get(f"/admin/teams/team/{team.pk}/change/").status_code == 200
