"""The upstream HTTP client: pacing, retries, deadlines, and a key that never leaks.

- Pacing: at most `max_rpm` requests per endpoint in any window (60 s), counted from when each
  request *completed* (the upstream counted it at some moment before that) plus a margin of
  1/120 of the window (0.5 s a minute), so a strict sliding-window limiter never sees a sixth
  request within its minute. A 429 is not counted: the upstream refused it.
- 429: wait `Retry-After` seconds (or the back-off when it is absent), then the same request.
  429s do not use up `--retries`; a request gives up after RATE_LIMIT_PATIENCE seconds of
  waiting on 429s.
- 5xx, timeouts, connection errors: capped exponential back-off with full jitter.
- Every attempt has one deadline, `timeout`, for connecting and reading the whole body: an
  upstream that trickles a byte at a time cannot hold a request longer.
- Anything else, or retries exhausted: UpstreamError naming the URL and the problem, with the
  key and its Basic and Bearer encodings redacted.

The clock and the sleep are injectable: the tests run paced syncs without waiting.
"""

from __future__ import annotations

import base64
import json
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPException

USER_AGENT = "ai-code-analytics-sync/2"
BACKOFF_BASE = 1.0  # seconds, doubled per attempt
BACKOFF_CAP = 60.0
RATE_LIMIT_PATIENCE = 900.0  # seconds of 429 waits one request accepts before giving up
MAX_BODY = 1 << 30  # one response larger than this is refused
CHUNK = 1 << 16


class UpstreamError(RuntimeError):
    """The run stops: the message names the URL (never the key) and the problem."""


@dataclass
class Stats:
    requests: int = 0
    waited_429: int = 0
    retried: int = 0
    bytes: int = 0


class _Slot:
    counts = True  # False for a 429: the upstream refused it, it takes no place in the window


@dataclass
class Pacer:
    """At most `max_rpm` requests per key in any `window` seconds, stamped on completion."""

    max_rpm: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    window: float = 60.0
    _stamps: dict = field(default_factory=lambda: defaultdict(deque))
    _locks: dict = field(default_factory=lambda: defaultdict(threading.Lock))
    _guard: threading.Lock = field(default_factory=threading.Lock)

    @property
    def margin(self) -> float:
        return self.window / 120

    @contextmanager
    def slot(self, key: str) -> Iterator[_Slot]:
        """Waits for a free place in `key`'s window; the request runs inside the block and is
        stamped when it ends. One request per key at a time."""
        if self.max_rpm <= 0:
            yield _Slot()
            return
        with self._guard:
            lock = self._locks[key]
        with lock:
            stamps, limit = self._stamps[key], max(1, int(self.max_rpm))
            if len(stamps) >= limit:
                delay = stamps[-limit] + self.window + self.margin - self.clock()
                if delay > 0:
                    self.sleep(delay)
            token = _Slot()
            try:
                yield token
            finally:
                if token.counts:
                    stamps.append(self.clock())
                    while len(stamps) > limit:
                        stamps.popleft()

    def wait(self, key: str) -> None:
        """A slot for a request that takes no time (the tests' view of the pacer)."""
        with self.slot(key):
            pass


def secrets_of(key: str) -> list[str]:
    """Every form the key travels or may be echoed in, longest first."""
    if not key:
        return []
    forms = {
        key,
        base64.b64encode(f"{key}:".encode()).decode(),  # HTTP Basic, KEY as user, no password
        base64.b64encode(key.encode()).decode(),
        urllib.parse.quote(key, safe=""),
        urllib.parse.quote_plus(key),
    }
    # Padding-free base64 too: an echo may strip the trailing '='.
    forms |= {form.rstrip("=") for form in forms if len(form.rstrip("=")) >= 8}
    return sorted(forms, key=len, reverse=True)


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
    patience: float = RATE_LIMIT_PATIENCE
    stats: Stats = field(default_factory=Stats)
    on_wait: Callable[[str], None] | None = None
    _local: threading.local = field(default_factory=threading.local)
    _count_lock: threading.Lock = field(default_factory=threading.Lock)

    def redact(self, text: str) -> str:
        for secret in [self.auth_header, *secrets_of(self.secret)]:
            if secret:
                text = text.replace(secret, "[redacted]")
        return text

    def say(self, line: str) -> None:
        if self.on_wait:
            self.on_wait(self.redact(line))

    def thread_requests(self) -> int:
        """Requests sent by the calling thread (one stream's), for its sync state."""
        return getattr(self._local, "requests", 0)

    def get(self, path: str, params: dict, *, endpoint: str | None = None) -> tuple[bytes, str]:
        return self.request("GET", path, params=params, endpoint=endpoint)

    def post_json(self, path: str, body: dict) -> tuple[bytes, str]:
        return self.request("POST", path, body=json.dumps(body).encode())

    def request(self, method, path, *, params=None, body=None, endpoint=None):
        """(body, content type) of a 2xx answer, after pacing and retries."""
        url = self.base_url.rstrip("/") + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        attempt, waited = 0, 0.0
        while True:
            with self.pacer.slot(endpoint or path) as slot:
                self._count()
                try:
                    return self._once(method, url, body)
                except _Retry as failed:
                    slot.counts = failed.status != 429
                    retry = failed
            if retry.status == 429:
                delay = retry.after if retry.after is not None else self._backoff(attempt + 1)
                if waited + delay > self.patience:
                    raise self._error(
                        url, f"429 Too Many Requests still after {waited:.0f}s of waiting"
                    ) from None
                waited += delay
                with self._count_lock:
                    self.stats.waited_429 += 1
                self.say(f"{url}: 429 Too Many Requests: waiting {delay:.1f}s (not a retry)")
            else:
                attempt += 1
                if attempt >= self.max_attempts:
                    raise self._error(
                        url, f"{retry.reason}; gave up after {attempt} attempts"
                    ) from None
                delay = self._backoff(attempt)
                with self._count_lock:
                    self.stats.retried += 1
                self.say(
                    f"{url}: {retry.reason}: retrying in {delay:.1f}s "
                    f"(attempt {attempt + 1} of {self.max_attempts})"
                )
            self.sleep(delay)

    def _count(self) -> None:
        with self._count_lock:
            self.stats.requests += 1
        self._local.requests = self.thread_requests() + 1

    def _backoff(self, attempt: int) -> float:
        # Full jitter: clients that failed together do not come back together.
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)))

    def _once(self, method: str, url: str, body: bytes | None) -> tuple[bytes, str]:
        headers = {"Authorization": self.auth_header, "User-Agent": USER_AGENT}
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        deadline = time.monotonic() + self.timeout
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                data = self._read(url, response, deadline)
                expected = response.headers.get("Content-Length")
                if expected and expected.isdigit() and len(data) < int(expected):
                    # read returns a short body at EOF instead of raising IncompleteRead.
                    raise _Retry(f"truncated body: {len(data)} of {expected} bytes")
                with self._count_lock:
                    self.stats.bytes += len(data)
                return data, response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            self._http_error(url, exc)
        except TimeoutError as exc:
            raise _Retry(f"timed out after {self.timeout:g}s ({exc})") from None
        except urllib.error.URLError as exc:
            if not isinstance(exc.reason, OSError):
                raise self._error(url, str(exc.reason)) from None  # e.g. unknown url type
            raise _Retry(f"network error: {_reason(exc)}") from None
        except (ConnectionError, HTTPException, OSError) as exc:
            # IncompleteRead (a truncated body) is an HTTPException: retried like a reset.
            raise _Retry(f"network error: {_reason(exc)}") from None

    def _read(self, url: str, response, deadline: float) -> bytes:
        """The whole body by `deadline`: each read waits at most the time left."""
        sock = getattr(getattr(response.fp, "raw", None), "_sock", None)
        chunks, size = [], 0
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Retry(
                    f"timed out after {self.timeout:g}s (the body was still arriving: {size} bytes)"
                )
            if sock is not None:
                sock.settimeout(left)
            chunk = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BODY:
                raise self._error(url, f"response larger than {MAX_BODY} bytes")

    def _http_error(self, url: str, exc: urllib.error.HTTPError):
        status = exc.code
        detail = _detail(exc, self.redact)
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


def _detail(exc: urllib.error.HTTPError, redact=str) -> str:
    """The upstream's own message (Cursor `message`, Qoder `error.message`), or what the body
    is when it is not the API's JSON (a website's 404 page: the base URL is wrong)."""
    ctype = (exc.headers or {}).get("Content-Type", "") or ""
    try:
        raw = exc.read(65536) or b""
    except OSError:
        raw = b""
    try:
        payload = json.loads(raw or b"{}")
    except ValueError:
        what = ctype.split(";")[0] or "no content type"
        return f" ({what} body, not the API's JSON error: is the base URL the API's?)"
    if not isinstance(payload, dict):
        return ""
    error = payload.get("error")
    message = payload.get("message") or (error.get("message") if isinstance(error, dict) else "")
    # Redacted before it is cut: a cut key would pass the redaction.
    return f": {redact(' '.join(str(message).split()))[:300]}" if message else ""


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason or exc) or type(exc).__name__
