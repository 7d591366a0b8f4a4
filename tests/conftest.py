"""Shared actors: an owner team with a teammate, and an outsider team, each with keys."""

from __future__ import annotations

import base64
import os

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import MemberFactory, TeamFactory, make_key

# Tests that start servers of their own and do not use the suite's database run once in CI, in
# its PostgreSQL pass (.ci/run runs the whole suite twice; `make test` runs them everywhere else).
ONCE_IN_CI = pytest.mark.skipif(
    bool(os.environ.get("CI")) and not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs once in CI: in the PostgreSQL pass",
)


@pytest.fixture
def team(db):
    return TeamFactory(name="Acme", slug="acme")


@pytest.fixture
def owner(team):
    return MemberFactory(team=team, email="owner@acme.example", display_name="Olivia Owner")


@pytest.fixture
def teammate(team):
    return MemberFactory(team=team, email="teammate@acme.example", display_name="Tom Teammate")


@pytest.fixture
def outsider_team(db):
    return TeamFactory(name="Globex", slug="globex")


@pytest.fixture
def outsider(outsider_team):
    return MemberFactory(team=outsider_team, email="outsider@globex.example")


@pytest.fixture
def read_key(team):
    """Plain text of a read-only key of `team`."""
    return make_key(team, name="reader")[1]


@pytest.fixture
def ingest_key(team):
    """Plain text of a key of `team` that may read and ingest."""
    return make_key(team, name="writer", can_ingest=True)[1]


@pytest.fixture
def outsider_key(outsider_team):
    return make_key(outsider_team, name="outsider", can_ingest=True)[1]


def basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


@pytest.fixture
def admin(admin_user) -> Client:
    """A Django test client signed in to the admin as a superuser."""
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def api(client, read_key):
    """An APIClient authenticated like `curl -u KEY:` with the team's read key."""
    client.credentials(HTTP_AUTHORIZATION=basic(read_key))
    return client


@pytest.fixture
def ingest_api(client, ingest_key):
    client.credentials(HTTP_AUTHORIZATION=basic(ingest_key))
    return client
