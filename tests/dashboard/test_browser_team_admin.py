"""Team management in Chromium: an admin adds a person, creates a key (shown once, then only
its prefix), revokes it behind its confirmation, and reads the audit log."""

from __future__ import annotations

import re

from tests.dashboard.test_browser import (  # noqa: F401 - fixtures and the skip rule
    browser_type_launch_args,
    pytestmark,
    shot,
    sign_in,
)


def test_a_team_admin_manages_people_and_keys(transactional_db, live_server, owner_user, page):
    base = live_server.url
    sign_in(page, base, owner_user.username)
    page.wait_for_url(re.compile(r"/dashboard/acme/$"))
    page.click("text=Manage team")
    page.wait_for_url(re.compile(r"/dashboard/acme/manage/$"))

    page.fill("#add-member input[name=email]", "newcomer@acme.example")
    page.select_option("#add-member select[name=role]", "viewer")
    page.click("#add-member button[type=submit]")
    assert page.locator("#new-password").inner_text().strip()
    page.click("text=Back to managing Acme")

    page.fill("#create-key input[name=name]", "nightly export")
    page.click("#create-key button[type=submit]")
    plain = page.locator("#plain-key").inner_text().strip()
    assert plain.startswith("ak_") and len(plain) == 43
    shot(page, "team-admin-key-shown-once")
    page.click("text=Back to managing Acme")
    row = page.locator(f"#keys tr[data-prefix='{plain[:11]}']")
    assert plain not in page.content()
    row.locator("summary").click()
    row.locator("button.danger").click()
    page.wait_for_selector(f"#keys tr.revoked[data-prefix='{plain[:11]}']")

    actions = page.locator("#audit tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.action)"
    )
    assert actions == ["key_revoked", "key_created", "member_added"]
    shot(page, "team-admin")
