"""The processes of a soak, each started as ``make run`` / ``make worker`` / ``make
worker-pipeline`` start them, on this process's database (under pytest, the test database), Redis
and media folder: gunicorn, a pipeline worker, a default+webhooks worker with the periodic
sweeps, the webhook receiver, and Locust. Their logs go to files in the soak's folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import psutil
from django.conf import settings

from idcheck.celery import Queue
from idcheck.lib.subprocesses import Gunicorn, current_database_url
from webhooks.receiver import SECRET_VARIABLE

STOP_TIMEOUT_S = 30.0
# The per-project limiter still runs in gunicorn, but never refuses the soak's load.
UNLIMITED = {"IDCHECK_RATE_LIMIT_PER_SECOND": "1000000000", "IDCHECK_RATE_LIMIT_PER_DAY": "1000000000"}


def child_env(**extra: str) -> dict[str, str]:
    """This process's environment, pointed at its own database and media folder; the loopback
    receiver is allowed (the development exemption, which production refuses)."""
    return os.environ | {
        "DATABASE_URL": current_database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "REDIS_URL": settings.REDIS_URL,
        "IDCHECK_OUTBOUND_ALLOW_LOCAL": "true",
        **extra,
    }


@dataclass
class Child:
    role: str
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid


class Stack:
    """Everything but the load: ``start``, then ``roots`` for the sampler, and always ``stop``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.children: list[Child] = []
        self.gunicorn: Gunicorn | None = None

    def start_receiver(self, *, port: int, secret: str) -> None:
        command = [sys.executable, "-m", "webhooks.receiver", "--port", str(port)]
        self._spawn("receiver", command, env=child_env(**{SECRET_VARIABLE: secret}))

    def start_workers(self) -> None:
        celery = [sys.executable, "-m", "celery", "-A", "idcheck", "worker", "-l", "WARNING",
                  "--without-gossip", "--without-mingle"]  # fmt: skip
        name = uuid.uuid4().hex[:6]
        # make worker-pipeline: one process at a time runs the engines (prefork, one child).
        self._spawn("pipeline worker", [*celery, "-Q", Queue.PIPELINE.value, "--concurrency", "1",
                                        "-n", f"soak-pipeline-{name}@%h"])  # fmt: skip
        # make worker + make beat: the webhook sends and the sweeps that re-send what is due.
        queues = f"{Queue.DEFAULT.value},{Queue.WEBHOOKS.value}"
        self._spawn("webhooks worker", [*celery, "-Q", queues, "--concurrency", "2", "-n", f"soak-webhooks-{name}@%h",
                                        "--beat", "--schedule", str(self.folder / "celerybeat-schedule")])  # fmt: skip

    def start_gunicorn(self) -> str:
        """gunicorn as make run serves it; its base URL once it answers."""
        self.gunicorn = Gunicorn(env={**UNLIMITED, "MEDIA_ROOT": str(settings.MEDIA_ROOT)}).__enter__()
        self.children.append(Child("gunicorn", self.gunicorn.process))
        return f"http://127.0.0.1:{self.gunicorn.port}"

    def roots(self) -> list[tuple[str, int]]:
        return [(child.role, child.pid) for child in self.children]

    def ended(self) -> list[str]:
        """The roles whose process is gone: a soak with one of them dead proves nothing."""
        return [child.role for child in self.children if child.process.poll() is not None]

    def stop(self) -> None:
        """Stop every process and wait until their children are gone too: a gunicorn worker or a
        pool child outliving its parent by a moment would still hold a database connection."""
        descendants = self._descendants()
        for child in self.children:
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        for child in self.children:
            try:
                child.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)  # its own group: the pool children go with it
                child.process.wait()
        if self.gunicorn is not None:
            self.gunicorn.__exit__()
        _, alive = psutil.wait_procs(descendants, timeout=STOP_TIMEOUT_S)
        for process in alive:
            process.kill()
        psutil.wait_procs(alive, timeout=STOP_TIMEOUT_S)

    def _descendants(self) -> list[psutil.Process]:
        found: list[psutil.Process] = []
        for child in self.children:
            try:
                found += psutil.Process(child.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                continue
        return found

    def _spawn(self, role: str, command: list[str], *, env: dict[str, str] | None = None) -> None:
        log = (self.folder / f"{role.replace(' ', '-')}.log").open("ab")
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env or child_env(), stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, process_group=0,
        )  # fmt: skip
        log.close()  # the child holds its own descriptor
        self.children.append(Child(role, process))


def locust_command(*, url: str, seconds: int, users: int, csv_prefix: Path) -> list[str]:
    return [
        sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")), "--headless",
        "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s", "--host", url,
        "--csv", str(csv_prefix), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING",
        "--exit-code-on-error", "0",
    ]  # fmt: skip


def locust_start(*, url: str, seconds: int, users: int, pace: float, key: str, images: Path, folder: Path) -> Child:
    env = os.environ | {
        "IDCHECK_SOAK_KEY": key,
        "IDCHECK_SOAK_IMAGES": str(images),
        "IDCHECK_SOAK_LOG": str(folder / "requests.tsv"),
        "IDCHECK_SOAK_PACE": str(pace),
    }
    command = locust_command(url=url, seconds=seconds, users=users, csv_prefix=folder / "locust")
    log = (folder / "locust.log").open("ab")
    process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=log,
                               stderr=subprocess.STDOUT, process_group=0)  # fmt: skip
    log.close()
    return Child("locust", process)
