"""How long delivery rows are kept: delivered ones 30 days for the log, dead letters 90 days
for replay. The events themselves stay in the outbox."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from webhooks.models import DeliveryStatus, WebhookDelivery

# Delivered rows (and their attempts) are kept this long for the log; dead letters longer, for replay.
KEEP_DELIVERED = dt.timedelta(days=30)
KEEP_DEAD = dt.timedelta(days=90)


def webhook_deliveries_prune(*, now: dt.datetime | None = None) -> int:
    """Delete deliveries delivered over 30 days ago and dead letters over 90 days old, with their
    attempts; the events themselves stay in the outbox. Returns how many deliveries went."""
    now = now or timezone.now()
    old = Q(status=DeliveryStatus.DELIVERED, delivered_at__lt=now - KEEP_DELIVERED) | Q(
        status=DeliveryStatus.DEAD, dead_at__lt=now - KEEP_DEAD
    )
    deleted, by_model = WebhookDelivery.objects.filter(old).delete()
    return by_model.get(WebhookDelivery._meta.label, 0)
