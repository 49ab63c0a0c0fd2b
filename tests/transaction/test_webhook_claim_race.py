"""Two workers never claim the same webhook delivery (G3: no double claim), and two emitters
of one submission never get the same sequence number (G5)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from tests.factories import ProjectFactory
from webhooks.models import WebhookDelivery, WebhookOutbox
from webhooks.services import webhook_delivery_claim, webhook_endpoint_set, webhook_event_emit

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
DELIVERIES = 30


def test_each_delivery_is_claimed_by_exactly_one_of_many_workers(run_in_threads):
    # given
    project = ProjectFactory()
    with transaction.atomic():
        webhook_endpoint_set(project=project, url="https://hooks.example.com/a")
        for n in range(DELIVERIES):
            webhook_event_emit(project=project, event="created", resource_id=f"sub-{n}", payload={})
    ids = list(WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True))
    now = timezone.now()

    # when: every worker tries every delivery
    results = run_in_threads(lambda index: [pk for pk in ids if webhook_delivery_claim(pk, now)], THREADS)

    # then
    claimed = [pk for result in results for pk in result]
    assert sorted(claimed) == ids
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {("in_flight", 1)}


def test_concurrent_events_of_one_submission_get_distinct_sequences(run_in_threads):
    # given
    project = ProjectFactory()

    # when
    def emit(index: int) -> int:
        with transaction.atomic():
            return webhook_event_emit(project=project, event="updated", resource_id="sub-1", payload={}).sequence

    results = run_in_threads(emit, THREADS)

    # then
    assert sorted(results) == list(range(1, THREADS + 1))
    assert sorted(WebhookOutbox.objects.values_list("sequence", flat=True)) == list(range(1, THREADS + 1))
