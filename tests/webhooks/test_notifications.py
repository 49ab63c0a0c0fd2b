"""Notification recipients: the e-mail when the endpoint is disabled, the daily summary."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from projects.actors import Actor
from projects.models import AuditEvent
from tests.webhooks.conftest import emit, endpoint_at, send_due
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDailySummary, WebhookDelivery, WebhookRecipient
from webhooks.notifications import (
    webhook_daily_summaries_send,
    webhook_daily_summary_counts,
    webhook_recipient_add,
    webhook_recipient_remove,
)
from webhooks.services import WebhookError

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
ACTOR = Actor.system("test")


def test_a_410_disables_the_endpoint_and_e_mails_the_recipients(project, receiver, django_capture_on_commit_callbacks):
    # given
    endpoint_at(project, receiver.url)
    webhook_recipient_add(project=project, name="Ops", email="Ops@Example.com", actor=ACTOR)
    emit(project, "created", "sub-1")
    receiver.responder = lambda index, request: (410, {})

    # when
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        send_due()

    # then
    [message] = mail.outbox
    assert message.to == ["ops@example.com"]
    assert message.subject == f"Webhooks of {project.name} are disabled"
    assert "The receiver answered 410 Gone." in message.body
    assert receiver.url in message.body
    assert AuditEvent.objects.filter(project=project, action="webhook.endpoint_disabled").count() == 1


def test_a_recipient_is_refused_twice_or_with_a_bad_address_and_nothing_is_added(project):
    # given
    webhook_recipient_add(project=project, name="Ops", email="ops@example.com", actor=ACTOR)

    # when / then
    for name, email in [("Ops again", "OPS@example.com"), ("Bad", "not-an-address"), ("", "x@example.com")]:
        with pytest.raises(WebhookError):
            webhook_recipient_add(project=project, name=name, email=email, actor=ACTOR)
    assert list(WebhookRecipient.objects.values_list("email", flat=True)) == ["ops@example.com"]


def test_removing_a_recipient_of_another_project_is_refused(project):
    # given
    other = type(project).objects.create(name="Other")
    recipient = webhook_recipient_add(project=other, name="Ops", email="ops@example.com", actor=ACTOR)

    # when
    with pytest.raises(WebhookError):
        webhook_recipient_remove(project=project, recipient_id=recipient.pk, actor=ACTOR)

    # then
    assert WebhookRecipient.objects.filter(pk=recipient.pk).exists()


def _day_of_deliveries(project, receiver):
    """On 1 March: two `created` delivered; `approved` fails once and is dead-lettered; `submit`
    fails once, then is delivered."""
    endpoint_at(project, receiver.url)
    emit(project, "created", "sub-1")
    emit(project, "created", "sub-2")
    emit(project, "submit", "sub-2")
    approved = emit(project, "approved", "sub-3")
    codes = iter([200, 200, 500, 500, 200])
    receiver.responder = lambda index, request: (next(codes), {})
    with time_machine.travel(T0, tick=False):
        send_due()  # the three heads: created 200, created 200, approved 500
    WebhookDelivery.objects.filter(event=approved).update(status=DeliveryStatus.DEAD, dead_at=T0)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        send_due()  # submit: 500
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        send_due()  # submit: 200


def test_the_daily_summary_counts_sent_failed_and_dead_lettered_per_trigger(project, receiver):
    # given
    _day_of_deliveries(project, receiver)

    # when
    counts = webhook_daily_summary_counts(project=project, day=dt.date(2027, 3, 1))

    # then
    assert counts == {
        "approved": {"sent": 0, "failed": 1, "dead_lettered": 1},
        "created": {"sent": 2, "failed": 0, "dead_lettered": 0},
        "submit": {"sent": 1, "failed": 1, "dead_lettered": 0},
    }
    assert WebhookAttempt.objects.count() == 5
    assert webhook_daily_summary_counts(project=project, day=dt.date(2027, 3, 2)) == {}


def test_the_daily_summary_goes_to_the_recipients_once_per_day(project, receiver, django_capture_on_commit_callbacks):
    # given
    _day_of_deliveries(project, receiver)
    webhook_recipient_add(project=project, name="Ops", email="ops@example.com", actor=ACTOR)
    type(project).objects.create(name="Quiet")  # no recipients, no deliveries: no e-mail

    # when
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = webhook_daily_summaries_send()
        with django_capture_on_commit_callbacks(execute=True):
            again = webhook_daily_summaries_send()

    # then
    assert (first, again) == (1, 0)
    [message] = mail.outbox
    assert message.to == ["ops@example.com"]
    assert message.subject == f"Webhooks of {project.name} on 2027-03-01"
    assert "created: 2 sent, 0 failed attempts, 0 dead-lettered" in message.body
    assert "submit: 1 sent, 1 failed attempts, 0 dead-lettered" in message.body
    assert "approved: 0 sent, 1 failed attempts, 1 dead-lettered" in message.body
    assert list(WebhookDailySummary.objects.values_list("day", flat=True)) == [dt.date(2027, 3, 1)]
