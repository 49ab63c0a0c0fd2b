"""``webhook_event_resend``: one event of a resource goes out again, with the same webhook-id, to
a real local receiver; an event still on its way, another resource's or project's event, or a
project without an active endpoint is refused with nothing changed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from projects.actors import Actor
from projects.models import AuditEvent
from tests.factories import ProjectFactory
from tests.webhooks.conftest import emit, endpoint_at, send_due
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.selectors import webhook_resource_history
from webhooks.services import WebhookError, webhook_event_resend

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
ACTOR = Actor.system("test")


def _delivery_state(outbox) -> list[tuple]:
    return list(WebhookDelivery.objects.filter(event=outbox).values_list("status", "attempts", "webhook_id"))


def test_a_delivered_event_is_sent_again_with_the_same_webhook_id(project, receiver):
    # given
    endpoint_at(project, receiver.url)
    outbox = emit(project, "approved", "sub-1", kyc_result={"status": "approved"})
    with time_machine.travel(T0, tick=False):
        send_due()
    delivery = WebhookDelivery.objects.get(event=outbox)

    # when
    resent = webhook_event_resend(project=project, event_id=outbox.pk, resource_id="sub-1", actor=ACTOR)
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        statuses = send_due()

    # then
    assert resent.pk == delivery.pk
    assert statuses == ["delivered"]
    first, second = receiver.requests
    assert second.headers["webhook-id"] == first.headers["webhook-id"] == delivery.webhook_id
    assert json.loads(second.body) == json.loads(first.body)
    resent.refresh_from_db()
    assert (resent.status, resent.attempts) == ("delivered", 1)
    (event,) = AuditEvent.objects.filter(project=project, action="webhook.resent")
    assert (event.target_id, event.details) == (delivery.webhook_id, {"event": "approved", "event_id": outbox.pk})


def test_a_dead_letter_is_sent_again_with_its_bytes(project, receiver):
    # given
    endpoint_at(project, receiver.url)
    outbox = emit(project, "rejected", "sub-1")
    WebhookDelivery.objects.filter(event=outbox).update(status=DeliveryStatus.DEAD, attempts=10, dead_at=T0)

    # when
    webhook_event_resend(project=project, event_id=outbox.pk, resource_id="sub-1", actor=ACTOR)

    # then
    delivery = WebhookDelivery.objects.get(event=outbox)
    assert (delivery.status, delivery.attempts, delivery.dead_at) == ("pending", 0, None)
    with time_machine.travel(T0, tick=False):
        assert send_due() == ["delivered"]


def test_an_event_from_before_the_endpoint_gets_its_first_delivery(project, receiver):
    # given: emitted while the project had no webhook URL
    outbox = emit(project, "created", "sub-1")
    endpoint_at(project, receiver.url)

    # when
    webhook_event_resend(project=project, event_id=outbox.pk, resource_id="sub-1", actor=ACTOR)
    with time_machine.travel(T0, tick=False):
        send_due()

    # then
    assert [json.loads(r.body)["webhook_trigger"] for r in receiver.requests] == ["created"]
    assert webhook_resource_history(project=project, resource_id="sub-1")[0][1].status == "delivered"


def test_the_history_lists_the_resources_events_newest_first_with_their_deliveries(project, receiver):
    # given
    emit(project, "created", "sub-1")
    endpoint_at(project, receiver.url)
    emit(project, "submit", "sub-1")
    emit(project, "created", "sub-2")

    # when
    history = webhook_resource_history(project=project, resource_id="sub-1")

    # then
    assert [(event.event, event.sequence, delivery and delivery.status) for event, delivery in history] == [
        ("submit", 2, "pending"), ("created", 1, None),
    ]  # fmt: skip


def _refused(project, outbox, resource_id: str = "sub-1") -> str:
    before = _delivery_state(outbox)
    with pytest.raises(WebhookError) as refused:
        webhook_event_resend(project=project, event_id=outbox.pk, resource_id=resource_id, actor=ACTOR)
    assert _delivery_state(outbox) == before
    assert not AuditEvent.objects.filter(action="webhook.resent").exists()
    return refused.value.message


def test_an_event_still_on_its_way_is_refused(project, receiver):
    endpoint_at(project, receiver.url)
    outbox = emit(project, "created", "sub-1")

    assert _refused(project, outbox) == "This event is still on its way; wait for its delivery to finish."


def test_another_resources_or_projects_event_is_refused(project, receiver):
    endpoint_at(project, receiver.url)
    outbox = emit(project, "created", "sub-1")

    assert _refused(project, outbox, resource_id="sub-2") == "No such webhook event."
    assert _refused(ProjectFactory(), outbox) == "No such webhook event."


def test_without_a_webhook_url_it_is_refused(project):
    outbox = emit(project, "created", "sub-1")

    assert _refused(project, outbox) == "Set a webhook URL first."


def test_a_disabled_endpoint_is_refused(project, receiver):
    endpoint = endpoint_at(project, receiver.url)
    outbox = emit(project, "created", "sub-1")
    WebhookDelivery.objects.filter(event=outbox).update(status=DeliveryStatus.DELIVERED)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)

    message = _refused(project, outbox)
    assert message == "The webhook endpoint is disabled; set its URL again on the Webhooks page first."
