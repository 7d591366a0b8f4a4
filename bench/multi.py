"""`python -m bench.multi [--instances 2] [--clients 20] [--seconds 60] [--kill-at 20]`:
several gunicorn instances behind nginx (deploy/nginx-multi.conf), one Redis and one PostgreSQL
(DATABASE_URL, default postgres://postgres@127.0.0.1:5432/aicode_multi, created when missing),
clients writing (POST /ingest/v1/changes) and reading (GET /analytics/ai-code/changes) through
nginx; the first instance is killed (SIGKILL, master and workers) mid-run. Prints the figures:
requests answered, by status and by instance before and after the kill, latency p50/p99,
acknowledged records and how many of them are missing from the database afterwards.

Ports: 26000-26999 (free ones). Needs nginx and redis-server (Debian: nginx-light,
redis-server). docs/scaling.md has a run's figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from base64 import b64encode
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/aicode_multi"
BATCH = 20  # changes per POST

SETUP = """
import django; django.setup()
from django.contrib.auth.models import User
from teams.models import ApiKey, Member, Team, TeamMembership
team, _ = Team.objects.get_or_create(slug="multi", defaults={"name": "Multi"})
read = ApiKey.objects.create_key(team=team, name="multi-read")[1]
write = ApiKey.objects.create_key(team=team, name="multi-write", can_ingest=True)[1]
user = User.objects.filter(username="viewer").first() or User.objects.create_user(
    "viewer", "viewer@multi.example", "viewer-password-123")
TeamMembership.objects.get_or_create(team=team, user=user)
print(json.dumps({"team_id": team.id, "read": read, "write": write}))
"""


def free_port(taken: set[int] = frozenset()) -> int:
    """A free loopback port in 26000-26999 (the range this project's runs may use)."""
    start = random.randrange(26000, 27000)
    for i in range(1000):
        port = 26000 + (start - 26000 + i) % 1000
        if port in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 26000-26999")


def basic(key: str) -> str:
    return "Basic " + b64encode(f"{key}:".encode()).decode()


def ensure_database(url: str, *, fresh: bool = False) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


@dataclass
class Stack:
    """Redis, N gunicorn instances, nginx in front (deploy/nginx-multi.conf)."""

    env: dict[str, str]
    instances: int = 2
    workers: int = 2
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="aicode-multi-")))
    procs: list[subprocess.Popen] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    redis: subprocess.Popen | None = None
    nginx: subprocess.Popen | None = None
    front: int = 0
    retry_posts: bool = True

    def start(self) -> None:
        taken: set[int] = set()

        def port() -> int:
            taken.add(p := free_port(taken))
            return p

        redis_port = port()
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        self.ports = [port() for _ in range(self.instances)]
        for p in self.ports:
            log = open(self.work / f"gunicorn-{p}.log", "ab")  # noqa: SIM115 - the process's
            self.procs.append(
                subprocess.Popen(
                    [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"],
                    cwd=ROOT,
                    env={
                        **self.env,
                        "GUNICORN_BIND": f"127.0.0.1:{p}",
                        "GUNICORN_WORKERS": str(self.workers),
                    },
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: killed as a whole
                )  # fmt: skip
            )
        self.front = port()
        conf = self.work / "nginx.conf"
        text = nginx_conf(self.work, listen=self.front, upstreams=self.ports)
        if not self.retry_posts:  # nginx's default: a POST whose instance died is a 502
            text = text.replace("proxy_next_upstream error non_idempotent;", "")
        conf.write_text(text)
        self.nginx = subprocess.Popen(
            [NGINX, "-c", str(conf), "-p", str(self.work)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for p in [*self.ports, self.front]:
            wait_up(p)

    def kill(self, index: int) -> None:
        """SIGKILL an instance's master and workers at once (a machine lost)."""
        os.killpg(self.procs[index].pid, signal.SIGKILL)
        self.procs[index].wait(timeout=10)

    def stop(self) -> None:
        for proc in [self.nginx, *self.procs, self.redis]:
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in [self.nginx, *self.procs, self.redis]:
            if proc is not None:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        shutil.rmtree(self.work, ignore_errors=True)


def nginx_conf(work: Path, *, listen: int, upstreams: list[int]) -> str:
    site = (ROOT / "deploy" / "nginx-multi.conf").read_text()
    lines = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n" for p in upstreams)
    head, rest = site.split("    server 127.0.0.1:8000", 1)
    rest = rest.split("\n", 1)[1].split("    server 127.0.0.1:8001", 1)[1].split("\n", 1)[1]
    site = head + lines + rest
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    # Which instance answered (the last address when nginx retried): for the figures only.
    site = site.replace(
        "proxy_pass http://aicode_app;",
        "proxy_pass http://aicode_app;\n        add_header X-Upstream $upstream_addr always;",
    )
    temp = work / "nginx-temp"
    temp.mkdir(exist_ok=True)
    return (
        f"daemon off;\nworker_processes 1;\npid {work}/nginx.pid;\n"
        f"error_log {work}/nginx-error.log;\nevents {{ worker_connections 1024; }}\n"
        f"http {{\n client_body_temp_path {temp}/body;\n proxy_temp_path {temp}/proxy;\n"
        f" fastcgi_temp_path {temp}/fastcgi;\n uwsgi_temp_path {temp}/uwsgi;\n"
        f" scgi_temp_path {temp}/scgi;\n{site}\n}}\n"
    )


def wait_up(port: int, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/analytics/ai-code/commits")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answers on port {port}")


def environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings_production",
        SECRET_KEY=env.get("SECRET_KEY") or "multi-" + secrets.token_urlsafe(40),
        # One key for every instance: the public user_... ids must agree between them.
        PUBLIC_ID_KEY=env.get("PUBLIC_ID_KEY") or "multi-" + secrets.token_urlsafe(24),
        DEBUG="false",
        AI_CODE_RATE_LIMIT=env.get("AI_CODE_RATE_LIMIT", "1000000/m"),
        SESSION_COOKIE_SECURE="false",  # plain HTTP on loopback
        CSRF_COOKIE_SECURE="false",
        GUNICORN_ACCESS_LOG="",
        LOG_LEVEL="WARNING",
        STATIC_ROOT=env.get("STATIC_ROOT") or str(ROOT / "var" / "static"),
    )
    return env


def prepare(env: dict[str, str]) -> dict:
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 600}
    done = subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], **run)
    if done.returncode:
        raise SystemExit(done.stderr)
    done = subprocess.run([PYTHON, "-c", "import json\n" + SETUP], **run)
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


@dataclass
class Outcome:
    started: float
    op: str
    status: int  # 0: no answer (connection error)
    seconds: float
    upstream: str
    ids: list[str]


def client_loop(n: int, port: int, keys: dict, stop: float, out: list, lock) -> None:
    rng = random.Random(n)
    conn = None
    seq = 0
    while time.monotonic() < stop:
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        write = rng.random() < 0.5
        ids: list[str] = []
        if write:
            seq += 1
            now = datetime.now(UTC).isoformat()
            ids = [f"multi-{n}-{seq}-{i}" for i in range(BATCH)]
            email = f"dev{rng.randrange(20)}@multi.example"
            body = json.dumps([{"changeId": cid, "userEmail": email, "source": "TAB",
                                "totalLinesAdded": 3, "totalLinesDeleted": 1, "createdAt": now}
                               for cid in ids])  # fmt: skip
            method, path, key = "POST", "/ingest/v1/changes", keys["write"]
        else:
            body, method, path, key = (
                None,
                "GET",
                "/analytics/ai-code/changes?pageSize=100",
                keys["read"],
            )
        headers = {"Authorization": basic(key), "Content-Type": "application/json"}
        t0 = time.monotonic()
        status, upstream = 0, ""
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status, upstream = response.status, response.getheader("X-Upstream", "")
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = None
        took = time.monotonic() - t0
        outcome = Outcome(t0, "write" if write else "read", status, took, upstream,
                          ids if status == 200 else [])  # fmt: skip
        with lock:
            out.append(outcome)


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_load(stack: Stack, keys: dict, *, clients: int, seconds: float, kill_at: float | None):
    out: list[Outcome] = []
    lock = threading.Lock()
    began = time.monotonic()
    stop = began + seconds
    threads = [threading.Thread(target=client_loop, args=(n, stack.front, keys, stop, out, lock))
               for n in range(clients)]  # fmt: skip
    for t in threads:
        t.start()
    killed_at = None
    if kill_at is not None:
        time.sleep(max(0.0, began + kill_at - time.monotonic()))
        stack.kill(0)
        killed_at = time.monotonic()
    for t in threads:
        t.join()
    return out, began, killed_at


def stored_ids(database_url: str, team_id: int, ids: list[str]) -> set[str]:
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        rows = conn.execute(
            "SELECT change_id FROM tracking_change WHERE team_id = %s AND change_id = ANY(%s)",
            [team_id, ids],
        ).fetchall()
    return {r[0] for r in rows}


def figures(out: list[Outcome], *, began: float, killed_at: float | None, stack: Stack,
            database_url: str, team_id: int) -> dict:  # fmt: skip
    killed = f"127.0.0.1:{stack.ports[0]}"

    def final(o: Outcome) -> str:
        return o.upstream.split(",")[-1].strip()

    after = [o for o in out if killed_at is not None and o.started >= killed_at]
    around = [o for o in out if killed_at is not None and o.started < killed_at
              and o.started + o.seconds > killed_at]  # fmt: skip
    acked = [i for o in out for i in o.ids]
    stored = stored_ids(database_url, team_id, acked) if acked else set()
    statuses: dict[str, int] = {}
    for o in out:
        statuses[str(o.status or "no answer")] = statuses.get(str(o.status or "no answer"), 0) + 1
    lat = {op: [o.seconds * 1000 for o in out if o.op == op] for op in ("read", "write")}
    return {
        "requests": len(out),
        "seconds": round(max((o.started + o.seconds for o in out), default=began) - began, 1),
        "statuses": statuses,
        "not_200": sum(1 for o in out if o.status != 200),
        "read_p50_ms": round(pct(lat["read"], 50), 1),
        "read_p99_ms": round(pct(lat["read"], 99), 1),
        "write_p50_ms": round(pct(lat["write"], 50), 1),
        "write_p99_ms": round(pct(lat["write"], 99), 1),
        "killed_at_s": round(killed_at - began, 1) if killed_at else None,
        "in_flight_at_kill": len(around),
        "in_flight_at_kill_answered_200": sum(1 for o in around if o.status == 200),
        "retried_on_the_other_instance": sum(1 for o in out if "," in o.upstream),
        "after_kill": len(after),
        "after_kill_not_200": sum(1 for o in after if o.status != 200),
        "after_kill_answered_by_killed": sum(1 for o in after if final(o) == killed),
        "after_kill_max_ms": round(max((o.seconds * 1000 for o in after), default=0.0), 1),
        "by_instance": _by_instance(out, final),
        "acknowledged_records": len(acked),
        "acknowledged_records_missing": len(set(acked) - stored),
    }


def _by_instance(out: list[Outcome], final) -> dict[str, int]:
    counts: dict[str, int] = {}
    for o in out:
        name = final(o) or "none"
        counts[name] = counts.get(name, 0) + 1
    return counts


@contextmanager
def running(database_url: str, *, instances: int, workers: int, fresh: bool = False,
            retry_posts: bool = True, **env):  # fmt: skip
    ensure_database(database_url, fresh=fresh)
    environ = environment(database_url) | env
    keys = prepare(environ)
    stack = Stack(env=environ, instances=instances, workers=workers, retry_posts=retry_posts)
    try:
        stack.start()
        yield stack, keys
    finally:
        stack.stop()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.multi", description=__doc__)
    p.add_argument("--instances", type=int, default=2)
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--kill-at", type=float, default=20.0, help="seconds; negative: no kill")
    p.add_argument("--no-retry-posts", action="store_true",
                   help="without proxy_next_upstream non_idempotent (nginx's default)")  # fmt: skip
    args = p.parse_args(argv)
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"bench.multi needs PostgreSQL; DATABASE_URL is {url!r}")
    with running(url, instances=args.instances, workers=args.workers,
                 retry_posts=not args.no_retry_posts) as (stack, keys):  # fmt: skip
        print(f"{args.instances} instances on {stack.ports} behind nginx :{stack.front}, "
              f"{args.clients} clients for {args.seconds:g} s", flush=True)  # fmt: skip
        kill_at = args.kill_at if args.kill_at >= 0 else None
        out, began, killed_at = run_load(stack, keys, clients=args.clients,
                                         seconds=args.seconds, kill_at=kill_at)  # fmt: skip
        result = figures(out, began=began, killed_at=killed_at, stack=stack,
                         database_url=url, team_id=keys["team_id"])  # fmt: skip
    for name, value in result.items():
        print(f"{name:34} {value}")


if __name__ == "__main__":
    main()
