"""Celery tasks of AML ongoing monitoring (``submissions.services.aml_monitoring``): thin
interfaces that take ids and call one service. The rescreen has a fixed name because
``import_watchlist`` (policy app, which never imports submissions) queues it by that name."""

from __future__ import annotations

from celery import shared_task

from idcheck.celery import Queue
from policy.aml.monitoring import RESCREEN_TASK


@shared_task(queue=Queue.PIPELINE.value, acks_late=True, ignore_result=True)
def aml_monitor_register_task(submission_id: str) -> None:
    from submissions.services.aml_monitoring import aml_monitor_register_approved

    aml_monitor_register_approved(submission_id)


@shared_task(name=RESCREEN_TASK, queue=Queue.PIPELINE.value, acks_late=True, ignore_result=True)
def aml_monitor_rescreen_task() -> None:
    """Every import queues one; a repeat finds the records already screened and does nothing."""
    from submissions.services.aml_monitoring import aml_monitor_rescreen_all

    aml_monitor_rescreen_all()
