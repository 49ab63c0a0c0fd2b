"""Deliveries an owner asks for by hand: a test event, replays of dead letters (one, or every
one in a time range), and a resend of one event from a submission's page. Each keeps the
delivery's ``webhook-id``, so a receiver that already has the event can drop it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from projects.actors import Actor
from projects.models import Project
from projects.services import audit_record
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookOutbox
from webhooks.services.emit import next_sequence, wake_after_commit
from webhooks.services.errors import WebhookError

TEST_EVENT = "test"


@transaction.atomic
def webhook_test_send(*, project: Project, actor: Actor) -> WebhookDelivery:
    """A ``test`` event to the endpoint: one attempt, no retry, visible in the delivery log."""
    endpoint = WebhookEndpoint.objects.filter(project=project).first()
    if endpoint is None:
        raise WebhookError("Set a webhook URL first.")
    now = timezone.now()
    payload = {"webhook_trigger": TEST_EVENT, "project_id": project.pid, "sent_at": now.isoformat()}
    outbox = WebhookOutbox.objects.create(project=project, event=TEST_EVENT, resource_id=TEST_EVENT,
                                          sequence=next_sequence(project, TEST_EVENT), payload=payload)  # fmt: skip
    delivery = WebhookDelivery.objects.create(event=outbox, endpoint=endpoint, project=project, resource_id=TEST_EVENT,
                                              sequence=outbox.sequence, is_test=True)  # fmt: skip
    audit_record(actor=actor, action="webhook.test_sent", project=project, target_type="webhook_delivery",
                 target_id=delivery.webhook_id)  # fmt: skip
    wake_after_commit(delivery.pk)
    return delivery


@transaction.atomic
def webhook_delivery_replay(*, project: Project, webhook_id: str, actor: Actor) -> WebhookDelivery:
    """A dead-lettered delivery goes out again, whole schedule, same bytes and ``webhook-id``."""
    delivery = WebhookDelivery.objects.select_for_update().filter(project=project, webhook_id=webhook_id).first()
    if delivery is None:
        raise WebhookError("No such delivery.")
    if delivery.status != DeliveryStatus.DEAD:
        raise WebhookError("Only a dead-lettered delivery can be replayed.")
    delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.PENDING, 0, timezone.now()
    delivery.locked_until, delivery.dead_at = None, None
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "locked_until", "dead_at"])
    audit_record(actor=actor, action="webhook.replayed", project=project, target_type="webhook_delivery",
                 target_id=delivery.webhook_id)  # fmt: skip
    wake_after_commit(delivery.pk)
    return delivery


@transaction.atomic
def webhook_deliveries_replay_range(
    *, project: Project, since: dt.datetime, until: dt.datetime, actor: Actor
) -> list[WebhookDelivery]:
    """Replay every dead-lettered delivery of events emitted in ``[since, until)``, oldest first."""
    if since >= until:
        raise WebhookError("The start of the range must come before its end.")
    dead = list(
        WebhookDelivery.objects.select_for_update()
        .filter(project=project, status=DeliveryStatus.DEAD, created_at__gte=since, created_at__lt=until)
        .order_by("created_at", "pk")
    )
    now = timezone.now()
    WebhookDelivery.objects.filter(pk__in=[d.pk for d in dead]).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, locked_until=None, dead_at=None
    )
    audit_record(actor=actor, action="webhook.replayed", project=project, target_type="webhook_delivery",
                 details={"count": len(dead), "since": since.isoformat(), "until": until.isoformat()})  # fmt: skip
    for delivery in dead:
        wake_after_commit(delivery.pk)
    return dead


@transaction.atomic
def webhook_event_resend(*, project: Project, event_id: int, resource_id: str, actor: Actor) -> WebhookDelivery:
    """One event of ``resource_id`` goes to the project's endpoint again (a submission page's
    Resend button, spec §4.1): its delivery there, delivered or dead-lettered, starts a new
    schedule with the same ``webhook-id``, so a receiver that already has it can drop it. A dead
    letter sends its sealed bytes again; a delivered one, whose bytes were dropped, is rendered
    anew from the data as it is now (a deleted submission's goes out thin). An event emitted
    before the endpoint existed gets its first delivery. One still on its way is refused."""
    event = WebhookOutbox.objects.filter(project=project, pk=event_id, resource_id=resource_id).first()
    if event is None or event.event == TEST_EVENT:
        raise WebhookError("No such webhook event.")
    endpoint = WebhookEndpoint.objects.filter(project=project).first()
    if endpoint is None:
        raise WebhookError("Set a webhook URL first.")
    if not endpoint.is_active:
        raise WebhookError("The webhook endpoint is disabled; set its URL again on the Webhooks page first.")
    delivery = WebhookDelivery.objects.select_for_update().filter(event=event, endpoint=endpoint).first()
    if delivery is None:
        delivery = WebhookDelivery.objects.create(event=event, endpoint=endpoint, project=project,
                                                  resource_id=resource_id, sequence=event.sequence)  # fmt: skip
    elif delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT):
        raise WebhookError("This event is still on its way; wait for its delivery to finish.")
    else:
        delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.PENDING, 0, timezone.now()
        delivery.locked_until = delivery.dead_at = delivery.delivered_at = None
        delivery.save(
            update_fields=["status", "attempts", "next_attempt_at", "locked_until", "dead_at", "delivered_at"]
        )
    audit_record(actor=actor, action="webhook.resent", project=project, target_type="webhook_delivery",
                 target_id=delivery.webhook_id, details={"event": event.event, "event_id": event.pk})  # fmt: skip
    wake_after_commit(delivery.pk)
    return delivery
