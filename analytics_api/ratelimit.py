"""Per team, per endpoint rate limit (API.md section 5) through django-ratelimit.

The counter lives in settings.RATELIMIT_USE_CACHE: Redis when REDIS_URL is set, otherwise the
database (analytics_api.ratelimit_cache.AtomicDatabaseCache). The key is the team id and the
group the endpoint (the JSON list and its CSV twin are different groups), so two teams never
share a budget. A denial is raised as RateLimited, which the error handler renders as a 429 in
the view's dialect with Retry-After.
"""

from __future__ import annotations

from django.conf import settings
from django_ratelimit.core import get_usage

from analytics_api.errors import ApiError

MESSAGE = "Rate limit exceeded. Please try again later."


class RateLimited(ApiError):
    def __init__(self, *, wait: int):
        super().__init__(MESSAGE, status_code=429)
        self.wait = wait  # read by the exception handler into Retry-After


def _team_key(group: str, request) -> str:
    return str(request.user.team.pk)


def _rate(setting: str):
    # Read per request so tests and operators can change it without a restart of the code path.
    return lambda group, request: getattr(settings, setting)


def enforce_rate_limit(*, request, group: str, setting: str = "AI_CODE_RATE_LIMIT") -> None:
    """Count this request against the team's budget for `group`, whose rate is the setting
    `setting`; RateLimited when over it."""
    rate = _rate(setting)
    usage = get_usage(request, group=group, key=_team_key, rate=rate, increment=True)
    if usage is not None and usage["should_limit"]:
        # django-ratelimit counts a request in the old window during its last second
        # (time_left is whole seconds, rounded down), so a client that waits exactly
        # Retry-After must wait one second more than time_left. time_left is -1 when the cache
        # failed (it fails closed): retry soon.
        raise RateLimited(wait=max(1, usage["time_left"] + 1))
