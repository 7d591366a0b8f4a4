"""git-ai's notes backend sends its key as `X-API-Key: KEY` or `Authorization: Bearer KEY`."""

from __future__ import annotations

import logging

from django.db import OperationalError
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from teams.auth import BearerApiKeyAuthentication, KeyPrincipal, key_lookup

logger = logging.getLogger(__name__)


class XApiKeyAuthentication(BearerApiKeyAuthentication):
    def authenticate(self, request):
        plain = request.META.get("HTTP_X_API_KEY", "").strip()
        if not plain:
            return None
        api_key = key_lookup(plain)
        try:
            api_key.touch()
        except OperationalError:
            logger.warning("Could not record the use of API key %s", api_key.prefix)
        return KeyPrincipal(api_key), api_key


class XApiKeyScheme(OpenApiAuthenticationExtension):
    """The notes backend's `X-API-Key: KEY` (git-ai's client); Bearer works as well."""

    target_class = "analytics_api.tools.auth.XApiKeyAuthentication"
    name = "apiKeyHeader"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-API-Key"}

    def get_security_requirement(self, auto_schema):
        return [{"apiKeyHeader": []}, {"apiKeyBearer": []}]
