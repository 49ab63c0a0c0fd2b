"""Reads of the webhooks app, always scoped by project."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from projects.models import Project
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookOutbox


def webhook_delivery_log(*, project: Project, status: str = "") -> QuerySet[WebhookDelivery]:
    """Newest first, with the last attempt's duration; ``status`` filters (``dead``: the dead letters)."""
    last_attempt = WebhookAttempt.objects.filter(delivery=OuterRef("pk")).order_by("-started_at", "-pk")
    deliveries = (
        WebhookDelivery.objects.filter(project=project)
        .select_related("event")
        .annotate(last_duration_ms=Subquery(last_attempt.values("duration_ms")[:1]))
        .order_by("-created_at", "-pk")
    )
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    return deliveries


def webhook_resource_history(
    *, project: Project, resource_id: str
) -> list[tuple[WebhookOutbox, WebhookDelivery | None]]:
    """The events of one resource, newest first, each with its delivery to the project's current
    endpoint (None: emitted while there was no endpoint) and that delivery's attempts."""
    events = WebhookOutbox.objects.filter(project=project, resource_id=resource_id).order_by("-sequence", "-pk")
    deliveries = {
        delivery.event_id: delivery
        for delivery in WebhookDelivery.objects.filter(project=project, resource_id=resource_id).prefetch_related(
            "attempt_log"
        )
    }
    return [(event, deliveries.get(event.pk)) for event in events]
