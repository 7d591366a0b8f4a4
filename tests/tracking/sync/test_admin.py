"""The sync states are visible, read-only, in the admin."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from tracking.models import SyncState


@pytest.fixture
def admin(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def state(team):
    return SyncState.objects.create(
        team=team, source="cursor", stream="commits", records=12, requests=3,
        checkpoint=datetime(2026, 12, 1, tzinfo=UTC), last_error="https://x: 500; gave up",
    )  # fmt: skip


def test_the_sync_states_are_listed_with_checkpoint_and_last_error(admin, state):
    page = admin.get("/admin/tracking/syncstate/")
    assert page.status_code == 200
    assert b"gave up" in page.content and b"Dec. 1, 2026" in page.content


def test_a_sync_state_cannot_be_added_changed_or_deleted(admin, state):
    assert admin.get("/admin/tracking/syncstate/add/").status_code == 403
    assert (
        admin.post(f"/admin/tracking/syncstate/{state.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    page = admin.post(f"/admin/tracking/syncstate/{state.pk}/change/", {"records": 0})
    assert page.status_code == 403
    state.refresh_from_db()
    assert state.records == 12
