"""The base of every API view: the team comes from the key, and every read is scoped to it.

Team scoping lives here and only here. Views get `self.team` and read through tracking's
functions (tracking.reads, tracking.figures), which take `team=` as a required keyword and
start every query at `Model.objects.of(team)`; no view touches a model manager
(tests/test_layers.py). A path that names an organization must name the key's team: checked
here, before the view's own parsing. A subclass cannot replace these by accident:
`__init_subclass__` refuses the override.

The request pipeline, in order (each step only when the previous one passed):
authentication (401) -> permissions (403) -> the method: 405 for one the view has no handler
for; OPTIONS is answered here, unparsed and uncounted -> the path's organization (400 malformed,
403 another team's) -> `parse_params()` (400s) -> ETag; a
matching If-None-Match is a 304 that is not counted -> rate limit (429) -> the handler. So only a
request that reaches a real handler (GET/HEAD, or POST on a POST view) spends rate-limit budget,
and a rejected request does no query work beyond the key lookup and, with the database counter,
the counter statement.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.views import APIView

from analytics_api.dates import is_relative
from analytics_api.errors import ApiError
from analytics_api.ratelimit import enforce_rate_limit
from teams.models import Team

_PROTECTED = ("team", "get_queryset", "check_organization", "compute_etag")
_CACHEABLE_STATUS = (200, 304)
# Optimization for ETags of windows that move with the clock (`7d`, `now`, a missing date that
# defaults to now): such a response stays valid for at most this long even if no data was
# written; then the ETag changes.
MOVING_WINDOW_ETAG_SECONDS = 60


class _NotModified(Exception):
    """Raised from initial() to answer 304 before any data query."""


class OwnRendererOnly(DefaultContentNegotiation):
    """Always the view's own renderer: like Cursor's API, ours does not negotiate.

    `Accept: text/csv` on a CSV export or `Accept: text/html` on a JSON list is answered as
    usual instead of 406, and `?format=` is an ignored unknown parameter instead of a 404.
    Request bodies are still parsed by Content-Type (select_parser is inherited).
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type


class TeamScopedAPIView(APIView):
    content_negotiation_class = OwnRendererOnly
    error_dialect = "cursor"
    # e.g. "cursor.commits"; None: not rate-limited. One budget per team per group.
    rate_limit_group: str | None = None
    # The setting that holds the group's rate (Cursor's Admin API has its own).
    rate_limit_setting = "AI_CODE_RATE_LIMIT"
    # The query's date parameters, and whether leaving one out means "now" (a moving window)
    # rather than "unbounded"; see etag_parts.
    date_params: tuple[str, ...] = ()
    missing_date_is_now = False
    params: Any = None
    etag: str | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        overridden = [name for name in _PROTECTED if name in cls.__dict__]
        if overridden:
            raise TypeError(
                f"{cls.__name__} overrides {', '.join(overridden)}: team scoping lives in "
                "TeamScopedAPIView only."
            )

    @property
    def team(self) -> Team:
        return self.request.user.team

    def get_queryset(self):  # for schema generation and generic helpers
        raise NotImplementedError("Read through tracking.reads / tracking.figures, team=self.team.")

    def check_organization(self) -> None:
        """A path's `organization_id` (the Qoder dialect's) must be the key's team UUID."""
        value = self.kwargs.get("organization_id")
        if value is None:
            return
        try:
            organization = uuid.UUID(str(value).strip(" "))
        except ValueError:
            raise ApiError(f"organization_id must be a UUID, got {value!r}.") from None
        if organization != self.team.uuid:
            raise ApiError(
                f"This API key has no access to organization {organization}.", status_code=403
            )

    # -- hooks for subclasses -----------------------------------------------------------------

    def parse_params(self, request) -> Any:
        """Validate the query (or body) into a frozen dataclass; raise ApiError(400) naming the
        parameter. Stored as self.params."""
        return None

    def etag_parts(self) -> tuple:
        """What, besides the team's data version, the response depends on: the parsed
        parameters; for a window that moves with the clock, the query as sent plus a time
        bucket instead (its resolved instants differ on every request)."""
        query = self.request.query_params
        raw = [(query.get(name) or "").strip(" ") for name in self.date_params]
        if any(is_relative(v) if v else self.missing_date_is_now for v in raw):
            bucket = int(timezone.now().timestamp()) // MOVING_WINDOW_ETAG_SECONDS
            return (repr(sorted(query.lists())), bucket)
        return (repr(self.params),)

    # -- the pipeline -------------------------------------------------------------------------

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions
        method = request.method.lower()
        # DRF checks the method only after initial(): a GET on a POST view would be a 400 from
        # parse_params and spend budget. Refuse it first; OPTIONS does no work worth counting.
        if method not in self.http_method_names or not hasattr(self, method):
            raise MethodNotAllowed(request.method)
        if method == "options":
            return
        self.check_organization()
        self.params = self.parse_params(request)
        if request.method in ("GET", "HEAD"):
            self.etag = self.compute_etag()
            if _etag_matches(request.META.get("HTTP_IF_NONE_MATCH", ""), self.etag):
                raise _NotModified
        if self.rate_limit_group:
            enforce_rate_limit(
                request=request, group=self.rate_limit_group, setting=self.rate_limit_setting
            )

    def compute_etag(self) -> str:
        team = self.team
        # The version of the database the body is read from (a read replica may lag).
        parts = (team.pk, team.data_version_as_read(), self.rate_limit_group, *self.etag_parts())
        digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
        return f'"{digest}"'

    def handle_exception(self, exc):
        if isinstance(exc, _NotModified):
            response = HttpResponse(status=304)
            del response["Content-Type"]  # a 304 has no body to describe
            return response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.etag and response.status_code in _CACHEABLE_STATUS:
            response["ETag"] = self.etag
            response["Cache-Control"] = "private"
            patch_vary_headers(response, ["Authorization"])
        return response


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return etag in {tag.removeprefix("W/") for tag in parse_etags(header)}
