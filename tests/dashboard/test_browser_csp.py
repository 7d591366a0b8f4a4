"""The Content-Security-Policy in Chromium: the dashboard (Chart.js from dashboard/static), the
admin and the API docs work under it, with no violation reported."""

from __future__ import annotations

import re

from tests.dashboard.test_browser import (  # noqa: F401 - fixtures and the skip rule
    browser_type_launch_args,
    pytestmark,
    sign_in,
)

REPORT = """document.addEventListener('securitypolicyviolation', (e) => {
  (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI);
});"""


def test_pages_work_under_the_policy_without_violations(
    transactional_db, live_server, seeded, superuser, page
):
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security" in m.text else None)
    page.add_init_script(REPORT)
    base = live_server.url
    sign_in(page, base, superuser.username)
    page.wait_for_url(re.compile(r"/dashboard/acme/$"))
    checks = [
        ("/dashboard/acme/", "#chart-share[data-drawn=true]"),
        ("/admin/", "#content-main"),
        ("/admin/teams/apikey/add/", "select[name=team]"),
        ("/api/docs/", ".swagger-ui .info"),
        ("/api/redoc/", "redoc .api-content, [role=search]"),
    ]
    for path, ready in checks:
        response = page.goto(f"{base}{path}")
        assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
        page.wait_for_selector(ready, timeout=15_000)
        violations = page.evaluate("window.__csp || []")
        # Redoc's footer logo comes from its CDN; blocked, it hides itself (its onError).
        assert [v for v in violations if "cdn.redoc.ly/redoc/logo-mini.svg" not in v] == [], path
    assert all("cdn.redoc.ly" in line for line in console), console
