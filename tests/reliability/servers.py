"""Throw-away Redis and PostgreSQL servers of the test's own, on free loopback ports.

The reliability tests stop and restart these servers under the app, so they must never be the
machine's shared instances. When a server binary is missing the test fails under CI (CI=true,
where it must run) and is skipped with the reason elsewhere, never silently.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_binary(path: str | None, what: str) -> str:
    if path and Path(path).exists():
        return path
    message = f"{what} is not installed here; the reliability test needs it."
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " CI must install it (see scripts/system-deps.sh).")
    pytest.skip(message)


def wait_for(check, *, timeout: float = 30, what: str = "server") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not come up within {timeout} s")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class RedisServer:
    """`redis-server` on its own port, no persistence; `stop()` and `start()` at will."""

    def __init__(self, folder: Path) -> None:
        self.binary = require_binary(shutil.which("redis-server"), "redis-server")
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: port_open(self.port), what="redis-server")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        wait_for(lambda: not port_open(self.port), what="redis-server shutdown")


class PostgresCluster:
    """A PostgreSQL cluster in a temporary folder, run as the `postgres` user when we are root."""

    def __init__(self) -> None:
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        initdb = require_binary(candidates[-1] if candidates else None, "PostgreSQL (initdb)")
        self.bin = Path(initdb).parent
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="summit-pg-", dir="/tmp"))
        self.data = self.folder / "data"
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: hand the folder to the postgres user.
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail("running as root with no `postgres` user to run a cluster as")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self._run([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"])
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/summit_restart"

    def _run(self, command: list[str]) -> None:
        subprocess.run(
            self.prefix + command, check=True, capture_output=True, cwd=self.folder, timeout=120
        )

    def start(self) -> None:
        self._run(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.folder / "log"),
                "-w",
                "-o",
                f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off",
                "start",
            ]
        )

    def stop(self) -> None:
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def createdb(self, name: str) -> None:
        self._run([str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), name])

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
