"""Celery interfaces of the webhooks app (queue ``webhooks``); they call one service each."""

from __future__ import annotations

from celery import shared_task

from idcheck.celery import Queue
from webhooks.services import webhook_deliveries_prune, webhook_deliveries_sweep, webhook_delivery_send


@shared_task(queue=Queue.WEBHOOKS.value, ignore_result=True)
def webhook_delivery_send_task(delivery_id: int) -> None:
    """One attempt; retries are rows in PostgreSQL (``next_attempt_at``), never countdowns."""
    webhook_delivery_send(delivery_id=delivery_id)


@shared_task(queue=Queue.WEBHOOKS.value, ignore_result=True)
def webhook_deliveries_sweep_task() -> None:
    webhook_deliveries_sweep()


@shared_task(queue=Queue.DEFAULT.value, ignore_result=True)
def webhook_daily_summaries_send_task() -> None:
    """Yesterday's per-trigger counts to each project's webhook recipients, once per day."""
    from webhooks.notifications import webhook_daily_summaries_send

    webhook_daily_summaries_send()


@shared_task(queue=Queue.DEFAULT.value, ignore_result=True)
def webhook_deliveries_prune_task() -> None:
    webhook_deliveries_prune()
