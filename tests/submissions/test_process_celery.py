"""End to end with a REAL Celery worker on Redis (not eager): POST → pipeline queue → decision.

The worker runs in this process (``celery.contrib.testing.worker.start_worker``, solo pool,
``pipeline`` queue only) against the broker named by REDIS_URL, and shares the test database
and MEDIA_ROOT with the test, so what it writes can be checked here.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections

from idcheck.celery import Queue, app
from projects.models import AuditEvent
from submissions.models import CheckResult, RunState, Submission
from submissions.tasks import submission_process_task
from tests.submissions.api.helpers import b64, passport_case, stored_files
from webhooks.models import WebhookOutbox

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
JPEG_MAGIC = b"\xff\xd8\xff"


class Finished:
    """Ids of the tasks the worker finished, to wait for one without sleeping blindly."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.changed = threading.Condition()

    def __call__(self, task_id: str, **_: object) -> None:
        connections.close_all()  # the worker thread's connections must not outlive the test DB
        with self.changed:
            self.ids.add(task_id)
            self.changed.notify_all()

    def wait(self, task_id: str, timeout: float = 120) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: task_id in self.ids, timeout), f"task {task_id} did not finish"


@pytest.fixture
def pipeline_worker() -> Iterator[Finished]:
    if not settings.REDIS_URL or settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("needs REDIS_URL: the worker consumes from the real Redis broker")
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(Queue.PIPELINE.value)  # leftovers of earlier runs
    finished = Finished()
    task_postrun.connect(finished, weak=False)
    try:
        with start_worker(
            app, pool="solo", concurrency=1, queues=[Queue.PIPELINE.value], perform_ping_check=False, loglevel="WARNING"
        ):
            yield finished
    finally:
        task_postrun.disconnect(finished)


def _wait_decided(submission_id: str, timeout: float = 120) -> Submission:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submission = Submission.objects.get(pk=submission_id)
        if submission.run_state in (RunState.DECIDED, RunState.FAILED):
            return submission
        time.sleep(0.1)
    raise AssertionError(f"{submission_id} was not decided within {timeout} s")


def test_a_passport_and_selfie_are_approved_by_a_real_worker(api_client, project, pipeline_worker):
    # given
    case = passport_case()
    body = {"idImage": b64(case.front), "selfieImage": b64(case.selfie), "email": "canary@example.com"}

    # when
    response = api_client.post("/v3/submission", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    submission = _wait_decided(response.json()["submissionId"])

    # then: approved at 90, liveness not performed (an uploaded selfie earns none of its 10 points)
    assert (submission.status, submission.argos_score, submission.attempts) == ("approved", 90, 1)
    liveness = CheckResult.objects.get(submission=submission, step="liveness")
    assert liveness.summary["decision"] == "not_performed"
    item = api_client.get("/v3/submission", {"submission_id": submission.id}).json()["Items"][0]
    assert item["kyc"]["result"] == "approved"
    assert item["data"]["last_name"] == "HORVATH"
    assert item["idcheck"]["decision"]["trace"][-1]["kind"] == "decision"
    # and nothing at rest is readable: no JPEG in the files, no e-mail or name in the rows
    files = stored_files(settings.MEDIA_ROOT)
    assert len(files) == 2
    assert not any(path.read_bytes().startswith(JPEG_MAGIC) for path in files)  # sealed: no image header
    sealed = bytes(submission.sealed_metadata) + bytes(submission.sealed_evidence)
    assert b"canary" not in sealed
    assert b"HORVATH" not in sealed

    # when: the task is delivered once more
    before = (submission.updated_at, list(CheckResult.objects.order_by("step").values_list("step", "created_at")))
    counts = (WebhookOutbox.objects.count(), AuditEvent.objects.filter(project=project).count())
    duplicate = submission_process_task.delay(submission.id)
    pipeline_worker.wait(duplicate.id)

    # then: nothing changed
    submission.refresh_from_db()
    after = (submission.updated_at, list(CheckResult.objects.order_by("step").values_list("step", "created_at")))
    assert after == before
    assert (WebhookOutbox.objects.count(), AuditEvent.objects.filter(project=project).count()) == counts
    assert submission.attempts == 1
    assert list(WebhookOutbox.objects.order_by("pk").values_list("event", flat=True)) == ["created", "approved"]
