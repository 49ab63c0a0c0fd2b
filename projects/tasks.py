"""Celery interfaces of the projects app; they call one service each."""

from __future__ import annotations

from celery import shared_task

from idcheck.celery import Queue
from projects.services import liveform_tokens_expire_due


@shared_task(queue=Queue.DEFAULT.value, ignore_result=True)
def liveform_tokens_expire_due_task() -> None:
    """Private mode's token cleanup (spec §6.5): expiry by time, then deletion of old expired tokens."""
    liveform_tokens_expire_due()
