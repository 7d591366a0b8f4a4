"""git-ai's notes backend sends its key as `X-API-Key: KEY` or `Authorization: Bearer KEY`."""

from __future__ import annotations

import logging

from django.db import OperationalError

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
