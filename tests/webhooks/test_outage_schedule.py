"""G4 on the real schedule: the receiver refuses connections for 10 minutes while 200 events of 50
submissions are emitted; the clock then follows the real retry steps (at once, 5 s, 5 min, 30 min,
jittered). Every event arrives, none is dead-lettered, duplicates aside each webhook-id once, and
all within one step of the recovery: by the attempt due about 30 minutes after the 5-minute one."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db.models import Min

from tests.webhooks.conftest import emit, endpoint_at, send_due
from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.services import webhook_deliveries_due

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
OUTAGE = dt.timedelta(minutes=10)
EVENTS = ("created", "submit", "approved", "updated")


def test_a_ten_minute_outage_on_the_real_schedule_loses_nothing_and_ends_within_one_step(project, receiver):
    # given: the receiver down from T0, 50 submissions × 4 events emitted at T0
    endpoint_at(project, receiver.url)
    port = receiver.port
    receiver.stop()
    with time_machine.travel(T0, tick=False):
        for n in range(50):
            for event in EVENTS:
                emit(project, event, f"sub-{n}")

    # when: the clock jumps from one due attempt to the next; the receiver is back at T0 + 10 min
    clock, back = T0, False
    pending = WebhookDelivery.objects.filter(project=project, status=DeliveryStatus.PENDING)
    while pending.exists():
        assert clock < T0 + dt.timedelta(hours=3), "the deliveries did not finish"
        if not back and clock >= T0 + OUTAGE:
            receiver.port = port
            receiver.start()
            back = True
        with time_machine.travel(clock, tick=False):
            send_due()
            if webhook_deliveries_due():  # the next events of a submission whose head just went
                clock += dt.timedelta(milliseconds=1)
                continue
        clock = pending.filter(next_attempt_at__gt=clock).aggregate(first=Min("next_attempt_at"))["first"] or clock
        if not back and clock > T0 + OUTAGE:
            clock = T0 + OUTAGE  # wake at the recovery too, so nothing due then is missed

    # then: everything delivered, nothing dead, each webhook-id received
    deliveries = WebhookDelivery.objects.filter(project=project)
    assert deliveries.count() == 200
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    received = {request.headers["webhook-id"] for request in receiver.requests}
    assert received == set(deliveries.values_list("webhook_id", flat=True))
    # the heads failed at once, at 5 s and at about 5 min; their next attempt (5 min + 30 min,
    # +20 % jitter each at most) delivered them and their submissions' later events at once
    last = max(int(request.headers["webhook-timestamp"]) for request in receiver.requests)
    assert dt.datetime.fromtimestamp(last, tz=dt.UTC) <= T0 + dt.timedelta(seconds=(5 + 300 + 1800) * 1.2 + 1)
    assert max(deliveries.values_list("attempts", flat=True)) == 4
