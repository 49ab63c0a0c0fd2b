"""``manage.py configure_project PID webhook_url=…`` and ``manage.py webhook_secret PID``."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from projects.models import AuditEvent
from tests.webhooks.conftest import emit, endpoint_at
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookOutbox, WebhookSecret
from webhooks.services import webhook_secrets_live

pytestmark = pytest.mark.django_db


def test_configure_project_sets_the_webhook_url_and_a_first_secret(project):
    # when
    call_command("configure_project", project.pid, "webhook_url=https://hooks.example.com/idcheck", stderr=StringIO())

    # then
    endpoint = WebhookEndpoint.objects.get(project=project)
    assert (endpoint.url, endpoint.is_active) == ("https://hooks.example.com/idcheck", True)
    assert WebhookSecret.objects.filter(endpoint=endpoint).count() == 1
    changed = AuditEvent.objects.get(project=project, action="project.settings_changed")
    assert changed.details == {
        "changed": ["webhook_url"],
        "before": {"webhook_url": ""},
        "after": {"webhook_url": "https://hooks.example.com/idcheck"},
    }


def test_configure_project_refuses_a_private_address_and_stores_nothing(project):
    # when
    with pytest.raises(CommandError, match="10.0.0.1 is a private address"):
        call_command("configure_project", project.pid, "webhook_url=https://10.0.0.1/hooks", stderr=StringIO())

    # then
    assert WebhookEndpoint.objects.count() == 0
    assert not AuditEvent.objects.filter(project=project, action="project.settings_changed").exists()


def test_configure_project_shows_the_url(project):
    # given
    call_command("configure_project", project.pid, "webhook_url=https://hooks.example.com/a", stderr=StringIO())
    out = StringIO()

    # when
    call_command("configure_project", project.pid, "--show", stdout=out)

    # then
    assert "webhook_url = https://hooks.example.com/a" in out.getvalue().splitlines()
    assert "secure_transfer = false" in out.getvalue().splitlines()


def test_webhook_secret_prints_the_signing_secret_and_rotates_it(project):
    # given
    call_command("configure_project", project.pid, "webhook_url=https://hooks.example.com/a", stderr=StringIO())
    [first] = webhook_secrets_live(WebhookEndpoint.objects.get(project=project))
    shown, rotated = StringIO(), StringIO()

    # when
    call_command("webhook_secret", project.pid, stdout=shown)
    call_command("webhook_secret", project.pid, "--rotate", stdout=rotated)

    # then
    assert shown.getvalue() == f"{first}\n"
    new = rotated.getvalue().strip()
    assert new.startswith("whsec_")
    assert new != first
    assert webhook_secrets_live(WebhookEndpoint.objects.get(project=project)) == [new, first]
    assert AuditEvent.objects.filter(project=project, action="webhook.secret_rotated").count() == 1


def test_webhook_secret_of_a_project_without_url_is_refused(project):
    with pytest.raises(CommandError, match="Set a webhook URL first."):
        call_command("webhook_secret", project.pid, stdout=StringIO())
    assert WebhookSecret.objects.count() == 0


@pytest.fixture
def eager_tasks():
    """The embedded mode: Celery runs tasks inline (there is no broker)."""
    from idcheck.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_send_webhooks_sends_what_is_due_in_the_embedded_mode(project, receiver, eager_tasks, settings):
    # given
    settings.CELERY_TASK_ALWAYS_EAGER = True
    endpoint_at(project, receiver.url)
    emit(project, "created", "sub-1")
    emit(project, "submit", "sub-1")
    err = StringIO()

    # when
    call_command("send_webhooks", stderr=err)
    call_command("send_webhooks", stderr=StringIO())

    # then
    assert err.getvalue() == "Sent or queued 1 deliveries.\n"
    assert [json.loads(r.body)["sequence"] for r in receiver.requests] == [1, 2]
    assert WebhookDelivery.objects.filter(status="delivered").count() == 2


def test_replay_webhooks_replays_the_dead_letters_of_a_time_range_only(project):
    # given: three dead letters, created at 08:00, 09:00 and 10:00
    endpoint_at(project, "https://hooks.example.com/a")
    deliveries = [WebhookDelivery.objects.get(event=emit(project, "created", f"sub-{n}")) for n in range(3)]
    for hour, delivery in zip((8, 9, 10), deliveries, strict=True):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status="dead", attempts=10, created_at=dt.datetime(2027, 3, 1, hour, tzinfo=dt.UTC)
        )
    out = StringIO()

    # when
    call_command("replay_webhooks", project.pid, "--since", "2027-03-01T08:30", "--until", "2027-03-01T10:00",
                 stdout=out)  # fmt: skip

    # then
    assert out.getvalue() == "Replaying 1 dead-lettered deliveries.\n"
    assert [(d.status, d.attempts) for d in WebhookDelivery.objects.order_by("created_at")] == [
        ("dead", 10),
        ("pending", 0),
        ("dead", 10),
    ]
    assert AuditEvent.objects.get(project=project, action="webhook.replayed").details["count"] == 1


def test_replay_webhooks_refuses_an_empty_range_and_changes_nothing(project):
    # given
    endpoint_at(project, "https://hooks.example.com/a")
    delivery = WebhookDelivery.objects.get(event=emit(project, "created", "sub-1"))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="dead")

    # when
    with pytest.raises(CommandError, match="must come before its end"):
        call_command("replay_webhooks", project.pid, "--since", "2027-03-01", "--until", "2027-03-01")

    # then
    assert WebhookDelivery.objects.get(pk=delivery.pk).status == "dead"
    assert not AuditEvent.objects.filter(action="webhook.replayed").exists()


def test_prune_webhook_deliveries_keeps_the_recent_log_and_the_dead_letters_for_90_days(project):
    # given: delivered 31 and 29 days ago, dead-lettered 91 and 89 days ago, one still pending
    endpoint_at(project, "https://hooks.example.com/a")
    now = timezone.now()
    ages = {"a": ("delivered", 31), "b": ("delivered", 29), "c": ("dead", 91), "d": ("dead", 89), "e": ("pending", 400)}
    for resource, (status, days) in ages.items():
        delivery = WebhookDelivery.objects.get(event=emit(project, "created", resource))
        when = now - dt.timedelta(days=days)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=status, delivered_at=when, dead_at=when,
                                                               created_at=when)  # fmt: skip
        WebhookAttempt.objects.create(delivery=delivery, started_at=when, status_code=200)
    out = StringIO()

    # when
    call_command("prune_webhook_deliveries", stdout=out)

    # then
    assert out.getvalue() == "Deleted 2 deliveries.\n"
    assert sorted(WebhookDelivery.objects.values_list("resource_id", flat=True)) == ["b", "d", "e"]
    assert WebhookAttempt.objects.count() == 3
    assert WebhookOutbox.objects.count() == 5
