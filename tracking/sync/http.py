"""The upstream HTTP client: pacing, retries, timeouts, and a key that never leaks.

- Pacing: at most `max_rpm` request starts per endpoint in any 60 s (a sliding window), so a
  run never meets the upstream's per-endpoint limit in the first place.
- 429: wait `Retry-After` seconds (or the back-off when it is absent), then the same request.
- 5xx, timeouts, connection errors: capped exponential back-off with full jitter.
- Anything else, or retries exhausted: UpstreamError naming the URL and the problem, with the
  key redacted (it is only ever sent in a header, never in a URL).

The clock and the sleep are injectable: the tests run paced syncs without waiting.
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPException

USER_AGENT = "ai-code-analytics-sync/1"
BACKOFF_BASE = 1.0  # seconds, doubled per attempt
BACKOFF_CAP = 60.0
MAX_BODY = 1 << 30  # one response larger than this is refused


class UpstreamError(RuntimeError):
    """The run stops: the message names the URL (never the key) and the problem."""


@dataclass
class Stats:
    requests: int = 0
    waited_429: int = 0
    retried: int = 0
    bytes: int = 0


@dataclass
class Pacer:
    """At most `max_rpm` starts per key in any 60 s."""

    max_rpm: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _starts: dict = field(default_factory=lambda: defaultdict(deque))

    def wait(self, key: str) -> None:
        if self.max_rpm <= 0:
            return
        starts, limit = self._starts[key], max(1, int(self.max_rpm))
        if len(starts) >= limit:
            delay = starts[-limit] + 60.0 - self.clock()
            if delay > 0:
                self.sleep(delay)
        starts.append(self.clock())
        while len(starts) > limit:
            starts.popleft()


@dataclass
class Client:
    base_url: str
    auth_header: str  # the whole Authorization value: redacted from every message
    secret: str
    pacer: Pacer
    timeout: float = 30.0
    max_attempts: int = 6
    sleep: Callable[[float], None] = time.sleep
    backoff_base: float = BACKOFF_BASE
    backoff_cap: float = BACKOFF_CAP
    stats: Stats = field(default_factory=Stats)
    on_wait: Callable[[str], None] | None = None

    def redact(self, text: str) -> str:
        for secret in {self.secret, self.auth_header}:
            if secret:
                text = text.replace(secret, "[redacted]")
        return text

    def get(self, path: str, params: dict, *, endpoint: str | None = None) -> tuple[bytes, str]:
        return self.request("GET", path, params=params, endpoint=endpoint)

    def post_json(self, path: str, body: dict) -> tuple[bytes, str]:
        return self.request("POST", path, body=json.dumps(body).encode())

    def request(self, method, path, *, params=None, body=None, endpoint=None):
        """(body, content type) of a 2xx answer, after pacing and retries."""
        url = self.base_url.rstrip("/") + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        for attempt in range(1, self.max_attempts + 1):
            self.pacer.wait(endpoint or path)
            self.stats.requests += 1
            try:
                return self._once(method, url, body)
            except _Retry as retry:
                if attempt == self.max_attempts:
                    raise self._error(
                        url, f"{retry.reason}; gave up after {attempt} attempts"
                    ) from None
                delay = retry.after if retry.after is not None else self._backoff(attempt)
                self.stats.retried += 1
                self.stats.waited_429 += retry.status == 429
                if self.on_wait:
                    self.on_wait(self.redact(f"{retry.reason}: retrying in {delay:.1f}s"))
                self.sleep(delay)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        # Full jitter: clients that failed together do not come back together.
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)))

    def _once(self, method: str, url: str, body: bytes | None) -> tuple[bytes, str]:
        headers = {"Authorization": self.auth_header, "User-Agent": USER_AGENT}
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                data = response.read(MAX_BODY + 1)
                if len(data) > MAX_BODY:
                    raise self._error(url, f"response larger than {MAX_BODY} bytes")
                expected = response.headers.get("Content-Length")
                if expected and expected.isdigit() and len(data) < int(expected):
                    # read(n) returns a short body at EOF instead of raising IncompleteRead.
                    raise _Retry(f"truncated body: {len(data)} of {expected} bytes")
                self.stats.bytes += len(data)
                return data, response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            self._http_error(url, exc)
        except TimeoutError as exc:
            raise _Retry(f"timed out after {self.timeout:g}s ({exc})") from None
        except (urllib.error.URLError, ConnectionError, HTTPException, OSError) as exc:
            # IncompleteRead (a truncated body) is an HTTPException: retried like a reset.
            raise _Retry(f"network error: {_reason(exc)}") from None

    def _http_error(self, url: str, exc: urllib.error.HTTPError):
        status = exc.code
        detail = _detail(exc)
        if status == 429:
            raise _Retry("429 Too Many Requests", status=429, after=_retry_after(exc))
        if status >= 500:
            raise _Retry(f"{status} {exc.reason}{detail}", status=status)
        raise self._error(url, f"{status} {exc.reason}{detail}")

    def _error(self, url: str, problem: str) -> UpstreamError:
        return UpstreamError(self.redact(f"{url}: {problem}"))


class _Retry(Exception):
    def __init__(self, reason: str, *, status: int = 0, after: float | None = None):
        super().__init__(reason)
        self.reason, self.status, self.after = reason, status, after


def _retry_after(exc: urllib.error.HTTPError) -> float | None:
    value = (exc.headers or {}).get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare for APIs; the back-off applies


def _detail(exc: urllib.error.HTTPError) -> str:
    """The upstream's own message (Cursor `message`, Qoder `error.message`), if any."""
    try:
        payload = json.loads(exc.read(65536) or b"{}")
    except (ValueError, OSError):
        return ""
    if not isinstance(payload, dict):
        return ""
    error = payload.get("error")
    message = payload.get("message") or (error.get("message") if isinstance(error, dict) else "")
    return f": {str(message)[:300]}" if message else ""


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason or exc) or type(exc).__name__
