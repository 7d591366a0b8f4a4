"""Every `curl` line of the README's ```sh blocks answers 200 against a live server with the
demo data: the README's examples stay true."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from teams.models import ApiKey
from tests.factories import TeamFactory
from tracking.demo import DemoSize, demo_seed

README = Path(__file__).resolve().parents[1] / "README.md"
SH_BLOCK = re.compile(r"```sh\n(.*?)```", re.S)


def readme_curl_lines() -> list[str]:
    blocks = SH_BLOCK.findall(README.read_text())
    return [line for block in blocks for line in block.splitlines() if line.startswith("curl ")]


def test_the_readme_has_a_curl_line_for_every_endpoint():
    text = "\n".join(readme_curl_lines())
    for path in [
        "/analytics/ai-code/commits?", "/analytics/ai-code/changes?",
        "/analytics/ai-code/commits.csv", "/analytics/ai-code/changes.csv",
        "/ai-code/stats/overview", "/ai-code/stats/daily-trend", "/ai-code/stats/member-ranking",
        "/ai-code/repos", "/ai-code/file-extensions", "/ai-code-tracking/commits?",
        "/ai-code-tracking/commits/export", "/ai-code-tracking/changes?",
        "/ai-code-tracking/changes/export", "/ai-code-tracking/commits/detail",
        "/ingest/v1/commits", "/ingest/v1/changes", "/ingest/v1/messages",
        "/teams/members", "/teams/daily-usage-data", "/teams/filtered-usage-events",
        "/ingest/v1/cursor/daily-usage", "/ingest/v1/cursor/usage-events",
    ]:  # fmt: skip
        assert path in text, path


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize("line", readme_curl_lines())
def test_a_readme_curl_line_works_against_the_demo(line, live_server, settings, tmp_path):
    settings.AI_CODE_RATE_LIMIT = "1000/m"
    team = TeamFactory(name="Acme Demo", slug="acme-demo")
    now = datetime.now(UTC)
    size = DemoSize(commits=300, changes=1_000, messages=100, usage_events=200)
    demo_seed(team=team, size=size, now=now)
    _key, plain = ApiKey.objects.create_key(team=team, can_read=True, can_ingest=True)

    env = {"KEY": plain, "ORG": str(team.uuid), "BASE": live_server.url, "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        ["bash", "-c", f"{line} -s -w '\\n%{{http_code}}'"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    status = result.stdout.rsplit("\n", 1)[-1]
    assert status == "200", (line, result.stdout[-500:], result.stderr[-500:])
