"""Sign-in limits that slow a guesser without locking other people out.

Three counters in the shared rate-limit cache (django-ratelimit's, settings.RATELIMIT_USE_CACHE,
so every worker and machine counts together), each over a fixed window:

- per user name and client address pair (DASHBOARD_LOGIN_RATE): the guesser's own lock. The
  owner of the name, signing in from elsewhere, is not affected;
- per client address (DASHBOARD_LOGIN_ADDRESS_RATE): one address spraying many names;
- for the whole site (DASHBOARD_LOGIN_GLOBAL_RATE): a ceiling on guesses from many addresses,
  set far above what people sign in at.

The client address is read behind the trusted proxies (common.client_ip); the user name is
normalised exactly as Django's AuthenticationForm does before it authenticates (stripped,
NFKC: a fullwidth letter is its ASCII letter) and case-folded, so no spelling that reaches the
same account counts apart. A refused attempt is the sign-in page again with status 429, a
Retry-After and the time to wait, logged as one line (no traceback).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.forms import UsernameField
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from common.client_ip import client_ip

logger = logging.getLogger(__name__)

GROUP = "dashboard.login"


def normalized_username(raw: str) -> str:
    """The user name as authentication reads it (UsernameField: strip, then NFKC), case-folded."""
    return (UsernameField().to_python(raw) or "").casefold()


@dataclass(frozen=True)
class Refusal:
    scope: str  # "pair", "address" or "site"
    retry_after: int  # seconds


def _limits(request: HttpRequest) -> list[tuple[str, str, str]]:
    """(scope, rate, key) of every counter this attempt counts in."""
    address = client_ip(request)
    name = normalized_username(request.POST.get("username", ""))
    return [
        ("pair", settings.DASHBOARD_LOGIN_RATE, f"pair:{address}:{name}"),
        ("address", settings.DASHBOARD_LOGIN_ADDRESS_RATE, f"address:{address}"),
        ("site", settings.DASHBOARD_LOGIN_GLOBAL_RATE, "site"),
    ]


def count_attempt(request: HttpRequest) -> Refusal | None:
    """Count this sign-in attempt, narrowest counter first; the refusal when one is over.

    An attempt refused by a narrower counter is not counted in the wider ones: one address
    adds at most DASHBOARD_LOGIN_ADDRESS_RATE to the site's count, however fast it hammers,
    so the site ceiling takes many addresses to reach."""
    for scope, rate, key in _limits(request):
        usage = get_usage(
            request, group=f"{GROUP}.{scope}", key=lambda _g, _r, k=key: k, rate=rate,
            method="POST", increment=True,
        )  # fmt: skip
        if usage and usage["should_limit"]:
            refusal = Refusal(scope=scope, retry_after=max(1, int(usage["time_left"])))
            logger.warning(
                "Sign-in refused: over the %s limit (client %s); retry in %d s",
                scope, client_ip(request), refusal.retry_after,
            )  # fmt: skip
            return refusal
    return None
