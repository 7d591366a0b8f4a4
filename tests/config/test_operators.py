"""What an operator meets first: `make run`'s own lines not buried under pip's, a way into the
Django admin that works with the settings `make run` uses, /favicon.ico, and a clean
`git status` after a run on SQLite."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from tests.commands import run

ROOT = Path(__file__).resolve().parents[2]


def test_make_install_keeps_pips_output_out_of_the_terminal(tmp_path):
    """A stand-in for the venv's python that prints pip's ~70 lines of noise."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    fake = venv / "bin" / "python"
    fake.write_text('#!/bin/sh\nfor i in $(seq 70); do echo "pip noise line $i"; done\n')
    fake.chmod(0o755)
    done = subprocess.run(
        ["make", "--no-print-directory", "install", f"VENV={venv}"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "pip noise" not in done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("Installing dependencies")
    assert "pip noise line 70" in (ROOT / "var" / "pip-install.log").read_text()


def test_make_install_shows_pips_output_when_it_fails(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    fake = venv / "bin" / "python"
    fake.write_text("#!/bin/sh\necho 'ERROR: No matching distribution found for x'\nexit 1\n")
    fake.chmod(0o755)
    done = subprocess.run(
        ["make", "--no-print-directory", "install", f"VENV={venv}"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode != 0
    assert "No matching distribution" in done.stdout


@pytest.mark.django_db
def test_the_admin_way_make_run_prints_works(monkeypatch):
    from tracking import demo as demo_module
    from tracking.management.commands import demo

    small = demo_module.DemoSize(members=2, repos=1, days=3, commits=5, changes=5, messages=2)
    monkeypatch.setattr(demo, "DemoSize", lambda: small)
    out = run("demo", "--port", "8000")
    assert "createsuperuser" not in out  # it failed: manage.py defaults to production
    assert re.search(r"Django admin: http://127.0.0.1:8000/admin/ .*the demo login", out)
    assert "make superuser" in out
    password = re.search(r"Demo login: demo@acme.example  password: (\S+)", out).group(1)
    browser = Client()
    signed_in = browser.post(
        "/admin/login/?next=/admin/", {"username": "demo@acme.example", "password": password}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/"
    assert browser.get("/admin/teams/apikey/").status_code == 200


def test_make_superuser_runs_createsuperuser_with_the_development_settings():
    dry = subprocess.run(
        ["make", "-n", "superuser"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "manage.py createsuperuser" in dry.stdout
    makefile = (ROOT / "Makefile").read_text()
    assert "export DJANGO_SETTINGS_MODULE ?= config.settings" in makefile


@pytest.mark.django_db
def test_favicon_is_served_as_an_icon():
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age=86400" in response["Cache-Control"]


def test_sqlites_side_files_are_ignored():
    ignored = subprocess.run(
        ["git", "check-ignore", "db.sqlite3", "db.sqlite3-shm", "db.sqlite3-wal"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert ignored.stdout.split() == ["db.sqlite3", "db.sqlite3-shm", "db.sqlite3-wal"]
