"""The drills' own servers and processes, each on loopback and driven by its PID.

Nothing here touches the machine's shared PostgreSQL (5432) or Redis (6379): the drills start a
PostgreSQL 15 cluster of their own (``initdb`` in a temporary folder, a free port, trust
authentication), a ``redis-server`` of their own, and put the media folder on a small tmpfs so
that "disk full" is a real ENOSPC. gunicorn, the Celery workers and beat are the commands
production runs (``manage.py serve``'s gunicorn line, ``celery -A idcheck``), started with the
environment these servers need.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from idcheck.lib.subprocesses import free_port
from idcheck.management.commands.serve import HOST, gunicorn_command

BASE_DIR = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
START_TIMEOUT_S = 90.0


def wait_until(condition: Callable[[], object], *, timeout: float, what: str, every: float = 0.05) -> object:
    """Poll ``condition`` until it returns something truthy; fail the drill with ``what`` if not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
        return True
    return False


# --- PostgreSQL ----------------------------------------------------------------------------------


@dataclass
class Postgres:
    """A throw-away PostgreSQL 15 cluster owned by the ``postgres`` user (initdb refuses root)."""

    folder: Path
    port: int = field(default_factory=free_port)
    database: str = "idcheck_drills"

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{self.database}"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        user = pwd.getpwnam("postgres")

        def as_postgres() -> None:
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)

        switch = as_postgres if os.geteuid() == 0 else None
        done = subprocess.run(command, capture_output=True, preexec_fn=switch, cwd="/", check=False)  # noqa: PLW1509
        if check and done.returncode:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.decode(errors='replace')[-2000:]}")
        return done

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync")  # fmt: skip
        settings = (
            f"listen_addresses = '{HOST}'\nport = {self.port}\nunix_socket_directories = '{self.folder}'\n"
            # A stop in immediate mode kills the server, not the machine: what reached the OS survives
            # without fsync. synchronous_commit stays on: off, a commit already answered 200 to
            # the client is lost in the crash (the drill found it so), which no deployment accepts.
            "fsync = off\nmax_connections = 100\n"
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(settings)
        self.start()
        self._run(str(PG_BIN / "createdb"), "-h", HOST, "-p", str(self.port), "-U", "postgres", self.database)

    def start(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w",
                  "-t", "60", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def restart_immediate(self) -> None:
        """``pg_ctl restart -m immediate``: every backend dies at once, recovery on start."""
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"), "-m",
                  "immediate", "-w", "-t", "60", "restart")  # fmt: skip


# --- Redis ---------------------------------------------------------------------------------------


@dataclass
class Redis:
    """``redis-server`` without persistence: a restart keeps nothing (the hardest case, G15)."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        command = ["redis-server", "--port", str(self.port), "--bind", HOST, "--save", "", "--appendonly", "no",
                   "--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")]  # fmt: skip
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, process_group=0)
        wait_until(lambda: _answers(self.port), timeout=30, what=f"redis-server on port {self.port}")

    def shutdown_nosave(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "SHUTDOWN", "NOSAVE"], capture_output=True, check=False)
        if self.process is not None:
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.shutdown_nosave()


# --- the media folder on a small filesystem -------------------------------------------------------


@dataclass
class SmallDisk:
    """A tmpfs of ``size`` under ``folder`` (root only), so a full disk answers ENOSPC for real."""

    folder: Path
    size: str = "64m"  # room for every drill's images; filled on purpose by the disk drill
    mounted: bool = False

    def mount(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.size},mode=0700", "tmpfs", str(self.folder)],
                       check=True, capture_output=True)  # fmt: skip
        self.mounted = True

    @property
    def filler(self) -> Path:
        return self.folder / "filler.bin"

    def fill(self) -> int:
        """Write zeros until the filesystem refuses, in ever smaller pieces so that not even a
        page is left; returns the bytes left."""
        for size in (65536, 4096, 512):
            with contextlib.suppress(OSError), self.filler.open("ab", buffering=0) as handle:
                while True:
                    handle.write(b"\0" * size)
        return shutil.disk_usage(self.folder).free

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.folder)], check=False, capture_output=True)
            self.mounted = False


# --- application processes -----------------------------------------------------------------------


@dataclass
class Process:
    """One command in a process group of its own, its output in ``log``."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.command, cwd=BASE_DIR, env=self.env, stdin=subprocess.DEVNULL,
                                            stdout=out, stderr=subprocess.STDOUT, process_group=0)  # fmt: skip

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def children(self) -> list[int]:
        with contextlib.suppress(psutil.NoSuchProcess):
            return [child.pid for child in psutil.Process(self.pid).children()]
        return []

    def kill_group(self) -> None:
        """SIGKILL to the whole group: the main process and every child, nothing cleaned up."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        assert self.process is not None
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill_group()

    def tail(self, size: int = 4000) -> str:
        return self.log.read_bytes()[-size:].decode(errors="replace") if self.log.exists() else ""


def celery_worker(name: str, queues: str, *, pool: str, env: dict[str, str], folder: Path) -> Process:
    command = [sys.executable, "-m", "celery", "-A", "idcheck", "worker", "-Q", queues, "-P", pool, "-c", "1",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING",
               "-n", f"drill-{name}-{uuid.uuid4().hex[:6]}@%h"]  # fmt: skip
    return Process(name, command, env, folder / f"{name}.log")


def celery_beat(env: dict[str, str], folder: Path) -> Process:
    command = [sys.executable, "-m", "celery", "-A", "idcheck", "beat", "-l", "WARNING",
               "--schedule", str(folder / "celerybeat-schedule")]  # fmt: skip
    return Process("beat", command, env, folder / "beat.log")


def gunicorn(port: int, env: dict[str, str], folder: Path) -> Process:
    return Process("gunicorn", gunicorn_command(port), env, folder / "gunicorn.log")


@contextlib.contextmanager
def running(*processes: Process) -> Iterator[None]:
    try:
        for process in processes:
            process.start()
        yield
    finally:
        for process in reversed(processes):
            process.stop()
