"""Response headers for defence in depth (settings.MIDDLEWARE):

- Content-Security-Policy on every response Django renders: scripts and styles from this site
  only (Chart.js is served from dashboard/static), plus a per-request nonce for an inline
  script a template may need (`<script nonce="{{ request.csp_nonce }}">`; today none does:
  the charts' data is in json_script blocks, which are data, not script). The API docs pages
  (Swagger UI, Redoc) keep inline styles, which their bundles write at run time.
- `Cache-Control: private, no-store` on every response to a signed-in person: a shared cache
  or the browser's back button after sign-out must not keep a team's figures.

HSTS comes from Django's SecurityMiddleware (SECURE_HSTS_SECONDS, production settings) on
requests it knows to be HTTPS (SECURE_PROXY_SSL_HEADER).
"""

from __future__ import annotations

import secrets

from django.contrib.auth import SESSION_KEY
from django.utils.cache import patch_cache_control

DOCS_PREFIXES = ("/api/docs/", "/api/redoc/")


def policy(nonce: str, *, docs: bool) -> str:
    styles = "'self' 'unsafe-inline'" if docs else "'self'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src {styles}",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",  # Redoc's search worker
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _signed_in(request) -> bool:
    """A person's session (not request.user: DRF sets it to an API key's principal too, and
    the APIs' own `Cache-Control: private` with ETags must stay revalidatable)."""
    session = getattr(request, "session", None)
    return session is not None and bool(session.get(SESSION_KEY))


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            docs = request.path.startswith(DOCS_PREFIXES)
            response["Content-Security-Policy"] = policy(request.csp_nonce, docs=docs)
        if _signed_in(request):
            patch_cache_control(response, private=True, no_store=True)  # drops "public"
        return response
