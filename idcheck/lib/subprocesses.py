"""What a child process (a Celery worker, gunicorn) started by a benchmark needs to reach the
same database as its parent, and gunicorn itself for the benchmarks that go through HTTP."""

from __future__ import annotations

import http.client
import socket
import subprocess
import tempfile
import time
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection

from idcheck.management.commands.serve import HOST, gunicorn_command, gunicorn_env

START_TIMEOUT_S = 60.0


def current_database_url() -> str:
    """DATABASE_URL of the database this process uses (under pytest, the test database)."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    user = quote(db["USER"] or "", safe="")
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def stop_process(process: subprocess.Popen[bytes], *, timeout: float) -> None:
    """SIGTERM (a graceful stop: Celery finishes its task, gunicorn its requests), then SIGKILL."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn as ``manage.py serve`` starts it (2 workers × 4 threads) on a free port of
    127.0.0.1, on this process's database, with ``env`` added to its environment; stopped on exit."""

    def __init__(self, *, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.env = env or {}
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        env = gunicorn_env() | self.env
        if connection.vendor == "postgresql":  # under pytest, the test database
            env["DATABASE_URL"] = current_database_url()
        # Its log (one access line per request) goes to a file, shown only if it fails to start.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            gunicorn_command(self.port), cwd=settings.BASE_DIR, env=env, stdin=subprocess.DEVNULL,
            stdout=self.log, stderr=subprocess.STDOUT, process_group=0,
        )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                tail = self.log.read().decode(errors="replace")[-2000:]
                raise CommandError(f"gunicorn exited at start-up (code {self.process.returncode}):\n{tail}")
            if self._answers():
                return self
            time.sleep(0.2)
        self.__exit__()
        raise CommandError(f"gunicorn did not answer on {HOST}:{self.port} within {START_TIMEOUT_S:.0f} s")

    def _answers(self) -> bool:
        """Any HTTP answer (a 404 included) means a worker is serving."""
        probe = http.client.HTTPConnection(HOST, self.port, timeout=2)
        try:
            probe.request("GET", "/")
            probe.getresponse().read()
            return True
        except (OSError, http.client.HTTPException):
            return False
        finally:
            probe.close()

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            stop_process(self.process, timeout=30)
        self.log.close()
