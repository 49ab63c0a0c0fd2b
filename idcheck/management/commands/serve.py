"""``manage.py serve [--port N]``: gunicorn, plus a Celery worker when REDIS_URL is set.

``make run`` ends here. One foreground process owns the children so that a single Ctrl-C
stops everything, and a crashed child stops the rest instead of leaving a half-working site.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from idcheck.celery import Queue

HOST = "127.0.0.1"
POLL_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1
# Loaded here, once: loading a library in the forked child (before exec) is not safe.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


# glibc raises its mmap threshold (up to 32 MB) each time a large buffer is freed, so later decoded
# photos (several MB each) come from the heap, whose freed memory it seldom gives back: each
# gunicorn thread's peak then stays resident, and RSS climbed in steps of about 20 MB under
# make soak's load. A fixed threshold keeps buffers of 1 MB and more in mmap, returned when freed.
MALLOC_DEFAULTS = {"MALLOC_MMAP_THRESHOLD_": str(1024 * 1024)}


def gunicorn_env() -> dict[str, str]:
    """This process's environment with the allocator settings above, unless already set."""
    return MALLOC_DEFAULTS | dict(os.environ)


def gunicorn_command(port: int) -> list[str]:
    # No --access-logfile: gunicorn's access log includes query strings; our middleware logs paths.
    # No control socket: we supervise gunicorn, and its default path in $HOME is shared by every checkout.
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "idcheck.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        "2",
        "--threads",
        "4",
        "--no-control-socket",
    ]


def celery_command() -> list[str]:
    # --beat: the periodic sweeps (webhook retries, stuck runs) run inside the demo's one worker.
    queues = ",".join(queue.value for queue in Queue)
    schedule = str(settings.VAR_DIR / "celerybeat-schedule")
    return [sys.executable, "-m", "celery", "-A", "idcheck", "worker", "-Q", queues, "--concurrency", "2",
            "--beat", "--schedule", schedule]  # fmt: skip


def webhooks_command() -> list[str]:
    # Embedded mode has no beat: this loop sends webhook deliveries and their retries.
    return [sys.executable, str(settings.BASE_DIR / "manage.py"), "send_webhooks", "--loop"]


def _die_with_parent() -> None:
    # If we are killed outright (SIGKILL), the children must not live on, holding the port.
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    """Runs the children until a signal asks them to stop or one of them ends on its own."""

    def __init__(self, say: Callable[[str], Any]) -> None:
        self.say = say
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.signals_received = 0

    def start(self, name: str, command: list[str], *, env: dict[str, str] | None = None) -> None:
        # A process group of its own: the terminal's Ctrl-C reaches only us and we pass it on
        # exactly once (a second SIGINT makes Celery abandon the tasks it is running).
        self.children[name] = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, process_group=0, preexec_fn=_die_with_parent, env=env
        )

    def forward(self, signum: int, frame: object = None) -> None:
        self.signals_received += 1
        if self.signals_received == 1:
            self.say("Stopping… (press Ctrl-C twice more to kill at once)")
        # The third signal means the user will not wait for a graceful stop.
        self.send_all(signal.SIGKILL if self.signals_received >= 3 else signum)

    def send_all(self, signum: int) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signum)

    def ended_child(self) -> str | None:
        return next((name for name, child in self.children.items() if child.poll() is not None), None)

    def wait_all(self) -> None:
        for child in self.children.values():
            child.wait()

    def run(self) -> str | None:
        """Block until everything stopped; the name of the child that ended unasked, if any."""
        if self.signals_received:
            self.send_all(signal.SIGTERM)  # a signal came while the children were starting
        while not self.signals_received:
            ended = self.ended_child()
            if ended is not None:
                self.send_all(signal.SIGTERM)
                self.wait_all()
                return ended
            time.sleep(POLL_SECONDS)
        self.wait_all()
        return None


class Command(BaseCommand):
    help = f"Serve ID Check on {HOST} with gunicorn, plus a Celery worker when REDIS_URL is set."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"]
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}")
        self._banner(port)
        supervisor = Supervisor(self.stdout.write)
        # Handlers first, so that no signal can arrive between a start and its handler.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, supervisor.forward)
        supervisor.start("gunicorn", gunicorn_command(port), env=gunicorn_env())
        if settings.REDIS_URL:
            supervisor.start("celery", celery_command())
        else:
            supervisor.start("webhooks", webhooks_command())
        ended = supervisor.run()
        if ended is not None:
            code = supervisor.children[ended].returncode
            raise CommandError(f"{ended} exited unexpectedly (code {code}); stopped the others.")

    def _banner(self, port: int) -> None:
        base = f"http://{HOST}:{port}"
        lines = [f"  dashboard  {base}/dashboard/", f"  API        {base}/v3/"]
        if settings.IDCHECK_PUBLIC_API_DOCS:
            lines.append(f"  API docs   {base}/v3/docs/")
        tasks = "Celery worker (queues default, pipeline, webhooks)" if settings.REDIS_URL else "run in-process"
        lines.append(f"  tasks      {tasks}")
        self.stdout.write(self.style.SUCCESS("ID Check is starting:"))
        self.stdout.write("\n".join(lines))
        self.stdout.write("Press Ctrl-C to stop.")
        self.stdout.flush()  # before the children write to the same terminal or log
