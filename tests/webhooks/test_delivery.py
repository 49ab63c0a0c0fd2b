"""Delivery against a real local receiver: outage, order, status codes, dead letters (G4, G5, G7)."""

from __future__ import annotations

import datetime as dt
import json
import random
from unittest import mock

import pytest
import time_machine

from projects.actors import Actor
from tests.webhooks.conftest import emit, endpoint_at, send_due
from webhooks import schedule
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookOutbox
from webhooks.services import WebhookError, webhook_deliveries_sweep, webhook_delivery_replay, webhook_delivery_send

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)  # after "now": events emitted now are due
ACTOR = Actor.system("test")


def test_an_event_is_delivered_at_once_with_its_sequence_and_signature_headers(project, receiver):
    # given
    endpoint_at(project, receiver.url)
    outbox = emit(project, "created", "sub-1", kyc_result={"status": "incomplete"})

    # when
    with time_machine.travel(T0, tick=False):
        statuses = send_due()

    # then
    assert statuses == ["delivered"]
    [request] = receiver.requests
    assert json.loads(request.body) == {
        "webhook_trigger": "created",
        "submission_id": "sub-1",
        "kyc_result": {"status": "incomplete"},
        "sequence": 1,
    }
    delivery = WebhookDelivery.objects.get(event=outbox)
    assert request.path == "/hooks"
    assert request.headers["webhook-id"] == delivery.webhook_id
    assert request.headers["webhook-timestamp"] == str(int(T0.timestamp()))
    assert request.headers["webhook-signature"].startswith("v1,")
    assert request.headers["content-type"] == "application/json"
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.sealed_body is None  # the rendered bytes are dropped once accepted
    assert WebhookOutbox.objects.get(pk=outbox.pk).delivered_at == T0


def test_events_of_a_project_without_an_endpoint_stay_in_the_outbox_only(project):
    # when
    emit(project, "created", "sub-1")

    # then
    assert WebhookDelivery.objects.count() == 0
    assert WebhookOutbox.objects.get(resource_id="sub-1").sequence == 1


def test_sequence_counts_per_resource(project, receiver):
    # given
    endpoint_at(project, receiver.url)

    # when
    rows = [emit(project, event, resource) for event, resource in
            [("created", "a"), ("created", "b"), ("submit", "a"), ("approved", "a"), ("rejected", "b")]]  # fmt: skip

    # then
    assert [(row.resource_id, row.sequence) for row in rows] == [("a", 1), ("b", 1), ("a", 2), ("a", 3), ("b", 2)]


def test_a_receiver_outage_loses_nothing_and_duplicates_share_their_webhook_id(project, receiver):
    # given: 5 submissions x 4 events while the receiver is down
    endpoint_at(project, receiver.url)
    port = receiver.port
    receiver.stop()
    for n in range(5):
        for event in ("created", "submit", "approved", "updated"):
            emit(project, event, f"sub-{n}")
    with time_machine.travel(T0, tick=False):
        first = send_due()
    assert first == ["pending"] * 5  # one head per submission was tried; the rest wait their turn

    # when: it comes back, but loses the first answer of every request (we see 500 after it got the body)
    receiver.port = port
    receiver.start()
    receiver.responder = lambda index, request: (500, {}) if index % 3 == 0 else (200, {})
    clock = T0
    for _ in range(200):
        clock += dt.timedelta(hours=1)
        with time_machine.travel(clock, tick=False):
            send_due()
        if not WebhookDelivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists():
            break

    # then
    deliveries = {d.webhook_id: d for d in WebhookDelivery.objects.all()}
    ok_ids = [r.headers["webhook-id"] for i, r in enumerate(receiver.requests) if i % 3 != 0]
    assert len(deliveries) == 20
    assert set(ok_ids) == set(deliveries)
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 20
    bodies: dict[str, set[bytes]] = {}
    for request in receiver.requests:
        bodies.setdefault(request.headers["webhook-id"], set()).add(request.body)
    assert all(len(variants) == 1 for variants in bodies.values())  # every retry sent the same bytes
    assert len(receiver.requests) > 20  # there were duplicates, and they shared their webhook-id


def test_per_submission_order_holds_under_random_failures(project, receiver):
    # given
    rng = random.Random(7)
    endpoint_at(project, receiver.url)
    receiver.responder = lambda index, request: (500, {}) if rng.random() < 0.3 else (200, {})
    for n in range(20):
        for event in ("created", "submit", "approved", "updated"):
            emit(project, event, f"sub-{n}")

    # when
    clock = T0
    for _ in range(400):
        clock += dt.timedelta(minutes=rng.choice([1, 10, 60]))
        with time_machine.travel(clock, tick=False):
            due = send_due()
        if not due and not WebhookDelivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists():
            break

    # then
    accepted: dict[str, list[int]] = {}
    seen: set[str] = set()
    for request, status in zip(receiver.requests, _statuses(receiver), strict=True):
        body = json.loads(request.body)
        if status == 200 and request.headers["webhook-id"] not in seen:
            seen.add(request.headers["webhook-id"])
            accepted.setdefault(body["submission_id"], []).append(body["sequence"])
    assert accepted == {f"sub-{n}": [1, 2, 3, 4] for n in range(20)}


def _statuses(receiver) -> list[int]:
    """The status each recorded request got, in order (from the attempt log)."""
    by_id: dict[str, list[int]] = {}
    for attempt in WebhookAttempt.objects.select_related("delivery").order_by("started_at", "pk"):
        by_id.setdefault(attempt.delivery.webhook_id, []).append(attempt.status_code)
    return [by_id[request.headers["webhook-id"]].pop(0) for request in receiver.requests]


def test_a_failing_submission_holds_back_only_its_own_later_events(project, receiver):
    # given: the receiver refuses everything about sub-A
    endpoint_at(project, receiver.url)
    receiver.responder = lambda index, request: (500, {}) if b'"sub-A"' in request.body else (200, {})
    a_first, a_second = emit(project, "created", "sub-A"), emit(project, "submit", "sub-A")
    b_first, b_second = emit(project, "created", "sub-B"), emit(project, "submit", "sub-B")

    # when: two rounds at the same moment, the way idle workers keep taking what is due
    with time_machine.travel(T0, tick=False):
        send_due()
        send_due()

    # then: sub-B went through in order; sub-A's second event waits for its first one's retry
    sent = [(json.loads(r.body)["submission_id"], json.loads(r.body)["sequence"]) for r in receiver.requests]
    assert sent == [("sub-A", 1), ("sub-B", 1), ("sub-B", 2)]
    statuses = {e: WebhookDelivery.objects.get(event=e).status for e in (a_first, a_second, b_first, b_second)}
    assert statuses == {a_first: DeliveryStatus.PENDING, a_second: DeliveryStatus.PENDING,
                        b_first: DeliveryStatus.DELIVERED, b_second: DeliveryStatus.DELIVERED}  # fmt: skip
    assert WebhookDelivery.objects.get(event=a_second).attempts == 0


def test_a_dead_lettered_event_lets_the_next_one_of_its_submission_go(project, receiver):
    # given
    endpoint_at(project, receiver.url)
    first, second = emit(project, "created", "sub-1"), emit(project, "submit", "sub-1")
    WebhookDelivery.objects.filter(event=first).update(status=DeliveryStatus.DEAD)

    # when
    with time_machine.travel(T0, tick=False):
        statuses = send_due()

    # then
    assert statuses == ["delivered"]
    assert [json.loads(r.body)["sequence"] for r in receiver.requests] == [2]
    assert WebhookDelivery.objects.get(event=second).status == DeliveryStatus.DELIVERED


@pytest.mark.parametrize(
    ("code", "headers", "status", "endpoint_active", "earliest", "latest"),
    [
        (200, {}, "delivered", True, None, None),
        (204, {}, "delivered", True, None, None),
        (299, {}, "delivered", True, None, None),
        (301, {"Location": "http://127.0.0.2/"}, "pending", True, 5, 6),
        (302, {"Location": "http://127.0.0.2/"}, "pending", True, 5, 6),
        (307, {"Location": "http://127.0.0.2/"}, "pending", True, 5, 6),
        (400, {}, "pending", True, 5, 6),
        (401, {}, "pending", True, 5, 6),
        (404, {}, "pending", True, 5, 6),
        (410, {}, "pending", False, 5, 6),
        (429, {"Retry-After": "600"}, "pending", True, 600, 600),
        (429, {}, "pending", True, 5, 6),
        (500, {}, "pending", True, 5, 6),
        (502, {}, "pending", True, 5, 6),
        (503, {"Retry-After": "Mon, 01 Mar 2027 10:00:00 GMT"}, "pending", True, 3600, 3600),
        (504, {}, "pending", True, 5, 6),
    ],
)
def test_each_status_code_is_handled_per_the_policy(project, receiver, code, headers, status, endpoint_active, earliest,
                                                    latest):  # fmt: skip
    # given
    endpoint_at(project, receiver.url)
    outbox = emit(project, "created", "sub-1")
    receiver.responder = lambda index, request: (code, headers)

    # when
    with time_machine.travel(T0, tick=False):
        result = send_due()

    # then
    delivery = WebhookDelivery.objects.get(event=outbox)
    assert result == [status]
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (status, 1, code)
    assert len(receiver.requests) == 1  # redirects are never followed
    assert WebhookEndpoint.objects.get(project=project).is_active is endpoint_active
    if earliest is not None:
        wait = (delivery.next_attempt_at - T0).total_seconds()
        assert earliest <= wait <= latest
        assert delivery.sealed_body is not None  # kept for the retry


def test_the_schedule_spans_at_least_72_hours_then_dead_letters_and_replays_with_the_same_id(project, receiver):
    # given
    endpoint_at(project, receiver.url)
    outbox = emit(project, "created", "sub-1")
    receiver.responder = lambda index, request: (500, {})
    delivery = WebhookDelivery.objects.get(event=outbox)

    # when: the fake clock steps to each scheduled attempt
    times = []
    clock = T0
    for _ in range(schedule.MAX_ATTEMPTS):
        with time_machine.travel(clock, tick=False):
            assert send_due() != []
        times.append(clock)
        delivery.refresh_from_db()
        if delivery.status == DeliveryStatus.DEAD:
            break
        with time_machine.travel(delivery.next_attempt_at - dt.timedelta(seconds=1), tick=False):
            assert send_due() == []  # nothing goes early
        clock = delivery.next_attempt_at

    # then
    assert delivery.status == DeliveryStatus.DEAD
    assert delivery.attempts == schedule.MAX_ATTEMPTS == 10
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
    assert all(base <= gap <= base * 1.2 for gap, base in zip(gaps, schedule.RETRY_DELAYS, strict=True))
    assert times[-1] - times[0] >= dt.timedelta(hours=72)
    ids = {r.headers["webhook-id"] for r in receiver.requests}
    assert ids == {delivery.webhook_id}

    # when: replayed from the dead letters
    receiver.responder = lambda index, request: (200, {})
    replay_at = clock + dt.timedelta(days=1)
    with time_machine.travel(replay_at, tick=False):
        webhook_delivery_replay(project=project, webhook_id=delivery.webhook_id, actor=ACTOR)
        assert send_due() == ["delivered"]

    # then
    last = receiver.requests[-1]
    assert last.headers["webhook-id"] == delivery.webhook_id
    assert last.headers["webhook-timestamp"] == str(int(replay_at.timestamp()))
    assert last.body == receiver.requests[0].body


def test_only_a_dead_lettered_delivery_can_be_replayed(project, receiver):
    # given
    endpoint_at(project, receiver.url)
    delivery = WebhookDelivery.objects.get(event=emit(project, "created", "sub-1"))

    # when
    with pytest.raises(WebhookError):
        webhook_delivery_replay(project=project, webhook_id=delivery.webhook_id, actor=ACTOR)

    # then
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)


def test_an_endpoint_failing_for_5_days_is_disabled_and_nothing_more_is_sent(project, receiver):
    # given
    endpoint = endpoint_at(project, receiver.url)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=T0 - dt.timedelta(days=5))
    emit(project, "created", "sub-1")
    receiver.responder = lambda index, request: (500, {})

    # when
    with time_machine.travel(T0, tick=False):
        send_due()
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        later = send_due()

    # then
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.disabled_reason) == (False, "Every delivery failed for 5 days.")
    assert later == []
    assert len(receiver.requests) == 1


def test_a_success_ends_a_failing_streak_and_a_failure_starts_one(project, receiver):
    # given: an endpoint failing for two days
    endpoint = endpoint_at(project, receiver.url)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=T0 - dt.timedelta(days=2))
    emit(project, "created", "sub-1")

    # when: a delivery succeeds
    with time_machine.travel(T0, tick=False):
        assert send_due() == ["delivered"]

    # then: the streak is over
    endpoint.refresh_from_db()
    assert (endpoint.failing_since, endpoint.is_active) == (None, True)

    # when: the next one fails
    receiver.responder = lambda index, request: (500, {})
    emit(project, "created", "sub-2")
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        assert send_due() == ["pending"]

    # then: a new streak starts at that failure
    endpoint.refresh_from_db()
    assert endpoint.failing_since == T0 + dt.timedelta(hours=1)


def test_removing_the_url_cancels_deliveries_not_yet_made(project, receiver):
    # given
    endpoint_at(project, receiver.url)
    emit(project, "created", "sub-1")

    # when
    endpoint_at(project, "")

    # then
    with time_machine.travel(T0, tick=False):
        assert send_due() == []
    assert (WebhookDelivery.objects.count(), len(receiver.requests)) == (0, 0)


def test_a_worker_killed_mid_delivery_sends_once_more_with_the_same_id(project, receiver):
    # given: the POST reaches the receiver, then the worker dies before recording it
    endpoint_at(project, receiver.url)
    outbox = emit(project, "approved", "sub-1")
    delivery = WebhookDelivery.objects.get(event=outbox)
    with time_machine.travel(T0, tick=False), mock.patch("webhooks.services.send._record", side_effect=SystemExit):
        with pytest.raises(SystemExit):
            webhook_delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.IN_FLIGHT

    # when: the lease runs out and the sweeper hands it to a worker again
    with time_machine.travel(T0 + dt.timedelta(seconds=30), tick=False):
        assert send_due() == []  # still leased to the dead worker
    with time_machine.travel(T0 + dt.timedelta(seconds=61), tick=False):
        statuses = send_due()

    # then
    assert statuses == ["delivered"]
    assert [r.headers["webhook-id"] for r in receiver.requests] == [delivery.webhook_id] * 2
    assert receiver.requests[0].body == receiver.requests[1].body


def test_the_sweeper_queues_each_due_delivery_once_per_30_seconds(project, receiver):
    # given
    endpoint_at(project, receiver.url)
    emit(project, "created", "sub-1")
    emit(project, "created", "sub-2")
    emit(project, "submit", "sub-2")

    # when
    with mock.patch("webhooks.tasks.webhook_delivery_send_task.delay", autospec=True) as delay:
        with time_machine.travel(T0, tick=False):
            first = webhook_deliveries_sweep()
            again = webhook_deliveries_sweep()
        with time_machine.travel(T0 + dt.timedelta(seconds=31), tick=False):
            later = webhook_deliveries_sweep()

    # then
    heads = list(WebhookDelivery.objects.filter(sequence=1).order_by("pk").values_list("pk", flat=True))
    assert (first, again, later) == (2, 0, 2)
    assert [call.args[0] for call in delay.call_args_list] == heads + heads
    assert len(receiver.requests) == 0


def test_a_delivery_whose_worker_dies_on_the_last_attempt_is_dead_lettered_not_retried_forever(project, receiver):
    # given: the 10th attempt was claimed and its worker never came back
    endpoint_at(project, receiver.url)
    delivery = WebhookDelivery.objects.get(event=emit(project, "created", "sub-1"))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.IN_FLIGHT, attempts=schedule.MAX_ATTEMPTS, locked_until=T0
    )

    # when
    with mock.patch("webhooks.tasks.webhook_delivery_send_task.delay", autospec=True) as delay:
        with time_machine.travel(T0 + dt.timedelta(seconds=1), tick=False):
            webhook_deliveries_sweep()

    # then
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == ("dead", "No worker finished the last attempt.")
    assert delay.call_count == 0
    assert receiver.requests == []
