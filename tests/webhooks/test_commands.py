"""``manage.py configure_project PID webhook_url=…`` and ``manage.py webhook_secret PID``."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from projects.models import AuditEvent
from tests.webhooks.conftest import emit, endpoint_at
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookSecret
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
    assert changed.details == {"changed": ["webhook_url"]}


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
    assert "webhook_secure_transfer = false" in out.getvalue().splitlines()


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
