"""``bench_webhooks`` measures with a real worker and a signature-checking receiver, and keeps nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from projects.models import Project
from webhooks.bench import SigningReceiver
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookOutbox


@pytest.mark.django_db(transaction=True)
def test_it_reports_latency_and_throughput_and_keeps_nothing(settings, tmp_path):
    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("needs Redis (make test provides it)")
    out = io.StringIO()

    call_command("bench_webhooks", "--latency-events", "3", "--events", "10", "--plots", str(tmp_path), stdout=out)

    text = out.getvalue()
    assert "latency      3/3" in text
    assert "commit → verified at receiver" in text
    rows = [line.split() for line in text.splitlines() if line.startswith(("independent ", "ordered "))]
    assert [row[:3] for row in rows if len(row) == 5] == [
        ["independent", "10", "10"],
        ["ordered", "10", "1"],
    ]
    assert (tmp_path / "webhook_first_attempt_latency.png").stat().st_size > 1000
    counts = [model.objects.count() for model in (Project, WebhookEndpoint, WebhookOutbox, WebhookDelivery)]
    assert counts == [0, 0, 0, 0]


def test_it_refuses_to_run_without_a_worker(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with pytest.raises(CommandError, match="needs a worker"):
        call_command("bench_webhooks")


def test_the_receiver_refuses_a_forged_signature():
    # given: a receiver that knows the endpoint's secret
    receiver = SigningReceiver(secret="whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    headers = {"webhook-id": "msg_1", "webhook-timestamp": "1700000000", "webhook-signature": "v1,AAAA"}

    # when / then: a wrong signature is counted, never recorded as an arrival
    assert receiver.verify(b"{}", headers) is False
    assert (receiver.forged, receiver.arrivals) == (1, {})
