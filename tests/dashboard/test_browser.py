"""The dashboard in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium)
against a live server. Screenshots go to var/screenshots/ (gitignored).

Locally these tests skip, saying why, when Chromium is missing; in CI (CI set) they fail
instead, so CI never skips them (.ci/run installs the package).
"""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.dashboard.conftest import PASSWORD
from tracking import catalog

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls (fixtures)
# are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing in CI: apt-get install chromium")
    pytestmark = pytest.mark.skip(
        reason=f"{CHROMIUM} not found: apt-get install -y chromium to run the browser tests"
    )
else:
    pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM)}


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")


def share_series(page) -> list[list]:
    """The share chart's drawn data: AI lines, other lines, AI share % (null: no point)."""
    return page.evaluate("() => Chart.getChart('chart-share').data.datasets.map((set) => set.data)")


def tile_value(page, key: str) -> str:
    return page.locator(f".tile[data-key={key}] .value").inner_text()


def test_a_teammate_reads_the_dashboard_end_to_end(
    transactional_db, live_server, seeded, teammate_user, page
):
    base = live_server.url
    sign_in(page, base, teammate_user.username)
    page.wait_for_url(re.compile(r"/dashboard/acme/$"))
    for chart in ("chart-share", "chart-ext", "chart-model", "chart-next"):
        page.wait_for_selector(f"#{chart}[data-drawn=true]")
    assert page.locator(".tile").count() == len(catalog.TILES)
    shot(page, "overview-30-days")

    # Every chart is also a table.
    page.locator("summary", has_text="Show as a table").first.click()
    assert page.locator("figure table.data").first.is_visible()

    # Another date range: the figures change and the URL carries the filter.
    thirty = tile_value(page, "lines_added")
    page.click("a.preset:has-text('7 days')")
    page.wait_for_url(re.compile(r"range=7"))
    page.wait_for_selector("#chart-share[data-drawn=true]")
    assert tile_value(page, "lines_added") != thirty
    shot(page, "overview-7-days")

    # A member's page from the ranking.
    page.locator("#ranking tbody a").first.click()
    page.wait_for_url(re.compile(r"/members/"))
    page.wait_for_selector("#chart-share[data-drawn=true]")
    assert page.locator("h2", has_text="Commits").is_visible()
    shot(page, "member")

    # The member's commits as CSV, through the export and the session.
    with page.expect_download() as download_info:
        page.click("p.window a:has-text('commits')")
    path = download_info.value.path()
    header = Path(path).read_text().splitlines()[0]
    assert "commit" in header.lower()

    # A day without added lines is a gap in the share line, not a 0 % (the table keeps the
    # API's 0): here on the member's week, then on a week long before the demo's 90 days.
    ai, other, pct = share_series(page)
    assert all((p is None) == (a + o == 0) for a, o, p in zip(ai, other, pct, strict=True))
    assert any(p is not None for p in pct)
    quiet = date.today() - timedelta(days=200)
    page.goto(f"{page.url.split('?')[0]}?start={quiet}&end={quiet + timedelta(days=6)}")
    page.wait_for_selector("#chart-share[data-drawn=true]")
    ai, other, pct = share_series(page)
    assert sum(ai) + sum(other) == 0
    assert pct == [None] * 7

    # Phone width: the page still lays out (no horizontal scrolling of the page itself).
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/dashboard/acme/")
    page.wait_for_selector("#chart-next[data-drawn=true]")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400
    shot(page, "overview-phone")

    page.click("button:has-text('Sign out')")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.goto(f"{base}/dashboard/acme/")
    assert "/accounts/login/" in page.url


def test_an_outsider_is_refused_the_team(
    transactional_db, live_server, seeded, outsider_user, page
):
    base = live_server.url
    sign_in(page, base, outsider_user.username)
    page.wait_for_url(re.compile(r"/dashboard/globex/$"))
    response = page.goto(f"{base}/dashboard/acme/")
    assert response.status == 404
    download = page.request.get(
        f"{base}/v1/organizations/{seeded.uuid}/ai-code-tracking/commits/export"
    )
    assert download.status == 404
    shot(page, "outsider-refused")
