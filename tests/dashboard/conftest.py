"""Dashboard actors: people (Django users) for the shared teams of tests/conftest.py: an owner
(admin of Acme), a teammate (viewer of Acme), an outsider (of Globex) and a superuser; and a
small demo data set for Acme."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches

from teams.models import TeamMembership
from tracking.demo import DemoSize, demo_seed

PASSWORD = "correct-horse-battery"
SMALL = DemoSize(members=4, repos=3, days=90, commits=400, changes=1_500, messages=300)


def person(username: str, *, team=None, role=TeamMembership.Role.VIEWER, **extra):
    user = get_user_model().objects.create_user(
        username=username, email=username, password=PASSWORD, **extra
    )
    if team is not None:
        TeamMembership.objects.create(team=team, user=user, role=role)
    return user


@pytest.fixture(autouse=True)
def fresh_rate_limits(settings):
    """Login attempts are counted in the shared rate-limit cache: start each test empty."""
    cache = caches[settings.RATELIMIT_USE_CACHE]
    try:
        cache.clear()
    except Exception:  # noqa: BLE001 - no database in this test: nothing was counted
        pass
    yield
    try:
        cache.clear()
    except Exception:  # noqa: BLE001
        pass


@pytest.fixture
def owner_user(team):
    return person("owner@acme.example", team=team, role=TeamMembership.Role.ADMIN)


@pytest.fixture
def teammate_user(team):
    return person("teammate@acme.example", team=team)


@pytest.fixture
def outsider_user(outsider_team):
    return person("outsider@globex.example", team=outsider_team)


@pytest.fixture
def superuser(db):
    return person("root@example.com", is_superuser=True, is_staff=True)


@pytest.fixture
def seeded(team):
    demo_seed(team=team, size=SMALL)
    return team
