"""Celery tasks of the submissions app: thin interfaces that take ids and call one service.

``acks_late`` with ``task_reject_on_worker_lost`` (settings): a message is acknowledged only
after the run returned, and requeued when the worker died; the services make every repeat
harmless (a conditional claim, upserted check results, a fenced decision).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from idcheck.celery import Queue

logger = logging.getLogger("idcheck.aml")


# A run cut short by a database outage (a restart, a failover) is tried again this often, as long
# as a restart may take, instead of waiting for its claim's lease (minutes) and the sweeper.
DATABASE_RETRY_S = 5
DATABASE_RETRIES = 24


@shared_task(bind=True, queue=Queue.PIPELINE.value, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def submission_process_task(self: Any, submission_id: str, takeover: bool = False) -> None:
    from django.db import InterfaceError, OperationalError

    from submissions.services import submission_process

    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    try:
        submission_process(submission_id=submission_id, takeover=takeover or redelivered)
    except (OperationalError, InterfaceError) as exc:
        # The database went away mid-run. This run is over, so its retry may take its own claim
        # over; the attempt fence keeps a duplicate from recording twice (G14).
        logging.getLogger("idcheck.pipeline").warning(
            "run of %s lost the database (%s); retrying", submission_id, type(exc).__name__
        )
        raise self.retry(exc=exc, countdown=DATABASE_RETRY_S, max_retries=DATABASE_RETRIES,
                         kwargs={"submission_id": submission_id, "takeover": True}) from None  # fmt: skip


@shared_task(queue=Queue.DEFAULT.value, acks_late=True, ignore_result=True)
def submissions_requeue_stuck_task() -> None:
    from submissions.services import submissions_requeue_stuck

    submissions_requeue_stuck()


@shared_task(queue=Queue.DEFAULT.value, acks_late=True, ignore_result=True)
def submissions_expire_incomplete_task() -> None:
    from submissions.services import submissions_expire_incomplete

    submissions_expire_incomplete()


@shared_task(queue=Queue.PIPELINE.value, acks_late=True, ignore_result=True)
def submission_aml_screen_task(submission_id: str) -> None:
    """The screening on approval (``submissions.services.aml``); a refusal (no name to screen,
    deleted meanwhile) is logged, and there is nothing to retry."""
    from submissions.models import Submission
    from submissions.services.aml import AmlRefused, submission_aml_screen

    submission = Submission.objects.select_related("project").filter(pk=submission_id).first()
    if submission is None:
        return
    try:
        submission_aml_screen(project=submission.project, submission_id=submission_id)
    except AmlRefused as exc:
        logger.info("AML screening of %s refused: %s", submission_id, exc.code)


@shared_task(queue=Queue.DEFAULT.value, ignore_result=True)
def liveform_tokens_expire_due_task() -> None:
    """Private mode's token cleanup (spec §6.5): expiry by time, then deletion of old expired tokens."""
    from submissions.services import liveform_tokens_expire_due

    liveform_tokens_expire_due()


@shared_task(queue=Queue.PIPELINE.value, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def submission_injection_run_task(injection_id: int) -> None:
    """The checks of a Liveform address injection (``submissions.services.injection``); a repeat
    finds it already checked and does nothing."""
    from submissions.services.injection import submission_injection_run

    submission_injection_run(injection_id=injection_id)


@shared_task(queue=Queue.DEFAULT.value, acks_late=True, ignore_result=True)
def injections_requeue_stuck_task() -> None:
    from submissions.services.injection import injections_requeue_stuck

    injections_requeue_stuck()
