"""The fault drills' stack (issue 11, RELIABILITY G3, G4, G14, G15): private PostgreSQL, Redis and
media disk, gunicorn, a prefork ``pipeline`` worker, a ``default,webhooks`` worker, beat, and a
signature-checking webhook receiver per drill, all on 127.0.0.1. Started once for the drills;
each drill gets a project of its own with its own receiver (``world``), so that a drill that
failed, its deliveries still being retried, does not disturb the next one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from idcheck.lib.subprocesses import free_port
from tests.faults.drive import Api, Database
from tests.faults.stack import (
    BASE_DIR,
    PG_BIN,
    Postgres,
    Process,
    Redis,
    SmallDisk,
    celery_beat,
    celery_worker,
    gunicorn,
    wait_until,
)
from tests.submissions.api.helpers import passport_case
from webhooks.receiver import SigningReceiver


@dataclass
class Stack:
    folder: Path
    postgres: Postgres
    redis: Redis
    disk: SmallDisk
    env: dict[str, str]
    port: int
    web: Process
    pipeline: Process
    webhooks: Process
    beat: Process
    db: Database
    receivers: list[SigningReceiver] = field(default_factory=list)

    def new_pipeline_worker(self) -> Process:
        self.pipeline = celery_worker("pipeline", "pipeline", pool="prefork", env=self.env, folder=self.folder)
        self.pipeline.start()
        return self.pipeline

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.tail()}" for p in (self.web, self.pipeline, self.webhooks, self.beat))


def _environment(postgres: Postgres, redis: Redis, media: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PYTEST", "DJANGO_"))}
    return env | {
        "DJANGO_SETTINGS_MODULE": "idcheck.settings",
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis.url,
        "MEDIA_ROOT": str(media),
        "IDCHECK_OUTBOUND_ALLOW_LOCAL": "true",
        # the shortest the settings allow: a task whose whole worker died comes back after a minute
        "CELERY_VISIBILITY_TIMEOUT": "60",
        # a claim's lease is the time limit + 60 s: a run whose every worker died is failed sooner
        "CELERY_TASK_TIME_LIMIT": "45",
        "CELERY_TASK_SOFT_TIME_LIMIT": "40",
        # runs whose queue message Redis lost are queued again at the sweeper's next minute
        "IDCHECK_QUEUED_STALE_SECONDS": "15",
        "LOG_LEVEL": "WARNING",
    }


def _manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]


LOGS = BASE_DIR / "var" / "drills"  # the last run's process logs and PostgreSQL's, to read after a failure


def _keep_logs(folder: Path) -> None:
    shutil.rmtree(LOGS, ignore_errors=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    for log in [*folder.glob("*.log"), folder / "pg" / "server.log", folder / "redis" / "redis.log"]:
        if log.exists():
            shutil.copy(log, LOGS / f"{log.parent.name}-{log.name}" if log.parent != folder else LOGS / log.name)


def _healthy(port: int) -> bool:
    try:
        return Api(port, "").page("/healthz").status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    if not (PG_BIN / "initdb").exists() or shutil.which("redis-server") is None:
        pytest.skip("the drills need PostgreSQL 15's initdb and redis-server (make test-system-packages)")
    if os.geteuid() != 0:
        pytest.skip("the drills mount a small tmpfs for the media folder and run initdb as postgres: run as root")
    # Not under pytest's tmp folder: that one is private to root, and PostgreSQL runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="idcheck-drills-"))
    os.chmod(folder, 0o755)
    postgres, redis, disk = Postgres(folder / "pg"), Redis(folder / "redis"), SmallDisk(folder / "media")
    stack: Stack | None = None
    try:
        postgres.init()
        redis.start()
        disk.mount()
        env = _environment(postgres, redis, disk.folder)
        _manage(env, "migrate", "-v0")
        port = free_port()
        web = gunicorn(port, env, folder)
        pipeline = celery_worker("pipeline", "pipeline", pool="prefork", env=env, folder=folder)
        webhooks = celery_worker("webhooks", "default,webhooks", pool="solo", env=env, folder=folder)
        beat = celery_beat(env, folder)
        stack = Stack(folder, postgres, redis, disk, env, port, web, pipeline, webhooks, beat,
                      Database(postgres.url.replace("postgres://", "postgresql://")))  # fmt: skip
        for process in (web, pipeline, webhooks, beat):
            process.start()
        wait_until(lambda: _healthy(port), timeout=90, what="gunicorn's /healthz", every=0.3)
        yield stack
    finally:
        if stack is not None:  # the pipeline worker a drill started again, not the first one
            for process in (stack.web, stack.pipeline, stack.webhooks, stack.beat):
                process.stop()
        for receiver in stack.receivers if stack is not None else ():
            receiver.stop()
        redis.stop()
        postgres.stop("fast")
        disk.unmount()
        _keep_logs(folder)
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class World:
    pid: str
    id: int
    api: Api
    front: bytes
    selfie: bytes
    receiver: SigningReceiver


@pytest.fixture
def world(stack: Stack) -> World:
    """A project of its own with ``credits`` enough for the drill, its API key, and a webhook
    endpoint at a receiver of its own, which checks this project's signatures."""
    receiver = SigningReceiver()
    receiver.start()
    stack.receivers.append(receiver)
    done = subprocess.run(
        [sys.executable, "-m", "tests.faults.seed", "--credits", "100", "--webhook", receiver.url],
        cwd=BASE_DIR, env=stack.env, capture_output=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    seeded = json.loads(done.stdout)
    receiver.secret = seeded["secret"]
    case = passport_case()
    return World(seeded["pid"], seeded["id"], Api(stack.port, seeded["key"]), case.front, case.selfie, receiver)
