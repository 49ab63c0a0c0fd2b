"""Which deliveries may be attempted now (A7, G5): the due query, the beat's sweep that queues
them again when their wake-up call was lost, and the claim a worker makes before an attempt.
All three share one rule: pending and due (or in flight with an expired lease), the endpoint
active, and no earlier event of the same resource still waiting."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from webhooks import schedule
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.services.emit import wake

# How long a claimed delivery belongs to its worker: the 15 s timeout, rendering and margin.
LEASE = dt.timedelta(seconds=60)
# A sweep's wake-up call holds a due row this long, so the next sweep does not queue it again.
WAKE_HOLD = dt.timedelta(seconds=30)
SWEEP_BATCH = 500
WORKER_LOST = "No worker finished the last attempt."


def earlier_waiting() -> Exists:
    """An earlier event of the same resource to the same endpoint is not delivered or dead yet."""
    return Exists(
        WebhookDelivery.objects.filter(
            endpoint=OuterRef("endpoint"),
            resource_id=OuterRef("resource_id"),
            sequence__lt=OuterRef("sequence"),
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT],
        )
    )


def _due(now: dt.datetime) -> Q:
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.IN_FLIGHT, locked_until__lt=now
    )


def webhook_deliveries_due(*, now: dt.datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    """Ids of deliveries that may be attempted now: due, endpoint active, first in line."""
    now = now or timezone.now()
    rows = (
        WebhookDelivery.objects.filter(_due(now), endpoint__is_active=True)
        .exclude(earlier_waiting())
        .order_by("next_attempt_at", "pk")
    )
    return list(rows.values_list("pk", flat=True)[:limit])


def webhook_deliveries_sweep(*, now: dt.datetime | None = None) -> int:
    """Queue a send for every due delivery not queued in the last 30 s; returns how many."""
    now = now or timezone.now()
    # A delivery whose worker died on its last attempt (or on every one) is not tried forever.
    WebhookDelivery.objects.filter(
        status=DeliveryStatus.IN_FLIGHT, locked_until__lt=now, attempts__gte=schedule.MAX_ATTEMPTS
    ).update(status=DeliveryStatus.DEAD, dead_at=now, locked_until=None, last_error=WORKER_LOST)
    due = webhook_deliveries_due(now=now)
    fresh = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    woken = list(
        WebhookDelivery.objects.filter(fresh, pk__in=due, status=DeliveryStatus.PENDING).values_list("pk", flat=True)
    )
    WebhookDelivery.objects.filter(pk__in=woken).update(locked_until=now + WAKE_HOLD)
    # In flight with an expired lease: its worker is gone (rare; a duplicate wake is harmless).
    lost = list(
        WebhookDelivery.objects.filter(pk__in=due, status=DeliveryStatus.IN_FLIGHT).values_list("pk", flat=True)
    )
    for delivery_id in woken + lost:
        wake(delivery_id)
    return len(woken) + len(lost)


def webhook_delivery_claim(delivery_id: int, now: dt.datetime) -> bool:
    """One conditional UPDATE on the delivery row itself (no join, so no ``id IN (…)`` form):
    a second worker blocked on the row re-checks the status against the new version and gets 0."""
    active = Exists(WebhookEndpoint.objects.filter(pk=OuterRef("endpoint_id"), is_active=True))
    claimed = (
        WebhookDelivery.objects.filter(_due(now), active, pk=delivery_id)
        .exclude(earlier_waiting())
        .update(status=DeliveryStatus.IN_FLIGHT, locked_until=now + LEASE, attempts=F("attempts") + 1)
    )
    return claimed == 1
