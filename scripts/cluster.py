#!/usr/bin/env python
"""Several Summit servers as one (issue 21): N gunicorn servers and M Celery workers on loopback.

What a council runs when it outgrows one server, on one machine: every process is started as if
it were on a machine of its own (its own `SUMMIT_VAR_DIR`, `TMPDIR` and port), and they share only
what several servers must share:

- one PostgreSQL database (`DATABASE_URL`): data, sessions, sign-in throttling and the
  generation tokens that keep each process's figure cache coherent (performance/common/cache.py);
- one Redis (`REDIS_URL`): the Celery broker and result backend, and the API's rate counts;
- one `MEDIA_ROOT`: evidence, policy documents, published and cached PDFs;
- one `SECRET_KEY`: a session signed in on one server is valid on every other;
- exactly one beat: the first worker runs `--beat` (a second beat would fire every entry twice;
  the tasks are idempotent, but it would double the work).

Each process runs in a process group of its own; leaving the context manager (normally, on an
exception or on Ctrl-C) stops every group, SIGTERM then SIGKILL. On Linux the children are also
told to stop if the launching process dies, so an aborted run leaves no worker behind to take
the next run's tasks (each cluster also has a Celery queue of its own).

    with cluster.running(database_url=..., redis_url=..., servers=2, workers=2) as c:
        c.servers[0].base, c.servers[1].base   # http://127.0.0.1:PORT

    .venv/bin/python scripts/cluster.py --database-url postgres://postgres@127.0.0.1:5432/summit \
        --redis-url redis://127.0.0.1:6379/14 --servers 2 --workers 2
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Variables a cluster sets itself; inherited values would point processes elsewhere.
_OWN = {
    "DATABASE_URL",
    "REDIS_URL",
    "MEDIA_ROOT",
    "SECRET_KEY",
    "SUMMIT_VAR_DIR",
    "CELERY_QUEUE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "TMPDIR",
}


class ClusterError(RuntimeError):
    """A process did not start or did not become healthy; the message has its log's tail."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_PR_SET_PDEATHSIG = 1
try:  # loaded here, not in the child between fork and exec (no lock may be taken there)
    _prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl if sys.platform == "linux" else None
except (OSError, AttributeError):
    _prctl = None


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the launching process dies (Linux only)."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("w") as out:
            self.popen = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a process group of its own, stopped as one
                preexec_fn=_die_with_parent,
            )

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def terminate(self) -> None:
        """SIGTERM the whole process group: gunicorn's and Celery's children too."""
        if self.popen is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)  # setsid: group id = leader's pid

    def kill(self) -> None:
        """SIGKILL what is left of the group (a leader gone while a child lingers too)."""
        if self.popen is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=5)


def stop_all(processes: list[Process], timeout: float = 20) -> None:
    """Stop every process at once: SIGTERM to each group (Celery finishes the task in hand,
    gunicorn the requests in flight), then SIGKILL whatever is left after `timeout` seconds."""
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + timeout
    for process in processes:
        if process.popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
    for process in processes:
        process.kill()


@dataclass
class Server(Process):
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.base + "/healthz", timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False


@dataclass
class Worker(Process):
    hostname: str = ""
    beat: bool = False

    def healthy(self) -> bool:
        # Celery logs "<hostname> ready." once it consumes; beat logs its start separately.
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"{self.hostname} ready." in text and (not self.beat or "beat: Starting..." in text)


@dataclass
class Cluster:
    servers: list[Server]
    workers: list[Worker]
    env: dict[str, str]
    folder: Path
    media_root: Path
    queue: str
    processes: list[Process] = field(default_factory=list)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ({p.log})\n{p.tail(2000)}" for p in self.processes)


def base_env(
    *,
    database_url: str,
    redis_url: str,
    media_root: Path,
    secret_key: str,
    queue: str,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment every process of the cluster shares (each adds its own var dir)."""
    env = {k: v for k, v in os.environ.items() if k not in _OWN}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        MEDIA_ROOT=str(media_root),
        SECRET_KEY=secret_key,
        CELERY_QUEUE=queue,
        DEBUG="false",
        STATIC_MANIFEST="false",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )
    env.update(extra or {})
    return env


def _wait_healthy(processes: list, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = list(processes)
    while waiting:
        for process in list(waiting):
            if not process.alive():
                raise ClusterError(f"{process.name} exited at start:\n{process.tail()}")
            if process.healthy():
                waiting.remove(process)
        if not waiting:
            return
        if time.monotonic() > deadline:
            names = ", ".join(p.name for p in waiting)
            raise ClusterError(
                f"not healthy within {timeout:.0f} s: {names}\n"
                + "\n".join(p.tail() for p in waiting)
            )
        time.sleep(0.2)


@contextlib.contextmanager
def running(
    *,
    database_url: str,
    redis_url: str,
    servers: int = 2,
    workers: int = 2,
    folder: Path | None = None,
    media_root: Path | None = None,
    secret_key: str | None = None,
    gunicorn_workers: int = 1,
    threads: int = 4,
    concurrency: int = 1,
    worker_log_level: str = "INFO",
    extra_env: dict[str, str] | None = None,
    start_timeout: float = 90,
) -> Iterator[Cluster]:
    """Start `servers` gunicorn servers and `workers` Celery workers (the first with beat), wait
    until every one is healthy, yield the cluster, and stop them all on the way out. With no
    worker nothing runs in the background (a load test of pages on a database not to be written).

    The database must be migrated already. `folder` (default: a new temporary folder, removed
    afterwards) holds each process's var dir and log, and the shared media folder unless
    `media_root` is given. Servers are healthy when /healthz answers 200 (database and broker);
    workers when Celery logs that they are ready (and beat that it started).
    """
    if not redis_url:
        raise ClusterError("several servers need Redis: the file-system broker is per machine")
    if servers < 1 or workers < 0:
        raise ClusterError("a cluster needs at least one server (and no fewer than 0 workers)")
    own_folder = folder is None
    folder = Path(tempfile.mkdtemp(prefix="summit-cluster-")) if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    media_root = media_root or folder / "media"
    media_root.mkdir(parents=True, exist_ok=True)
    queue = f"summit-cluster-{uuid.uuid4().hex[:10]}"
    env = base_env(
        database_url=database_url,
        redis_url=redis_url,
        media_root=media_root,
        secret_key=secret_key or secrets.token_urlsafe(64),
        queue=queue,
        extra=extra_env,
    )
    result = Cluster(
        servers=[], workers=[], env=env, folder=folder, media_root=media_root, queue=queue
    )

    def own_env(name: str) -> dict[str, str]:
        # As on a machine of its own: its own var dir and its own temporary folder, so a file
        # one server leaves in either is not found by another (it must go to MEDIA_ROOT).
        var_dir = folder / name
        (var_dir / "tmp").mkdir(parents=True, exist_ok=True)
        return {**env, "SUMMIT_VAR_DIR": str(var_dir), "TMPDIR": str(var_dir / "tmp")}

    try:
        for n in range(servers):
            name = f"server-{chr(ord('a') + n) if n < 26 else n}"
            port = free_port()
            server = Server(
                name=name,
                command=[
                    str(BIN / "gunicorn"),
                    "config.wsgi",
                    "--config",
                    str(ROOT / "config" / "gunicorn.conf.py"),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(gunicorn_workers),
                    "--threads",
                    str(threads),
                    "--timeout",
                    "120",
                    "--graceful-timeout",
                    "10",
                ],
                env=own_env(name),
                log=folder / f"{name}.log",
                port=port,
            )
            result.processes.append(server)
            result.servers.append(server)
            server.start()
        for n in range(workers):
            name = f"worker-{n + 1}"
            hostname = f"{name}-{queue[-10:]}@127.0.0.1"
            worker_env = own_env(name)
            command = [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                f"--loglevel={worker_log_level}",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                f"--queues={queue}",
                f"--hostname={hostname}",
                "--without-gossip",
                "--without-mingle",
            ]
            if n == 0:  # exactly one beat in the whole cluster
                schedule = Path(worker_env["SUMMIT_VAR_DIR"]) / "celerybeat-schedule"
                command += ["--beat", f"--schedule={schedule}"]
            worker = Worker(
                name=name,
                command=command,
                env=worker_env,
                log=folder / f"{name}.log",
                hostname=hostname,
                beat=n == 0,
            )
            result.processes.append(worker)
            result.workers.append(worker)
            worker.start()
        _wait_healthy(result.processes, start_timeout)
        yield result
    finally:
        stop_all(result.processes)
        if own_folder:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a migrated PostgreSQL database")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--gunicorn-workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=1, help="pool processes per worker")
    parser.add_argument("--folder", type=Path, help="logs and var dirs (default: temporary)")
    parser.add_argument("--media-root", type=Path, help="the shared media folder")
    args = parser.parse_args()

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    # Started in the background by a script, SIGINT would be ignored: stop on it as on Ctrl-C.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with running(
            database_url=args.database_url,
            redis_url=args.redis_url,
            servers=args.servers,
            workers=args.workers,
            gunicorn_workers=args.gunicorn_workers,
            concurrency=args.concurrency,
            folder=args.folder,
            media_root=args.media_root,
        ) as cluster:
            for server in cluster.servers:
                print(f"{server.name}: {server.base} (pid {server.pid}, log {server.log})")
            for worker in cluster.workers:
                beat = " with beat" if worker.beat else ""
                print(
                    f"{worker.name}{beat}: {worker.hostname} (pid {worker.pid}, log {worker.log})"
                )
            print(f"media: {cluster.media_root}; queue: {cluster.queue}. Ctrl-C stops everything.")
            sys.stdout.flush()
            while all(p.alive() for p in cluster.processes):
                time.sleep(1)
            dead = [p for p in cluster.processes if not p.alive()]
            print(f"stopped: {', '.join(p.name for p in dead)} exited", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        return 0
    except ClusterError as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
