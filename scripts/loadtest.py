#!/usr/bin/env python
"""`make loadtest`: 50 concurrent signed-in users on the main pages for 60 s, on loopback only.

Each user is a thread with its own session (signed in as one of the demo logins), requesting
the main pages round-robin with a pause of `--think` seconds (default 1) between requests, as
people read pages; every response must be HTTP 200. Bounded in
every direction: the number of users, the duration, a per-request timeout, and only 127.0.0.1
(a safety catch against pointing it at someone's server). Prints requests, errors, throughput,
median and 95th percentile, and exits non-zero on any error.

    .venv/bin/python scripts/loadtest.py --base http://127.0.0.1:8000 [--users 50] [--seconds 60]

With `--serve DATABASE_URL` it starts gunicorn itself on a free loopback port against that
database (`make loadtest` does so on the bench database that `make bench` seeds) and stops it
at the end.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import deadline_day

ROOT = Path(__file__).resolve().parent.parent

MAX_USERS = 200
MAX_SECONDS = 600
DEMO_USERS = ["performance", "enterer", "manager", "head", "member"]
PASSWORD = "summit-demo"
# Main pages by demo user; a page that does not exist yet is dropped after a 404 at sign-in.
PAGES = {
    "performance": [
        "/",
        "/indicators/",
        "/reach-the-summit/",
        "/benchmarking/",
        "/data-quality/",
        "/public/",
    ],
    "enterer": ["/", "/returns/", "/indicators/"],
    "manager": ["/", "/activation/", "/indicators/"],
    "head": ["/", "/indicators/", "/reach-the-summit/"],
    "member": ["/", "/reach-the-summit/", "/public/"],
}


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, ms: float) -> None:
        with self.lock:
            self.latencies.append(ms)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] += 1


def multipart(boundary: str, fields: dict | list, files: dict[str, tuple[str, bytes]]) -> bytes:
    """A multipart/form-data body of form `fields` and `files` (as a browser sends an upload)."""
    parts: list[bytes] = []
    pairs = fields.items() if isinstance(fields, dict) else fields
    for name, value in pairs:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


class Session:
    """One user's cookies over one keep-alive connection (reopened if the server closes it).

    A connection idle for longer than `IDLE` seconds is reopened before the next request rather
    than reused: gunicorn closes idle keep-alive connections after 2 s, and a POST sent into a
    connection the server is closing could not safely be sent again."""

    IDLE = 1.0

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None
        self.used = 0.0

    def request(
        self,
        method: str,
        path: str,
        body: dict | list | None = None,
        *,
        headers: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes]] | None = None,
        raw: bool = False,
    ) -> tuple[int, str | bytes]:
        """(status, text) of one request; `body` form fields (a dict or a list of pairs),
        `files` {field: (filename, bytes)} sent as multipart; bytes instead of text if `raw`."""
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **(headers or {}),
        }
        data: str | bytes | None = None
        if method == "POST":
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
            if "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"]
        if files:
            boundary = f"summit{time.time_ns()}"
            data = multipart(boundary, body or {}, files)
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif body is not None:
            data = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.connection is not None and time.monotonic() - self.used > self.IDLE:
            self.reset()
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.reset()
                if attempt or method != "GET":
                    raise
            except Exception:
                # A timeout leaves the connection mid-response: never reuse it.
                self.reset()
                raise
        self.used = time.monotonic()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, content if raw else content.decode(errors="replace")

    def reset(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection = None

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise RuntimeError(f"login page answered {status}")
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD},
        )
        if status != 302:
            raise RuntimeError(f"could not sign in as {username} (HTTP {status})")


def available_pages(host: str, port: int, timeout: float) -> dict[str, list[str]]:
    """Each demo user's pages that answer 200 now (pages not built yet are left out, and said)."""
    pages = {}
    for user, paths in PAGES.items():
        session = Session(host, port, timeout)
        session.login(user)
        pages[user] = []
        for path in paths:
            status, _ = session.request("GET", path)
            if status == 200:
                pages[user].append(path)
            else:
                print(f"  left out {path} for {user}: HTTP {status} before the test")
    return pages


def worker(
    number: int,
    host: str,
    port: int,
    pages: dict[str, list[str]],
    stop_at: float,
    timeout: float,
    think: float,
    tally: Tally,
) -> None:
    user = DEMO_USERS[number % len(DEMO_USERS)]
    session = Session(host, port, timeout)
    try:
        session.login(user)
    except Exception as error:
        tally.error(f"sign-in {user}: {error}")
        return
    paths = pages[user]
    index = number
    while time.monotonic() < stop_at:
        path = paths[index % len(paths)]
        index += 1
        started = time.perf_counter()
        try:
            status, _ = session.request("GET", path)
        except Exception as error:
            tally.error(f"{path}: {type(error).__name__}")
            continue
        if status == 200:
            tally.ok((time.perf_counter() - started) * 1000)
        else:
            tally.error(f"{path}: HTTP {status}")
        if think:
            time.sleep(think)


ACCESS_FORMAT = '%(t)s "%(r)s" %(s)s %(M)sms'


def serve(
    database_url: str,
    workers: int,
    *,
    threads: int = 4,
    redis: bool = True,
    var_dir: Path | None = None,
    access_log: Path | None = None,
) -> tuple[subprocess.Popen, str]:
    """gunicorn on a free loopback port against `database_url` (Redis when it answers and
    `redis`; without it Celery's broker is files under `var_dir`, nothing shared)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    var_dir = var_dir or Path(os.environ.get("BENCH_VAR_DIR", "/tmp/summit-bench-var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DATABASE_URL=database_url,
        SUMMIT_VAR_DIR=str(var_dir),
        DEBUG="false",
        STATIC_MANIFEST="false",
        LOG_LEVEL="WARNING",
        AXES_FAILURE_LIMIT="1000",
    )
    with socket.socket() as sock:
        sock.settimeout(0.5)
        if redis and sock.connect_ex(("127.0.0.1", 6379)) == 0:
            env["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--config",
            str(ROOT / "config" / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "120",
            *(
                # Each request's own time on the server (ms), to tell it from time queued.
                ["--access-logfile", str(access_log), "--access-logformat", ACCESS_FORMAT]
                if access_log
                else []
            ),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(var_dir / "loadtest-gunicorn.log").open("w"),
    )
    deadline = time.monotonic() + 60
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"gunicorn did not start; see {var_dir / 'loadtest-gunicorn.log'}")
        time.sleep(0.2)
    return process, f"http://127.0.0.1:{port}"


def start_server(database_url: str, workers: int) -> tuple[Callable[[], None], str]:
    """The deadline day's server: gunicorn on the copy, its own var directory, no Redis (so no
    Celery message of the copy can reach a worker of another database). (stop, base URL)."""
    (deadline_day.VAR_DIR / "access.log").unlink(missing_ok=True)  # this run's requests only
    process, base = serve(
        database_url,
        workers,
        redis=False,
        var_dir=deadline_day.VAR_DIR,
        access_log=deadline_day.VAR_DIR / "access.log",
    )
    print(f"gunicorn ({workers} workers × 4 threads) at {base}", flush=True)

    def stop() -> None:
        # Gunicorn waits up to 30 s for requests in flight; a saturated server may need longer.
        process.terminate()
        try:
            process.wait(timeout=45)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)

    return stop, base


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--timeout", type=float, default=60, help="per request, seconds")
    parser.add_argument(
        "--think", type=float, default=1.0, help="pause between a user's requests, seconds"
    )
    parser.add_argument("--serve", metavar="DATABASE_URL", help="start gunicorn on this database")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        help="with --serve: this many gunicorn servers on one database and Redis, users spread "
        "over them (scripts/cluster.py; --workers is per server)",
    )
    parser.add_argument(
        "--deadline-day",
        action="store_true",
        help="everyone submits at once on a copy of the --serve database (scripts/deadline_day.py)",
    )
    deadline_day.add_arguments(parser)
    args = parser.parse_args()
    if args.deadline_day:
        if "--seconds" not in sys.argv:
            args.seconds = 600
        return deadline_day.run_deadline_day(
            args, lambda url: start_server(url, args.workers), Session
        )
    if args.serve and args.servers > 1:
        return run_on_several(args, parser)
    server = None
    if args.serve:
        server, args.base = serve(args.serve, args.workers)
        print(f"gunicorn ({args.workers} workers × 4 threads) at {args.base}")
    try:
        return run(args, parser)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


def run_on_several(args, parser) -> int:
    """`--servers N`: N gunicorn servers as one (issue 21; scripts/cluster.py) on the --serve
    database, one Redis and one media folder, each user sent to one of them in turn, as a load
    balancer without sticky sessions would. No Celery worker: the load test only reads pages,
    and a beat would run the schedule on the bench database."""
    import cluster

    var_dir = Path(os.environ.get("BENCH_VAR_DIR", "/tmp/summit-bench-var"))
    with cluster.running(
        database_url=args.serve,
        redis_url="redis://127.0.0.1:6379/15",
        servers=args.servers,
        workers=0,
        gunicorn_workers=args.workers,
        media_root=var_dir / "media",
        extra_env={"AXES_FAILURE_LIMIT": "1000"},
    ) as several:
        args.bases = [server.base for server in several.servers]
        args.base = args.bases[0]
        servers = ", ".join(args.bases)
        print(f"{args.servers} gunicorn servers ({args.workers} workers × 4 threads) at {servers}")
        return run(args, parser)


def run(args, parser) -> int:
    url = urllib.parse.urlsplit(args.base)
    if url.scheme != "http" or url.hostname != "127.0.0.1":
        parser.error("--base must be http://127.0.0.1:PORT: the load test runs on loopback only")
    if not 1 <= args.users <= MAX_USERS:
        parser.error(f"--users must be between 1 and {MAX_USERS}")
    if not 1 <= args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be between 1 and {MAX_SECONDS}")
    host, port = url.hostname, url.port or 80

    pages = available_pages(host, port, args.timeout)
    # --servers: user n goes to server n mod N (all on loopback, started by run_on_several).
    ports = [urllib.parse.urlsplit(b).port or 80 for b in getattr(args, "bases", [args.base])]
    if not all(pages.values()):
        print("no page answers for some demo user; is the demo council seeded?", file=sys.stderr)
        return 2
    tally = Tally()
    stop_at = time.monotonic() + args.seconds
    threads = [
        threading.Thread(
            target=worker,
            args=(n, host, ports[n % len(ports)], pages, stop_at, args.timeout, args.think, tally),
            daemon=True,
        )
        for n in range(args.users)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.seconds + args.timeout + 30)
    elapsed = time.monotonic() - started
    done = len(tally.latencies)
    errors = sum(tally.errors.values())
    print(
        f"users {args.users} (think {args.think:g} s), {elapsed:.0f} s, "
        f"requests {done + errors}, errors {errors}"
    )
    if done:
        ordered = sorted(tally.latencies)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"throughput {done / elapsed:.1f} req/s, median {statistics.median(ordered):.0f} ms, "
            f"p95 {p95:.0f} ms, max {ordered[-1]:.0f} ms"
        )
    for what, count in tally.errors.most_common(10):
        print(f"  error ×{count}: {what}")
    return 1 if errors or not done else 0


if __name__ == "__main__":
    sys.exit(main())
