"""A careful HTTP client for the vendors' APIs: paced, retried, time-limited, key-free errors.

- Pacing: at most `max_rpm` requests per endpoint (path) in any 61 seconds (the vendors count
  per minute; one second of margin), waited for on the client.
- 429: wait `Retry-After` seconds (or a full pacing window when it is missing), then retry.
- 5xx and network errors (refused, reset, timeout, a cut body): retried with capped
  exponential back-off and full jitter, `retries` times.
- Every request has a timeout. The key is sent in a header and appears in no message: errors
  name the URL without its credentials.

The clock and sleep are injectable so tests do not wait for real minutes.
"""

from __future__ import annotations

import base64
import http.client
import json
import random
import time
import urllib.error
import urllib.request
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

WINDOW_SECONDS = 61.0
BACKOFF_BASE, BACKOFF_CAP = 1.0, 60.0


class SyncError(Exception):
    """A failure that stops the run; the message names the URL (never the key)."""


@dataclass
class Stats:
    requests: int = 0
    waited_429: int = 0
    retries: int = 0
    seconds_paced: float = 0.0


@dataclass
class Upstream:
    base_url: str
    key: str
    scheme: str  # "basic" (Cursor) or "bearer" (Qoder)
    max_rpm: int = 5
    timeout: float = 60.0
    retries: int = 5
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    stats: Stats = field(default_factory=Stats)
    _sent: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))

    def get(self, path: str, params: dict) -> bytes:
        return self._request("GET", path, params=params)

    def post_json(self, path: str, body: dict) -> dict:
        raw = self._request("POST", path, body=json.dumps(body).encode())
        return self.json(raw, path)

    def json(self, raw: bytes, path: str):
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise SyncError(f"{self._shown(path)}: not JSON ({exc}); got {raw[:80]!r}") from None

    # -- plumbing -------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        if self.scheme == "basic":
            token = base64.b64encode(f"{self.key}:".encode()).decode()
            auth = f"Basic {token}"
        else:
            auth = f"Bearer {self.key}"
        return {"Authorization": auth, "Accept": "*/*", "User-Agent": "ai-code-analytics-sync"}

    def _shown(self, path: str, params: dict | None = None) -> str:
        """The URL as it may appear in messages: no credentials (they are never in it anyway:
        the key travels in a header; a user:password@ in the base URL is dropped)."""
        parts = urlsplit(self.base_url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        query = f"?{urlencode(params)}" if params else ""
        return f"{parts.scheme}://{host}{port}{parts.path.rstrip('/')}{path}{query}"

    def _pace(self, path: str) -> None:
        sent = self._sent[path]
        while True:
            now = self.clock()
            while sent and now - sent[0] >= WINDOW_SECONDS:
                sent.popleft()
            if len(sent) < self.max_rpm:
                sent.append(now)
                return
            wait = WINDOW_SECONDS - (now - sent[0])
            self.stats.seconds_paced += wait
            self.sleep(wait)

    def _request(self, method: str, path: str, *, params=None, body=None) -> bytes:
        url = self.base_url.rstrip("/") + path + (f"?{urlencode(params)}" if params else "")
        shown = self._shown(path, params)
        headers = self._headers()
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(self.retries + 1):
            self._pace(path)
            self.stats.requests += 1
            request = urllib.request.Request(url, data=body, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return response.read()
            except urllib.error.HTTPError as exc:
                if exc.code == 429:
                    retry_after = exc.headers.get("Retry-After", "")
                    wait = float(retry_after) if retry_after.isdigit() else WINDOW_SECONDS
                    self.stats.waited_429 += 1
                    self.sleep(wait)
                    continue
                if exc.code < 500:
                    detail = exc.read()[:200].decode("utf-8", "replace").replace(self.key, "***")
                    raise SyncError(f"{shown}: HTTP {exc.code}: {detail}") from None
                problem = f"HTTP {exc.code}"
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                problem = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
            if attempt == self.retries:
                raise SyncError(f"{shown}: {problem}, {self.retries} retries spent") from None
            self.stats.retries += 1
            self.sleep(random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)))
        raise SyncError(f"{shown}: still rate-limited after {self.retries + 1} attempts")
