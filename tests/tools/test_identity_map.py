"""The identity map: a git author not known as a member is listed (never dropped) and, once
mapped to a member in the admin, their commits count for that member."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from teams.models import ApiKey, MemberIdentity
from tests.factories import MemberFactory
from tests.tools.gitrepo import make_history
from tracking.models import CommitAttribution

pytestmark = pytest.mark.django_db


def test_an_unmatched_author_is_listed_and_mapping_them_moves_their_commits(tmp_path, team, admin):
    MemberFactory(team=team, email="ann@acme.example")
    _repo, shas = make_history(tmp_path)
    call_command("import", "gitai", str(tmp_path), "--team", team.slug, "--repo", "acme/api",
                 stdout=StringIO())  # fmt: skip
    robert = MemberFactory(team=team, email="robert@acme.example")
    identity = MemberIdentity.objects.get(team=team, value="bob@acme.example")
    assert identity.member is None
    listing = admin.get("/admin/teams/memberidentity/?matched=no")
    assert [i.value for i in listing.context["cl"].result_list] == ["bob@acme.example"]
    response = admin.post(
        f"/admin/teams/memberidentity/{identity.pk}/change/",
        {"team": team.pk, "kind": "email", "value": "bob@acme.example", "source": "git",
         "member": robert.pk},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    c3 = CommitAttribution.objects.get(team=team, commit_hash=shas["c3"])
    assert c3.member == robert
    member_page = admin.get(f"/dashboard/{team.slug}/members/{robert.uuid}/?start=2026-02-20"
                            "&end=2026-03-05").content.decode()  # fmt: skip
    assert "codex" in member_page and "gpt-5-codex" in member_page
    listing = admin.get("/admin/teams/memberidentity/?matched=no")
    assert list(listing.context["cl"].result_list) == []


def test_a_key_for_git_ais_notes_names_its_repository_in_the_admin(team, admin):
    response = admin.post(
        "/admin/teams/apikey/add/",
        {"team": team.pk, "name": "git-ai", "can_read": "on", "can_ingest": "on",
         "repository": "acme/api"},
    )  # fmt: skip
    assert response.status_code == 302
    assert ApiKey.objects.get(team=team, name="git-ai").repository == "acme/api"
