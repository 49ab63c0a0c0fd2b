"""How a drill drives the stack and looks at it: HTTP to gunicorn, SQL to the drills' database,
``manage.py reconcile --json`` as the operator would run it."""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psycopg

from tests.faults.stack import BASE_DIR, HOST

OUTAGE_BODY = {"message": "Service Unavailable"}


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Api:
    port: int
    key: str

    def call(self, method: str, path: str, body: dict | None = None, *, timeout: float = 60) -> Answer:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        headers = {"x-api-key": self.key}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["content-type"] = "application/json"
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            return Answer(response.status, response.read(), {k.lower(): v for k, v in response.getheaders()},
                          time.monotonic())  # fmt: skip
        finally:
            connection.close()

    def page(self, path: str) -> Answer:
        """A browser's GET (no key), for the Liveform and the dashboard."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            connection.request("GET", path, headers={"accept": "text/html"})
            response = connection.getresponse()
            return Answer(response.status, response.read(), {k.lower(): v for k, v in response.getheaders()},
                          time.monotonic())  # fmt: skip
        finally:
            connection.close()

    def create(self, front: bytes, selfie: bytes, *, email: str) -> Answer:
        body = {"idImage": base64.b64encode(front).decode(), "selfieImage": base64.b64encode(selfie).decode(),
                "email": email}  # fmt: skip
        return self.call("POST", "/v3/submission", body)


@dataclass
class Database:
    """Autocommit SQL on the drills' database; reconnects after an outage."""

    url: str
    _connection: psycopg.Connection | None = None

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        for attempt in range(2):
            try:
                if self._connection is None or self._connection.closed:
                    self._connection = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
                return self._connection.execute(sql, params).fetchall()
            except psycopg.OperationalError:
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def scalar(self, sql: str, params: tuple = ()) -> Any:
        return self.rows(sql, params)[0][0]

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(psycopg.Error):
                self._connection.close()
        self._connection = None


@dataclass
class Counts:
    submissions: int
    debits: int
    decided: int
    failed: int
    in_flight: int
    events: int
    delivered: int
    dead: int
    images: int


def counts(db: Database, project_id: int) -> Counts:
    run = dict(db.rows("SELECT run_state, count(*) FROM submissions_submission WHERE project_id = %s GROUP BY 1",
                       (project_id,)))  # fmt: skip
    delivery = dict(db.rows("SELECT status, count(*) FROM webhooks_webhookdelivery WHERE project_id = %s GROUP BY 1",
                            (project_id,)))  # fmt: skip
    return Counts(
        submissions=sum(run.values()),
        debits=db.scalar(
            "SELECT count(*) FROM projects_creditledgerentry WHERE project_id = %s AND reason = %s",
            (project_id, "submission"),
        ),  # fmt: skip
        decided=run.get("decided", 0),
        failed=run.get("failed", 0),
        in_flight=run.get("queued", 0) + run.get("processing", 0),
        events=db.scalar("SELECT count(*) FROM webhooks_webhookoutbox WHERE project_id = %s", (project_id,)),
        delivered=delivery.get("delivered", 0),
        dead=delivery.get("dead", 0),
        images=db.scalar(
            "SELECT count(*) FROM submissions_submissionimage i JOIN submissions_submission s "
            "ON s.id = i.submission_id WHERE s.project_id = %s",
            (project_id,),
        ),  # fmt: skip
    )


def reconcile(env: dict[str, str]) -> tuple[int, dict]:
    """``manage.py reconcile --json``: its exit status and report."""
    done = subprocess.run([sys.executable, "manage.py", "reconcile", "--json"], cwd=BASE_DIR, env=env,
                          capture_output=True, timeout=300)  # fmt: skip
    try:
        return done.returncode, json.loads(done.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"reconcile printed no JSON ({done.returncode}): {done.stderr[-2000:]!r}") from None


def offenders(report: dict) -> dict[str, dict[str, int]]:
    return {c["name"]: {f["what"]: f["count"] for f in c["findings"]} for c in report["checks"] if c["findings"]}


@dataclass
class Load:
    """A bounded load in a thread: ``creates`` submissions with real images, each followed by a
    read of the project's first page, ``pause`` apart. Every answer is kept."""

    api: Api
    front: bytes
    selfie: bytes
    creates: int
    pause: float = 0.2
    answers: list[tuple[str, Answer]] = field(default_factory=list)
    _thread: threading.Thread | None = None

    def start(self) -> Load:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        for number in range(self.creates):
            self.answers.append(
                ("create", self.api.create(self.front, self.selfie, email=f"drill{number}@example.com"))
            )
            self.answers.append(("read", self.api.call("GET", "/v3/submission?count=10")))
            time.sleep(self.pause)

    def join(self, timeout: float = 300) -> list[tuple[str, Answer]]:
        assert self._thread is not None
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the load did not finish"
        return self.answers

    def created(self) -> list[str]:
        return [answer.json()["submissionId"] for kind, answer in self.answers
                if kind == "create" and answer.status == 200]  # fmt: skip
