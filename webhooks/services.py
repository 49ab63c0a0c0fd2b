"""Writes of the webhooks app."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from projects.models import Project
from webhooks.models import WebhookOutbox


def webhook_event_emit(*, project: Project, event: str, resource_id: str, payload: dict[str, Any]) -> WebhookOutbox:
    """Record one event in the outbox, inside the caller's transaction (its change and the
    event commit or roll back together). ``payload`` is rendered once, here, and must hold
    no PII (see ``webhooks.models``). Delivery is not implemented yet."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("webhook_event_emit must run inside the transaction of the change it reports")
    return WebhookOutbox.objects.create(project=project, event=event, resource_id=resource_id, payload=payload)
