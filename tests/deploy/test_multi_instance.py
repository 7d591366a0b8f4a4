"""Two gunicorn instances behind nginx (deploy/nginx-multi.conf), one Redis, one PostgreSQL:
the rate limit is exact across instances, a session started on one is valid on the other, the
sign-in limit counts attempts on both, and killing one instance mid-run loses no acknowledged
write while every request is answered by the survivor. The stack is bench/multi.py's
(`python -m bench.multi` runs the 20-client, 60-second version); ports 26000-26999.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench import multi
from tests.conftest import ONCE_IN_CI, basic

PG = "postgres://postgres@127.0.0.1:5432/aicode_scale_multi_test"


def _reachable(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.slow,
    ONCE_IN_CI,
    pytest.mark.skipif(not os.path.exists(multi.NGINX), reason="nginx is not installed"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server"),
    pytest.mark.skipif(not _reachable(5432), reason="no PostgreSQL on 127.0.0.1:5432"),
]

LIMIT = 5
SIGN_IN_LIMIT = 4


@pytest.fixture(scope="module")
def limited():
    """Two instances with a small API and sign-in budget (long windows: no boundary mid-test)."""
    with multi.running(PG, instances=2, workers=2, fresh=True,
                       AI_CODE_RATE_LIMIT=f"{LIMIT}/10m",
                       DASHBOARD_LOGIN_RATE=f"{SIGN_IN_LIMIT}/10m") as (stack, keys):  # fmt: skip
        yield stack, keys


def flush_counters(stack) -> None:
    import redis

    redis.Redis.from_url(stack.env["REDIS_URL"]).flushdb()


def get(url: str, key: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": basic(key)})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_rate_limit_is_exact_across_instances(limited):
    stack, keys = limited
    flush_counters(stack)
    a, b = (f"http://127.0.0.1:{p}/analytics/ai-code/commits" for p in stack.ports)
    urls = [a, b] * 8  # half straight to each instance, all at once
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda url: get(url, keys["read"]), urls))
    assert sorted(statuses) == [200] * LIMIT + [429] * (len(urls) - LIMIT)


class Browser:
    """Cookies kept between requests; redirects not followed (their target is the answer)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect
        )

    def open(self, url: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"Referer": url})
        try:
            with self.opener.open(request, timeout=30) as response:
                return (
                    response.status,
                    response.headers.get("Location", ""),
                    response.read().decode(),
                )
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Location", ""), exc.read().decode()

    def sign_in(self, base: str, password: str) -> tuple[int, str]:
        page = self.open(f"{base}/accounts/login/")[2]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, location, _ = self.open(f"{base}/accounts/login/", {
            "csrfmiddlewaretoken": token, "username": "viewer", "password": password})  # fmt: skip
        return status, location


def test_a_session_started_on_one_instance_is_valid_on_the_other(limited):
    stack, _ = limited
    flush_counters(stack)
    a, b = (f"http://127.0.0.1:{p}" for p in stack.ports)
    browser = Browser()
    assert browser.sign_in(a, "viewer-password-123") == (302, "/")
    status, location, _ = browser.open(f"{b}/")  # the other instance: signed in there too
    assert (status, location) == (302, "/dashboard/multi/")
    assert browser.open(f"{b}/dashboard/multi/")[0] == 200
    assert Browser().open(f"{b}/")[:2] == (302, "/accounts/login/?next=/")  # without the cookie


def test_the_sign_in_limit_counts_attempts_on_every_instance(limited):
    stack, _ = limited
    flush_counters(stack)
    a, b = (f"http://127.0.0.1:{p}" for p in stack.ports)
    statuses = [Browser().sign_in(base, "wrong")[0] for base in [a, b] * 4]
    # wrong passwords: the form again (200) SIGN_IN_LIMIT times in all, then refused (the
    # sign-in page with 429 and Retry-After: dashboard/auth.py)
    assert statuses == [200] * SIGN_IN_LIMIT + [429] * (8 - SIGN_IN_LIMIT)
    assert (
        Browser().sign_in(b, "viewer-password-123")[0] == 429
    )  # the right one too, now (same name, same address)


def test_killing_an_instance_mid_run_loses_no_acknowledged_write():
    with multi.running(PG, instances=2, workers=2, fresh=True) as (stack, keys):
        out, began, killed_at = multi.run_load(stack, keys, clients=10, seconds=10, kill_at=4)
        result = multi.figures(out, began=began, killed_at=killed_at, stack=stack,
                               database_url=PG, team_id=keys["team_id"])  # fmt: skip
    print(result)
    assert result["acknowledged_records"] > 0 and result["after_kill"] > 0
    # A request the killed instance was in the middle of answering (its headers sent, its body
    # cut) cannot be retried by nginx: at most one per worker of the killed instance (seen once in
    # six runs, under load). Every request started after the kill is answered.
    assert result["not_200"] <= 2, result["statuses"]
    assert result["after_kill_not_200"] == 0, result["statuses"]
    assert result["acknowledged_records_missing"] == 0
    assert result["after_kill_answered_by_killed"] == 0
    survivor = f"127.0.0.1:{stack.ports[1]}"
    assert result["by_instance"][survivor] >= result["after_kill"]
