"""The dashboard's Webhooks page: endpoint, test event, secret, delivery log, replay."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from projects.models import AuditEvent, Role
from tests.conftest import TEST_HOST, fresh_totp_code, sign_in
from tests.factories import MembershipFactory, TOTPDeviceFactory, UserFactory
from tests.webhooks.conftest import emit, endpoint_at
from webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookOutbox,
    WebhookRecipient,
)
from webhooks.services import webhook_secrets_live

pytestmark = pytest.mark.django_db


def _page(pid: str) -> str:
    return f"/dashboard/p/{pid}/webhooks/"


def test_an_owner_sets_the_url_and_sees_it_validated_like_the_cli(project, dashboard_client):
    # when
    refused = dashboard_client.post(
        _page(project.pid),
        {
            "webhook_url": "https://10.0.0.1/",
        },
    )
    saved = dashboard_client.post(
        _page(project.pid),
        {
            "webhook_url": "https://hooks.example.com/a",
        },
    )

    # then
    assert refused.status_code == 200
    assert "10.0.0.1 is a private address" in refused.content.decode()
    assert saved.status_code == 302
    assert WebhookEndpoint.objects.get(project=project).url == "https://hooks.example.com/a"


def test_the_log_lists_deliveries_with_code_duration_and_error_but_no_body(project, dashboard_client):
    # given
    endpoint_at(project, "https://hooks.example.com/a")
    outbox = emit(project, "approved", "sub-1", kyc_result={"status": "approved", "reviewer": "secret-reviewer"})
    delivery = WebhookDelivery.objects.get(event=outbox)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.DEAD, attempts=10, last_status_code=503,
                                                           last_error="HTTP 503")  # fmt: skip
    WebhookAttempt.objects.create(delivery=delivery, started_at=delivery.created_at, duration_ms=1234, status_code=503,
                                  error="HTTP 503")  # fmt: skip

    # when
    page = dashboard_client.get(_page(project.pid) + "?status=dead").content.decode()

    # then
    assert "<code>approved</code>" in page
    assert "sub-1" in page
    assert "1234 ms" in page
    assert "HTTP 503" in page
    assert "Dead-lettered" in page
    assert "secret-reviewer" not in page
    assert f"/deliveries/{delivery.webhook_id}/replay/" in page


def test_an_owner_replays_a_dead_letter_with_the_same_webhook_id(project, dashboard_client):
    # given
    endpoint_at(project, "https://hooks.example.com/a")
    delivery = WebhookDelivery.objects.get(event=emit(project, "created", "sub-1"))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.DEAD, attempts=10)

    # when
    response = dashboard_client.post(f"{_page(project.pid)}deliveries/{delivery.webhook_id}/replay/")

    # then
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert AuditEvent.objects.get(project=project, action="webhook.replayed").target_id == delivery.webhook_id


def test_an_owner_sends_a_test_event(project, dashboard_client):
    # given
    endpoint_at(project, "https://hooks.example.com/a")

    # when
    response = dashboard_client.post(f"{_page(project.pid)}test/")

    # then
    assert response.status_code == 302
    delivery = WebhookDelivery.objects.get(project=project)
    assert (delivery.is_test, delivery.status, delivery.event.event) == (True, "pending", "test")
    assert delivery.event.payload["project_id"] == project.pid


def test_the_secret_is_shown_and_rotated_only_with_afresh_totp_code(project, owner, dashboard_client):
    # given
    endpoint_at(project, "https://hooks.example.com/a")
    [first] = webhook_secrets_live(WebhookEndpoint.objects.get(project=project))

    # when
    wrong = dashboard_client.post(f"{_page(project.pid)}secret/", {"code": "000000", "rotate": "1"})
    rotated = dashboard_client.post(f"{_page(project.pid)}secret/", {"code": fresh_totp_code(owner), "rotate": "1"})

    # then
    assert first not in wrong.content.decode()
    shown = re.findall(r'<code class="secret key">(whsec_[A-Za-z0-9+/=]+)</code>', rotated.content.decode())
    assert shown == webhook_secrets_live(WebhookEndpoint.objects.get(project=project))
    assert shown[1] == first
    assert AuditEvent.objects.filter(project=project, action="webhook.secret_rotated").count() == 1
    assert first not in dashboard_client.get(_page(project.pid)).content.decode()


def test_a_viewer_reads_the_log_but_changes_nothing(project):
    # given
    endpoint_at(project, "https://hooks.example.com/a")
    delivery = WebhookDelivery.objects.get(event=emit(project, "created", "sub-1"))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.DEAD)
    viewer = UserFactory()
    MembershipFactory(user=viewer, project=project, role=Role.VIEWER)
    TOTPDeviceFactory(user=viewer)
    client = sign_in(Client(HTTP_HOST=TEST_HOST), viewer)

    # when
    responses = [
        client.post(
            _page(project.pid),
            {"webhook_url": ""},
        ),
        client.post(f"{_page(project.pid)}test/"),
        client.post(f"{_page(project.pid)}secret/", {"code": "123456"}),
        client.post(f"{_page(project.pid)}deliveries/{delivery.webhook_id}/replay/"),
        client.post(f"{_page(project.pid)}recipients/", {"name": "Eve", "email": "eve@example.com"}),
        client.post(
            f"{_page(project.pid)}deliveries/replay/", {"since": "2020-01-01T00:00", "until": "2030-01-01T00:00"}
        ),
    ]

    # then
    assert [r.status_code for r in responses] == [403, 403, 403, 403, 403, 403]
    assert client.get(_page(project.pid)).status_code == 200
    assert WebhookEndpoint.objects.get(project=project).url == "https://hooks.example.com/a"
    assert (WebhookOutbox.objects.count(), WebhookDelivery.objects.get(pk=delivery.pk).status) == (1, "dead")
    assert not WebhookRecipient.objects.exists()


def test_an_outsider_gets_404_and_anonymous_users_are_sent_to_sign_in(project, outsider):
    # given
    endpoint_at(project, "https://hooks.example.com/a")

    # when
    outsider_response = sign_in(Client(HTTP_HOST=TEST_HOST), outsider).get(_page(project.pid))
    anonymous = Client(HTTP_HOST=TEST_HOST).post(f"{_page(project.pid)}test/")

    # then
    assert outsider_response.status_code == 404
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/dashboard/login/")
    assert WebhookDelivery.objects.count() == 0


def test_an_owner_replays_the_dead_letters_of_a_time_range(project, dashboard_client):
    # given
    endpoint_at(project, "https://hooks.example.com/a")
    inside = WebhookDelivery.objects.get(event=emit(project, "created", "sub-1"))
    outside = WebhookDelivery.objects.get(event=emit(project, "created", "sub-2"))
    WebhookDelivery.objects.filter(pk=inside.pk).update(status=DeliveryStatus.DEAD, created_at="2027-03-01T09:00Z")
    WebhookDelivery.objects.filter(pk=outside.pk).update(status=DeliveryStatus.DEAD, created_at="2027-03-02T09:00Z")

    # when
    response = dashboard_client.post(f"{_page(project.pid)}deliveries/replay/",
                                     {"since": "2027-03-01T00:00", "until": "2027-03-02T00:00"})  # fmt: skip

    # then
    assert response.status_code == 302
    statuses = dict(WebhookDelivery.objects.values_list("resource_id", "status"))
    assert statuses == {"sub-1": "pending", "sub-2": "dead"}


def test_an_owner_adds_and_removes_a_notification_recipient(project, dashboard_client):
    # when
    added = dashboard_client.post(f"{_page(project.pid)}recipients/", {"name": "Ops", "email": "ops@example.com"})
    page = dashboard_client.get(_page(project.pid)).content.decode()
    recipient = WebhookRecipient.objects.get(project=project)
    removed = dashboard_client.post(f"{_page(project.pid)}recipients/{recipient.pk}/remove/")

    # then
    assert (added.status_code, removed.status_code) == (302, 302)
    assert "ops@example.com" in page
    assert not WebhookRecipient.objects.exists()
    assert AuditEvent.objects.filter(project=project, action__startswith="webhook.recipient_").count() == 2
