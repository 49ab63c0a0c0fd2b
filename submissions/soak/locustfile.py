"""The soak's load (``manage.py soak`` runs it with ``locust --headless``; issue 11, G13).

70 % reads, 30 % creations: each simulated integrator, at a constant pace, reads one of the
submissions it created (GET by id: 5 in 10), reads the newest page of 20 (2 in 10), or creates a
submission from a generated passport photo and a selfie (multipart, 3 in 10), as integrators do.
Every request is appended to the log named by IDCHECK_SOAK_LOG (start, kind, status, ms), from
which the soak computes its percentiles and histogram: Locust's CSV rounds them.

Configuration, by environment (Locust's own options stay on its command line):
IDCHECK_SOAK_KEY (the project's API key), IDCHECK_SOAK_IMAGES (a folder of ``passport_*.jpg``
and ``selfie.jpg``), IDCHECK_SOAK_LOG, IDCHECK_SOAK_PACE (requests per second per user).
"""

from __future__ import annotations

import itertools
import os
import random
from pathlib import Path
from typing import Any

from locust import constant_throughput, events, task
from locust.contrib.fasthttp import FastHttpUser

from submissions.soak import CREATE, READ_ONE, READ_PAGE, multipart_body

KEEP_IDS = 200  # the ids a user reads from: its most recent creations

_log = open(os.environ["IDCHECK_SOAK_LOG"], "a", buffering=1)  # noqa: SIM115 (open for the whole run)


def _bodies() -> list[tuple[bytes, str]]:
    folder = Path(os.environ["IDCHECK_SOAK_IMAGES"])
    selfie = (folder / "selfie.jpg").read_bytes()
    return [multipart_body(path.read_bytes(), selfie) for path in sorted(folder.glob("passport_*.jpg"))]


BODIES = _bodies()
_next_body = itertools.cycle(range(len(BODIES)))


@events.request.add_listener
def _record(name: str, response_time: float, response: Any = None, start_time: float | None = None, **_: Any) -> None:
    status = getattr(response, "status_code", 0) or 0  # 0: no HTTP answer (connection refused, reset)
    _log.write(f"{start_time or 0:.3f}\t{name}\t{status}\t{response_time:.2f}\n")


@events.quitting.add_listener
def _close(**_: Any) -> None:
    _log.close()


class Integrator(FastHttpUser):
    wait_time = constant_throughput(float(os.environ.get("IDCHECK_SOAK_PACE", "1")))

    def on_start(self) -> None:
        self.headers = {"x-api-key": os.environ["IDCHECK_SOAK_KEY"]}
        self.created: list[str] = []

    @task(5)
    def read_one(self) -> None:
        if not self.created:
            self.read_page()
            return
        submission_id = random.choice(self.created)
        self.client.get(f"/v3/submission?submission_id={submission_id}", headers=self.headers, name=READ_ONE)

    @task(2)
    def read_page(self) -> None:
        self.client.get("/v3/submission?count=20", headers=self.headers, name=READ_PAGE)

    @task(3)
    def create(self) -> None:
        body, content_type = BODIES[next(_next_body)]
        headers = {**self.headers, "Content-Type": content_type}
        response = self.client.post("/v3/submission", data=body, headers=headers, name=CREATE)
        if response.status_code == 200:
            self.created = [*self.created[-KEEP_IDS + 1 :], response.json()["submissionId"]]
