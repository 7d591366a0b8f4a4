"""Who sees what: sign-in required, a team's pages only for its people (404 otherwise, so an
outsider cannot tell a team exists), superusers see every team; the CSV downloads follow the
same rules through the session."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from django.test import Client

from tests.dashboard.conftest import PASSWORD, person
from tests.factories import TeamFactory


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_the_login_page(team):
    response = Client().get("/dashboard/acme/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/dashboard/acme/")
    assert Client().get("/").status_code == 302


def test_it_redirects_a_person_with_one_team_to_its_overview(teammate_user):
    response = signed_in(teammate_user).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/acme/"


def test_it_shows_a_team_picker_to_a_person_with_several_teams(teammate_user, outsider_team):
    from teams.models import TeamMembership

    TeamMembership.objects.create(team=outsider_team, user=teammate_user)
    body = signed_in(teammate_user).get("/").content.decode()
    assert "Choose a team" in body
    assert "/dashboard/acme/" in body and "/dashboard/globex/" in body


def test_it_shows_the_overview_to_the_owner_and_the_teammate(seeded, owner_user, teammate_user):
    for user in (owner_user, teammate_user):
        response = signed_in(user).get("/dashboard/acme/")
        assert response.status_code == 200
        body = response.content.decode()
        assert "Lines added" in body and 'id="chart-share"' in body
        assert "/api/docs/" in body


def test_it_answers_404_to_an_outsider_for_every_team_page(seeded, outsider_user):
    client = signed_in(outsider_user)
    member = seeded.members.first()
    commit = seeded.commit_set.first()
    for url in (
        "/dashboard/acme/",
        f"/dashboard/acme/members/{member.uuid}/",
        f"/dashboard/acme/commits/{commit.pk}/",
    ):
        assert client.get(url).status_code == 404, url


def test_it_answers_404_for_a_member_or_commit_of_another_team(seeded, outsider_user, team):
    """The URL's team is the person's, but the member / commit id is another team's."""
    from tracking.demo import DemoSize, demo_seed

    demo_seed(
        team=outsider_user.team_memberships.get().team,
        size=DemoSize(members=1, repos=1, days=3, commits=3, changes=3, messages=1),
        domain="globex.example",
    )
    client = signed_in(outsider_user)
    member = seeded.members.first()
    commit = seeded.commit_set.first()
    assert client.get(f"/dashboard/globex/members/{member.uuid}/").status_code == 404
    assert client.get(f"/dashboard/globex/commits/{commit.pk}/").status_code == 404
    assert client.get("/dashboard/globex/").status_code == 200


def test_a_superuser_sees_every_team_and_the_admin_link(seeded, superuser):
    TeamFactory(name="Initech", slug="initech")
    client = signed_in(superuser)
    assert client.get("/dashboard/acme/").status_code == 200
    assert client.get("/dashboard/initech/").status_code == 200
    body = client.get("/").content.decode()
    assert "/dashboard/initech/" in body and "/admin/" in body


def test_it_shows_the_member_page_and_the_commit_page(seeded, teammate_user):
    client = signed_in(teammate_user)
    member = seeded.members.first()
    body = client.get(f"/dashboard/acme/members/{member.uuid}/?range=90").content.decode()
    assert member.email in body and "Commits" in body and "Changes" in body
    commit = seeded.commit_set.exclude(range_annotations=None).first()
    body = client.get(f"/dashboard/acme/commits/{commit.pk}/").content.decode()
    assert commit.commit_hash in body and "Files and range annotations" in body


def test_the_downloads_stream_the_exports_for_a_signed_in_member(seeded, teammate_user):
    client = signed_in(teammate_user)
    page = client.get("/dashboard/acme/?range=7")
    commits_url = page.context["downloads"]["commits"]
    response = client.get(commits_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) > 1
    changes = client.get(page.context["downloads"]["changes"])
    assert changes.status_code == 200


def test_the_downloads_refuse_an_outsider_with_404(seeded, outsider_user):
    url = f"/v1/organizations/{seeded.uuid}/ai-code-tracking/commits/export"
    assert signed_in(outsider_user).get(url).status_code == 404
    # Anonymous: no key and no session is a 401, as before.
    assert Client().get(url).status_code == 401


def test_the_session_does_not_open_the_json_endpoints(seeded, teammate_user):
    """Only the CSV downloads take the session; the API stays key-only."""
    url = f"/v1/organizations/{seeded.uuid}/ai-code/stats/overview?start_date=7d&end_date=now"
    assert signed_in(teammate_user).get(url).status_code == 401


def test_login_logout_and_rate_limited_attempts(team, settings, monkeypatch):
    # The limit counts per fixed minute: pin django-ratelimit's clock mid-minute, so the
    # attempts cannot straddle a window boundary (which made this test fail at random in CI).
    import django_ratelimit.core

    frozen = int(time.time()) // 60 * 60 + 30
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: frozen))
    person("viewer@acme.example", team=team)
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "viewer@acme.example", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/dashboard/acme/").status_code == 302
    # Ten attempts a minute per user name and address (DASHBOARD_LOGIN_RATE), then 429.
    statuses = [
        Client()
        .post("/accounts/login/", {"username": "viewer@acme.example", "password": "x"})
        .status_code
        for _ in range(11)
    ]
    assert statuses[:9] == [200] * 9  # the form again, with an error
    assert statuses[-1] == 429


def test_the_overview_runs_at_most_25_queries(seeded, teammate_user, django_assert_max_num_queries):
    """session, user, team; the person's role in the team (the "Manage team" link); has
    records; overview now and before (3 + 3); daily commits; extensions; models; tab completions;
    ranking; models of the filter; repositories; extension lines, extension change counts;
    commit attribution by tool (dashboard/tools.py: per day, totals, the latest commits and
    their parts, unmatched identities). At most: the figures' functions may get cheaper
    (rollups), never more numerous."""
    client = signed_in(teammate_user)
    with django_assert_max_num_queries(25):
        assert client.get("/dashboard/acme/?range=90").status_code == 200


def test_the_password_change_page_opens(teammate_user):
    assert signed_in(teammate_user).get("/accounts/password/").status_code == 200
