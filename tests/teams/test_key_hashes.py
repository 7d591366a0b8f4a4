"""API keys are stored as SHA-256 digests that do not depend on SECRET_KEY, so a key made by
manage.py works on a server running with other settings; keys stored the old way (HMAC with
SECRET_KEY) are still accepted and upgraded on first use."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
from pathlib import Path

import pytest

from teams.models import ApiKey
from tests.analytics_api.cursor.utils import COMMITS
from tests.conftest import basic
from tests.factories import make_key

ROOT = Path(__file__).resolve().parents[2]


def legacy(secret: str, plain: str) -> str:
    return hmac.new(secret.encode(), plain.encode(), hashlib.sha256).hexdigest()


def get(client, key):
    return client.get(COMMITS, HTTP_AUTHORIZATION=basic(key))


def test_a_key_is_stored_as_its_sha256_digest(team):
    key, plain = make_key(team)
    assert key.hashed_key == hashlib.sha256(plain.encode()).hexdigest()


def test_a_key_survives_a_rotation_of_secret_key(client, team, settings):
    _key, plain = make_key(team)
    settings.SECRET_KEY = "rotated-" + "x" * 40
    assert get(client, plain).status_code == 200


def test_a_legacy_key_is_accepted_and_upgraded_on_first_use(client, team, settings):
    key, plain = make_key(team)
    ApiKey.objects.filter(pk=key.pk).update(hashed_key=legacy(settings.SECRET_KEY, plain))
    assert get(client, plain).status_code == 200
    key.refresh_from_db()
    assert key.hashed_key == hashlib.sha256(plain.encode()).hexdigest()
    assert get(client, plain).status_code == 200


def test_a_legacy_key_of_a_rotated_secret_is_accepted_through_the_fallbacks(client, team, settings):
    key, plain = make_key(team)
    ApiKey.objects.filter(pk=key.pk).update(hashed_key=legacy("the-old-secret", plain))
    settings.SECRET_KEY_FALLBACKS = ["the-old-secret"]
    assert get(client, plain).status_code == 200


def test_a_wrong_key_with_the_right_prefix_is_still_refused(client, team, settings):
    key, plain = make_key(team)
    ApiKey.objects.filter(pk=key.pk).update(hashed_key=legacy(settings.SECRET_KEY, plain))
    wrong = plain[:-1] + ("a" if plain[-1] != "a" else "b")
    response = get(client, wrong)
    assert response.status_code == 401
    key.refresh_from_db()
    assert key.hashed_key == legacy(settings.SECRET_KEY, plain), "no upgrade on a failed match"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.slow
def test_manage_py_reads_the_production_settings_like_the_server():
    """An operator's shell without SECRET_KEY gets a clear refusal, not a key the server
    would answer with 401."""
    result = _manage("check")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
    assert _manage("check", DJANGO_SETTINGS_MODULE="config.settings").returncode == 0
