"""Webhook delivery speed with a real Celery worker (``manage.py bench_webhooks``, issue 7).

What is measured, against a signature-checking receiver on 127.0.0.1 and one ``webhooks``
worker process (solo pool, so "per worker" means one delivery at a time):

* **first-attempt latency**: an event is committed while the worker is idle; the time from the
  commit to the receiver holding the verified request. It covers the broker hop, the claim,
  rendering and sealing the body, signing, the POST and recording the attempt's start.
* **throughput**: many events committed at once, the time until the last one is received.
  ``independent`` puts each event on its own resource (nothing waits for anything); ``ordered``
  puts ten events on each resource, so event n+1 is only sent after n was delivered (G5).

The throw-away project, its endpoint, events and deliveries are deleted at the end. Nothing
here imports ``submissions``: the events are of a kind no payload filler knows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from idcheck.lib.subprocesses import current_database_url, stop_process
from projects.models import Project
from webhooks.receiver import RECEIVE_TIMEOUT_S, SigningReceiver
from webhooks.services import webhook_endpoint_set, webhook_event_emit, webhook_secrets_live

BENCH_EVENT = "bench"


class WorkerProcess:
    """``celery -A idcheck worker -Q webhooks -P solo``: the process Celery runs in production,
    with the loopback receiver allowed (the development exemption, refused in production)."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "IDCHECK_OUTBOUND_ALLOW_LOCAL": "true", "DATABASE_URL": current_database_url()}
        command = [sys.executable, "-m", "celery", "-A", "idcheck", "worker", "-Q", "webhooks", "-P", "solo",
                   "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING",
                   "-n", f"bench-webhooks-{uuid.uuid4().hex[:6]}@%h"]  # fmt: skip
        self.process = subprocess.Popen(command, env=env, cwd=Path(settings.BASE_DIR), stdout=subprocess.DEVNULL)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, timeout=20)


@dataclass(frozen=True)
class Throughput:
    name: str
    events: int
    resources: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds


class DeliveryBench:
    """One run: ``setup``, ``warm_up``, then the measurements, and always ``teardown``."""

    def __init__(self, progress: Callable[[str], None]) -> None:
        self.progress = progress
        self.receiver = SigningReceiver()
        self.worker = WorkerProcess()
        self.project: Project | None = None

    def setup(self) -> None:
        self.receiver.start()
        self.project = Project.objects.create(name="bench webhooks")
        endpoint = webhook_endpoint_set(project=self.project, url=self.receiver.url)
        self.receiver.secret = webhook_secrets_live(endpoint)[0]
        self.worker.start()

    def warm_up(self) -> None:
        """The worker's start (imports, broker connection) is not part of any figure."""
        [webhook_id] = self._emit([f"warm-{uuid.uuid4().hex}"])
        if not self.receiver.wait_for(len(self.receiver.arrivals) + 1, timeout=90):
            raise RuntimeError("the webhooks worker delivered nothing within 90 s: is Redis up?")
        self.progress(f"worker ready (first delivery {webhook_id})")

    def first_attempt_latencies(self, count: int, *, pause_s: float = 0.05) -> list[float]:
        latencies = []
        for number in range(1, count + 1):
            [webhook_id], committed = self._emit_timed([f"latency-{number}-{uuid.uuid4().hex}"])
            if not self.receiver.wait_for(len(self.receiver.arrivals) + 1):
                raise RuntimeError(f"event {number} was not delivered within {RECEIVE_TIMEOUT_S:.0f} s")
            latencies.append((self.receiver.arrivals[webhook_id] - committed) * 1000)
            if number % 50 == 0 or number == count:
                self.progress(f"latency  {number:5d}/{count}")
            time.sleep(pause_s)
        return latencies

    def throughput(self, name: str, *, events: int, per_resource: int) -> Throughput:
        prefix = uuid.uuid4().hex
        resources = [f"{name}-{prefix}-{index // per_resource}" for index in range(events)]
        already = len(self.receiver.arrivals)
        ids, committed = self._emit_timed(resources)
        done = 0
        while done < events:
            if not self.receiver.wait_for(already + min(events, done + max(1, events // 10))):
                raise RuntimeError(f"{name}: {len(self.receiver.arrivals) - already} of {events} delivered in time")
            done = len(self.receiver.arrivals) - already
            self.progress(f"{name:11} {done:5d}/{events}")
        last = max(self.receiver.arrivals[webhook_id] for webhook_id in ids)
        return Throughput(name, events, len(set(resources)), last - committed)

    def teardown(self) -> None:
        self.worker.stop()
        self.receiver.stop()
        if self.project is not None:
            self.project.delete()  # endpoint, events, deliveries and attempts go with it

    def _emit(self, resources: list[str]) -> list[str]:
        return self._emit_timed(resources)[0]

    def _emit_timed(self, resources: list[str]) -> tuple[list[str], float]:
        """The webhook ids and the commit's time, taken by the first on-commit callback, so
        before the ones that queue the sends."""
        stamp: list[float] = []
        with transaction.atomic():
            transaction.on_commit(lambda: stamp.append(time.time()))
            outboxes = [
                webhook_event_emit(
                    project=self.project,
                    event=BENCH_EVENT,
                    resource_id=resource,
                    payload={"webhook_trigger": BENCH_EVENT},
                )  # fmt: skip
                for resource in resources
            ]
        committed = stamp[0]
        ids = [delivery.webhook_id for outbox in outboxes for delivery in outbox.deliveries.all()]
        return ids, committed
