"""A fake Cursor + Qoder upstream: a threaded http.server on a free port, serving the records
it holds in the vendors' shapes (JSON pages, CSV exports, commits/detail), with faults on
demand (`fail`), a request log, and an optional delay per request.

Hostile behaviours, written from the vendors' docs (issue 25), are switched on by attributes:
`page_cap` (pages capped below the pageSize it echoes), `understate_pages` (Qoder totalPages
too small), `detail_order` ("reversed": commits/detail answers in another order),
`before_request` (a hook run before each answer: records deleted or added while paging),
`rate_limit` ((requests, seconds): a strict per-endpoint sliding window answering 429s with
Retry-After, which records every arrival and every 429 in `arrivals` and `rejected`)."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import threading
import time
from collections import Counter, defaultdict, deque
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from tracking import formats

KEY = "sk-upstream-secret-0123456789"
ORG = "org-acme"
QODER_BASE = f"/v1/organizations/{ORG}/ai-code-tracking"


def ts(moment: datetime, ms: bool = True) -> str:
    spec = "milliseconds" if ms else "seconds"
    return moment.astimezone(UTC).isoformat(timespec=spec).replace("+00:00", "Z")


def parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def make_records(now: datetime, *, commits: int, changes: int, days: int, members: int = 3):
    """Deterministic records spread over `days` before `now`, some sharing a createdAt."""
    span = timedelta(days=days).total_seconds()
    out_commits, out_changes = [], []
    for i in range(commits):
        at = now - timedelta(seconds=span * (i + 1) / (commits + 1))
        at = at.replace(microsecond=0)
        out_commits.append(commit(i, at))
    for i in range(changes):
        # Pairs of changes share one createdAt: a checkpoint must not skip the second.
        at = (now - timedelta(seconds=span * (i // 2 + 1) / (changes // 2 + 2))).replace(
            microsecond=0
        )
        out_changes.append(change(i, at, members))
    return out_commits, out_changes


def commit(i: int, at: datetime, members: int = 3) -> dict:
    return {
        "commitHash": f"{i:08x}" + "ab" * 16,
        "userEmail": f"dev{i % members}@acme.example",
        "repoName": f"repo-{i % 2}",
        "branchName": "main",
        "isPrimaryBranch": True,
        "totalLinesAdded": 10 + i,
        "totalLinesDeleted": i % 5,
        "tabLinesAdded": i % 7,
        "tabLinesDeleted": 0,
        "composerLinesAdded": i % 3,
        "composerLinesDeleted": 1,
        "message": f"commit {i}, with a comma",
        "commitTs": ts(at),
        "createdAt": ts(at),
    }


def change(i: int, at: datetime, members: int = 3) -> dict:
    return {
        "changeId": f"chg-{i}",
        "userEmail": f"Dev{i % members}@Acme.example",
        "source": ("TAB", "COMPOSER")[i % 2],
        "model": "gpt-x" if i % 3 else None,
        "totalLinesAdded": i,
        "totalLinesDeleted": 1,
        "createdAt": ts(at),
        "metadata": [{"fileName": f"f{i}.py", "fileExtension": "py", "linesAdded": i,
                      "linesDeleted": 1}],
    }  # fmt: skip


def annotations(hash_: str) -> list:
    return [{"filePath": "src/a.go", "groups": [{"conversationId": f"c-{hash_[:8]}",
             "source": "AGENT", "productType": "ide", "type": "added",
             "ranges": [{"start": 1, "end": 3}]}]}]  # fmt: skip


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client killed mid-response (the kill -9 test) is expected, not news


class Upstream:
    def __init__(self, commits=(), changes=(), delay: float = 0.0):
        self.commits, self.changes = list(commits), list(changes)
        self.delay = delay
        self.faults: list[tuple[str, str]] = []  # (path substring, fault), consumed in order
        self.log: list[str] = []
        self.auth: list[str] = []
        self.lock = threading.Lock()
        self.page_cap: int | None = None
        self.understate_pages = False
        self.detail_order = "asked"
        self.before_request = None  # callable(path, query) run before each answer
        self.drop: dict[str, set[str]] = {}
        self.serve_as: dict[str, dict] = {}
        self.slow_first: tuple[int, float] = (0, 0.0)  # the first N per endpoint arrive late
        self.jitter = 0.0  # seconds: each request reaches the limiter up to this late
        self.random = random.Random(25)
        self.rate_limit: tuple[int, float] | None = None
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self.rejected: list[tuple[str, float]] = []
        self._window: dict[str, deque] = defaultdict(deque)
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                upstream._handle(self, None)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                upstream._handle(self, json.loads(self.rfile.read(length) or b"{}"))

            def log_message(self, *args):
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def fail(self, path_part: str, *faults: str) -> None:
        self.faults += [(path_part, fault) for fault in faults]

    def counts(self) -> Counter:
        return Counter(self.log)

    # -- serving ---------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, body) -> None:
        url = urlparse(h.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        first, late = self.slow_first
        if late and len(self.arrivals[url.path]) < first:
            time.sleep(late)  # a slow connect, TLS or proxy queue: it reaches the limiter late
        if self.jitter:
            time.sleep(self.random.uniform(0, self.jitter))  # the same, at random
        with self.lock:
            self.log.append(url.path)
            self.auth.append(h.headers.get("Authorization", ""))
            fault = next((f for f in self.faults if f[0] in url.path), None)
            if fault:
                self.faults.remove(fault)
            wait = self._limited(url.path)
        if wait is not None:
            body = b'{"error":"Too Many Requests","message":"Rate limit exceeded."}'
            self._send(h, 429, "application/json", body, {"Retry-After": str(wait)})
            return
        if self.delay:
            time.sleep(self.delay)
        if self.before_request:
            self.before_request(url.path, query)
        if fault and self._fault(h, fault[1]):
            return
        status, ctype, payload = self._route(url.path, query, body, h.headers)
        if fault and fault[1].startswith("cut-"):  # no Content-Length, connection closed
            if fault[1] == "cut-line":  # at a line boundary: the last third of the rows gone
                lines = payload.split(b"\r\n")
                payload = b"\r\n".join(lines[: max(2, len(lines) * 2 // 3)]) + b"\r\n"
            else:  # "cut-cell": inside the last line's last cell (its createdAt)
                payload = payload.rstrip(b"\r\n")[:-11]
            h.send_response(200)
            h.send_header("Content-Type", ctype)
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(payload)
            h.wfile.flush()
            h.close_connection = True
            return
        if fault and fault[1].startswith("trickle"):  # a byte every N seconds
            every = float(fault[1].split(":")[1])
            h.send_response(200)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            try:
                for byte in payload[:40]:  # then the connection drops
                    h.wfile.write(bytes([byte]))
                    h.wfile.flush()
                    time.sleep(every)
            except OSError:
                pass  # the client gave up
            h.close_connection = True
            return
        if fault and fault[1] == "truncated":
            h.send_response(200)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            h.wfile.write(payload[: len(payload) // 2])
            h.wfile.flush()
            h.close_connection = True
            return
        self._send(h, status, ctype, payload)

    def _limited(self, path: str) -> int | None:
        """A strict sliding window per endpoint: the whole seconds until a place frees, or
        None when this request is admitted (and counted). Refused requests are not counted."""
        now = time.monotonic()
        self.arrivals[path].append(now)
        if self.rate_limit is None:
            return None
        limit, seconds = self.rate_limit
        window = self._window[path]
        while window and window[0] <= now - seconds:
            window.popleft()
        if len(window) >= limit:
            self.rejected.append((path, now))
            return max(1, math.ceil(window[0] + seconds - now))
        window.append(now)
        return None

    def _fault(self, h, fault: str) -> bool:
        if fault == "500":
            self._send(h, 500, "application/json", b'{"error":"Internal Server Error"}')
        elif fault.startswith("429"):
            extra = {"Retry-After": fault.split(":")[1]} if ":" in fault else {}
            body = b'{"error":"Too Many Requests","message":"Rate limit exceeded."}'
            self._send(h, 429, "application/json", body, extra)
        elif fault == "html":
            self._send(h, 200, "text/html", b"<html><body>Login</body></html>")
        elif fault == "hang":
            time.sleep(3)
            self._send(h, 500, "application/json", b"{}")
        elif fault == "badjson":
            self._send(h, 200, "application/json", b'{"items": [{"changeId": ')
        elif fault == "echo":  # a careless upstream quoting the credentials it was sent
            sent = h.headers["Authorization"]
            said = json.dumps({"error": "Bad Request", "message": f"bad {sent} and {KEY}"})
            self._send(h, 400, "application/json", said.encode())
        elif fault == "echo-html":  # a proxy's page quoting the request's credentials
            sent = h.headers["Authorization"]
            token = sent.split(" ", 1)[1]
            page = f"<html><body>Bad credentials {sent} ({token}) for {KEY}</body></html>"
            self._send(h, 200, "text/html", page.encode())
        elif fault == "website-404":
            self._send(h, 404, "text/html; charset=utf-8", b"<html><h1>Page not found</h1></html>")
        elif fault == "401":
            self._send(h, 401, "application/json", b'{"error":"Unauthorized","message":"bad key"}')
        else:
            return False  # "truncated": served by _handle
        return True

    def _send(self, h, status, ctype, payload: bytes, headers=None) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(payload)

    def _route(self, path: str, query: dict, body, headers):
        start = parse_ts(query["startDate"]) if "startDate" in query else None
        end = parse_ts(query["endDate"]) if "endDate" in query else None

        def within(records, key=lambda r: r["createdAt"]):
            rows = [r for r in records if (start is None or parse_ts(key(r)) >= start)
                    and (end is None or parse_ts(key(r)) <= end)]  # fmt: skip
            return sorted(rows, key=lambda r: (key(r), str(r.get("changeId") or r.get(
                "commitHash"))), reverse=True)  # fmt: skip

        if path == "/analytics/ai-code/commits.csv":
            return 200, "text/csv; charset=utf-8", self._cursor_csv(within(self.commits), True)
        if path == "/analytics/ai-code/changes.csv":
            return 200, "text/csv; charset=utf-8", self._cursor_csv(within(self.changes), False)
        if path in ("/analytics/ai-code/commits", "/analytics/ai-code/changes"):
            rows = within(self.commits if path.endswith("commits") else self.changes)
            page, size = int(query.get("page", 1)), min(1000, int(query.get("pageSize", 100)))
            items = rows[(page - 1) * size : page * size][: self.page_cap]
            items = [self._served({**r, "userId": "user_x"}) for r in items]
            envelope = {"items": items, "totalCount": len(rows), "page": page, "pageSize": size}
            return 200, "application/json", json.dumps(envelope).encode()
        if path == QODER_BASE + "/commits/export":
            rows = within(self.commits, key=lambda r: r["commitTs"] or r["createdAt"])
            return 200, "text/csv; charset=utf-8", self._qoder_csv(rows)
        if path == QODER_BASE + "/commits":
            rows = within(self.commits, key=lambda r: r["commitTs"] or r["createdAt"])
            return self._qoder_page(query, [_qoder_commit(r) for r in rows])
        if path == QODER_BASE + "/commits/detail":
            hashes = body["commitHashes"]
            assert 1 <= len(hashes) <= 50
            data = {"commits": [{"commitHash": h, "rangeAnnotations": annotations(h)}
                                for h in hashes]}  # fmt: skip
            if self.detail_order == "reversed":
                data["commits"].reverse()
            return 200, "application/json", json.dumps({"success": True, "data": data}).encode()
        if path == QODER_BASE + "/changes":
            return self._qoder_page(query, [_qoder_change(r) for r in within(self.changes)])
        return 404, "application/json", b'{"error":"Not Found"}'

    def _qoder_page(self, query, rows):
        page, size = int(query.get("page", 1)), min(200, int(query.get("pageSize", 100)))
        items = rows[(page - 1) * size : page * size][: self.page_cap]
        pages = (len(rows) + size - 1) // size
        if self.understate_pages:
            pages = max(1, pages // 2)
        pagination = {"currentPage": page, "pageSize": size, "totalItems": len(rows),
                      "totalPages": pages}  # fmt: skip
        data = {"items": [self._served(i) for i in items], "pagination": pagination}
        return 200, "application/json", json.dumps({"success": True, "data": data}).encode()

    def _served(self, row: dict) -> dict:
        """The row as answered: `drop` ({id: {fields}}) leaves fields out (a missing JSON
        field, an empty CSV cell), `serve_as` ({id: {field: value}}) replaces values."""
        key = row.get("commitHash") or row.get("changeId")
        served = {k: v for k, v in row.items() if k not in self.drop.get(key, ())}
        return {**served, **self.serve_as.get(key, {})}

    def _cursor_csv(self, rows, commits: bool) -> bytes:
        header = formats.CURSOR_COMMIT_CSV_HEADER if commits else formats.CURSOR_CHANGE_CSV_HEADER
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(self._served(row), column) for column in header])
        return out.getvalue().encode()

    def _qoder_csv(self, rows) -> bytes:
        header = formats.QODER_COMMIT_CSV_HEADER
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(self._served(_qoder_commit(row)), column) for column in header])
        return out.getvalue().encode()


def _qoder_commit(row: dict) -> dict:
    pairs = {key: 0 for key in formats.PAIR_FIELDS}
    pairs.update(ideNextLinesAdded=row["tabLinesAdded"], ideNextLinesDeleted=row["tabLinesDeleted"],
                 ideAgentLinesAdded=row["composerLinesAdded"],
                 ideAgentLinesDeleted=row["composerLinesDeleted"])  # fmt: skip
    base = {k: v for k, v in row.items() if not k.startswith(("tab", "composer"))}
    return {**base, **pairs, "userName": row["userEmail"].split("@")[0]}


def _qoder_change(row: dict) -> dict:
    source = {"TAB": "NEXT", "COMPOSER": "AGENT"}.get(row["source"], row["source"])
    metadata = [{**m, "fileExtension": "." + m["fileExtension"]} for m in row["metadata"]]
    return {**row, "source": source, "metadata": metadata, "userId": "5f0c"}


def _cell(row: dict, column: str) -> str:
    if column == "metadata_json":
        return json.dumps(row["metadata"])
    value = row.get(formats.camel(column) if "_" in column else column)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
