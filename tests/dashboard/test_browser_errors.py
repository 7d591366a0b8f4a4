"""Error pages in Chromium: a browser gets the dashboard's styled HTML pages for 404, 403, 429,
500 and 503 (the stylesheet applied, not a JSON body), while the API's paths keep JSON."""

from __future__ import annotations

import json
import re

from tests.dashboard.test_browser import (  # noqa: F401 - fixtures and the skip rule
    browser_type_launch_args,
    pytestmark,
    shot,
    sign_in,
)
from tests.dashboard.test_error_pages import connection_drops
from tests.dashboard.test_login_limits import mid_minute  # noqa: F401 - one window for all

HEADER_COLOR = "rgb(15, 23, 42)"  # dashboard.css's header: the page is styled


def styled_error(page, status: int, title: str) -> None:
    assert page.locator(f".error-page[data-status='{status}'] h1").inner_text() == title
    color = page.evaluate("getComputedStyle(document.querySelector('header.top')).backgroundColor")
    assert color == HEADER_COLOR


def test_a_browser_gets_styled_error_pages_and_the_api_json(
    transactional_db,
    live_server,
    teammate_user,
    page,
    mid_minute,  # noqa: F811
):
    base = live_server.url
    response = page.goto(f"{base}/no-such-page/")
    assert response.status == 404
    styled_error(page, 404, "Not found")
    shot(page, "error-404")

    response = page.goto(f"{base}/analytics/ai-code/no-such-endpoint")
    assert response.status == 404
    assert json.loads(page.locator("body").inner_text())["error"] == "Not Found"

    # 429: the sign-in page, over the limit for this name from this address.
    for _ in range(11):
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", teammate_user.username)
        page.fill("input[name=password]", "wrong")
        with page.expect_response(re.compile(r"/accounts/login/$")) as answer:
            page.click("main button[type=submit]")
    assert answer.value.status == 429
    assert "Too many sign-in attempts" in page.locator("#limited").inner_text()
    shot(page, "error-429-sign-in")


def test_500_503_and_403_pages_of_a_signed_in_person(
    transactional_db, live_server, teammate_user, page, monkeypatch
):
    base = live_server.url
    sign_in(page, base, teammate_user.username)
    page.wait_for_url(re.compile(r"/dashboard/acme/$"))

    with monkeypatch.context() as patch:
        connection_drops(patch)
        response = page.goto(f"{base}/dashboard/acme/")
        assert response.status == 503
        assert response.headers["retry-after"] == "5"
        styled_error(page, 503, "Temporarily unavailable")
        shot(page, "error-503")
    # The database is back: the same page answers again.
    assert page.goto(f"{base}/dashboard/acme/").status == 200

    with monkeypatch.context() as patch:
        patch.setattr("dashboard.views.team_for_user", lambda *a, **k: 1 / 0)
        response = page.goto(f"{base}/dashboard/acme/")
        assert response.status == 500
        styled_error(page, 500, "Something went wrong")
        assert "ZeroDivisionError" not in page.content()
        shot(page, "error-500")

    # 403: a form whose CSRF token went stale (the cookie was replaced meanwhile).
    page.goto(f"{base}/dashboard/acme/")
    page.context.add_cookies([{"name": "csrftoken", "value": "x" * 32, "url": base}])
    with page.expect_response(re.compile(r"/accounts/logout/$")) as answer:
        page.click("button:has-text('Sign out')")
    assert answer.value.status == 403
    styled_error(page, 403, "Not allowed")
    shot(page, "error-403")
