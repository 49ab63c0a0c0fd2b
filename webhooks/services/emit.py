"""Emitting events (G3, G5): the outbox row and its delivery, written in the transaction of the
change they report, numbered per resource, and the wake-up call that queues a delivery's send
task once that transaction has committed."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from projects.models import Project
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookOutbox

logger = logging.getLogger(__name__)


def webhook_event_emit(*, project: Project, event: str, resource_id: str, payload: dict[str, Any]) -> WebhookOutbox:
    """Record one event inside the caller's transaction (its change and the event commit or
    roll back together), numbered per resource, with a delivery to the project's endpoint.
    ``payload`` must hold no PII (see ``webhooks.models``)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("webhook_event_emit must run inside the transaction of the change it reports")
    outbox = WebhookOutbox.objects.create(
        project=project,
        event=event,
        resource_id=resource_id,
        sequence=next_sequence(project, resource_id),
        payload=payload,
    )
    endpoint = WebhookEndpoint.objects.filter(project=project).first()
    if endpoint is not None:
        delivery = WebhookDelivery.objects.create(
            event=outbox, endpoint=endpoint, project=project, resource_id=resource_id, sequence=outbox.sequence
        )
        if endpoint.is_active:
            wake_after_commit(delivery.pk)
    return outbox


def next_sequence(project: Project, resource_id: str) -> int:
    """1, 2, 3… per resource; the upsert keeps the counter row locked until commit."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO webhooks_webhooksequence (project_id, resource_id, last) VALUES (%s, %s, 1) "
            "ON CONFLICT (project_id, resource_id) DO UPDATE SET last = webhooks_webhooksequence.last + 1 "
            "RETURNING last",
            [project.pk, resource_id],
        )
        return int(cursor.fetchone()[0])


def wake_after_commit(delivery_id: int) -> None:
    """Queue the first attempt after commit. Embedded mode runs tasks inline, which would hold
    the request that changed the submission for up to 15 s: there ``send_webhooks --loop``
    (started by ``manage.py serve``) sends it within 5 s instead."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    transaction.on_commit(lambda: wake(delivery_id))


def wake(delivery_id: int) -> None:
    from webhooks.tasks import webhook_delivery_send_task

    try:
        webhook_delivery_send_task.delay(delivery_id)
    except Exception:  # the broker is down: the sweeper sends it once it is back (A7)
        logger.warning("could not queue webhook delivery %s; the sweeper will send it", delivery_id, exc_info=True)
