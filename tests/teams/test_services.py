"""teams.services: teams, keys and memberships are made here for the commands, the admin and the
demo; bad input is an InvalidInput (a ValueError naming the field), never a CommandError."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, get_user_model

from teams.auth import key_lookup
from teams.models import ApiKey, Team, TeamMembership
from teams.services import InvalidInput, api_key_create, membership_set, team_create


@pytest.mark.django_db
def test_a_new_team_has_a_slug_from_its_name_and_a_first_key_that_reads_and_ingests():
    new = team_create(name="  Initech Labs ")

    assert (new.team.name, new.team.slug) == ("Initech Labs", "initech-labs")
    assert key_lookup(new.plain_key) == new.key
    assert new.key.team == new.team and new.key.can_read and new.key.can_ingest
    assert new.owner is None and new.owner_password is None


@pytest.mark.django_db
def test_a_new_team_with_an_owner_makes_them_its_admin_with_a_new_login():
    new = team_create(name="Initech", slug="ini", owner_email="Lead@Initech.example")

    assert new.team.slug == "ini"
    assert new.owner.role == TeamMembership.Role.ADMIN and new.owner.team == new.team
    assert authenticate(username="lead@initech.example", password=new.owner_password)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "   "}, "name", "The team name is empty."),
        ({"name": "x" * 201}, "name", "The team name is 201 characters long; at most 200."),
        ({"name": "!!!"}, "slug", "Cannot make a slug from '!!!'."),
        ({"name": "Acme"}, "slug", "A team with slug 'acme' already exists."),
        ({"name": "New", "owner_email": "lead"}, "email", "'lead' is not an email address."),
    ],
)
def test_a_team_that_cannot_be_made_is_refused_and_nothing_is_written(team, fields, field, message):
    with pytest.raises(InvalidInput) as refused:
        team_create(**fields)

    assert (refused.value.field, str(refused.value)) == (field, message)
    assert list(Team.objects.values_list("slug", flat=True)) == ["acme"]
    assert not ApiKey.objects.exists()
    assert not get_user_model().objects.exists()


def test_a_key_has_the_permissions_asked_for_and_a_trimmed_name(team):
    key, plain = api_key_create(team=team, name=" ci ", can_read=False, can_ingest=True)

    assert key_lookup(plain) == key
    assert (key.name, key.can_read, key.can_ingest) == ("ci", False, True)


def test_a_key_name_longer_than_the_column_is_refused(team):
    with pytest.raises(InvalidInput, match="at most 100") as refused:
        api_key_create(team=team, name="k" * 101, can_read=True, can_ingest=False)

    assert refused.value.field == "name"
    assert not ApiKey.objects.exists()


def test_setting_a_membership_again_changes_the_role_without_a_new_password(team):
    first, password = membership_set(team=team, email="dev@acme.example", role="viewer")
    again, no_password = membership_set(team=team, email="DEV@acme.example", role="admin")

    assert password and no_password is None
    assert again.pk == first.pk and again.role == "admin"
    assert authenticate(username="dev@acme.example", password=password)


@pytest.mark.parametrize(
    ("email", "role", "field"),
    [("not-an-email", "viewer", "email"), ("dev@acme.example", "owner", "role")],
)
def test_a_membership_with_a_bad_email_or_role_is_refused(team, email, role, field):
    with pytest.raises(InvalidInput) as refused:
        membership_set(team=team, email=email, role=role)

    assert refused.value.field == field
    assert not TeamMembership.objects.exists()
