"""Writes of the webhooks app: emitting events, endpoints and secrets, delivering (G3–G8).

Delivery in short: ``webhook_event_emit`` writes the event and its delivery rows in the
caller's transaction and, after commit, wakes ``webhook_delivery_send_task``. The task claims
the row with a conditional UPDATE (pending and due, or in flight with an expired lease, and no
earlier event of the same resource still waiting: G5), renders and seals the body at the first
attempt, signs, POSTs through ``idcheck.lib.http`` and records the attempt. The beat task
``webhook_deliveries_sweep_task`` re-sends whatever is due, so a lost Celery message or a dead
worker only delays a delivery (RELIABILITY.md A7).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from idcheck.errors import ApplicationError
from idcheck.lib import http
from idcheck.lib.crypto import seal, unseal
from projects.actors import Actor
from projects.models import Project
from projects.services import audit_record
from webhooks import registry, schedule, signing
from webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookOutbox,
    WebhookSecret,
)

logger = logging.getLogger(__name__)

SECRET_PURPOSE = "webhook-secret"
BODY_PURPOSE = "webhook-body"
# How long a claimed delivery belongs to its worker: the 15 s timeout, rendering and margin.
LEASE = dt.timedelta(seconds=60)
# A sweep's wake-up call holds a due row this long, so the next sweep does not queue it again.
WAKE_HOLD = dt.timedelta(seconds=30)
ROTATION_OVERLAP = dt.timedelta(hours=24)
DISABLE_AFTER = dt.timedelta(days=5)
SWEEP_BATCH = 500
TEST_EVENT = "test"
WORKER_LOST = "No worker finished the last attempt."


class WebhookError(ApplicationError):
    code = "webhook_error"


# --- events


def webhook_event_emit(*, project: Project, event: str, resource_id: str, payload: dict[str, Any]) -> WebhookOutbox:
    """Record one event inside the caller's transaction (its change and the event commit or
    roll back together), numbered per resource, with a delivery to the project's endpoint.
    ``payload`` must hold no PII (see ``webhooks.models``)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("webhook_event_emit must run inside the transaction of the change it reports")
    outbox = WebhookOutbox.objects.create(
        project=project,
        event=event,
        resource_id=resource_id,
        sequence=_next_sequence(project, resource_id),
        payload=payload,
    )
    endpoint = WebhookEndpoint.objects.filter(project=project).first()
    if endpoint is not None:
        delivery = WebhookDelivery.objects.create(
            event=outbox, endpoint=endpoint, project=project, resource_id=resource_id, sequence=outbox.sequence
        )
        if endpoint.is_active:
            _wake_after_commit(delivery.pk)
    return outbox


def _next_sequence(project: Project, resource_id: str) -> int:
    """1, 2, 3… per resource; the upsert keeps the counter row locked until commit."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO webhooks_webhooksequence (project_id, resource_id, last) VALUES (%s, %s, 1) "
            "ON CONFLICT (project_id, resource_id) DO UPDATE SET last = webhooks_webhooksequence.last + 1 "
            "RETURNING last",
            [project.pk, resource_id],
        )
        return int(cursor.fetchone()[0])


def _wake_after_commit(delivery_id: int) -> None:
    """Queue the first attempt after commit. Embedded mode runs tasks inline, which would hold
    the request that changed the submission for up to 15 s: there ``send_webhooks --loop``
    (started by ``manage.py serve``) sends it within 5 s instead."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    transaction.on_commit(lambda: _wake(delivery_id))


def _wake(delivery_id: int) -> None:
    from webhooks.tasks import webhook_delivery_send_task

    try:
        webhook_delivery_send_task.delay(delivery_id)
    except Exception:  # the broker is down: the sweeper sends it once it is back (A7)
        logger.warning("could not queue webhook delivery %s; the sweeper will send it", delivery_id, exc_info=True)


# --- endpoint and secrets


def webhook_endpoint_set(*, project: Project, url: str) -> WebhookEndpoint | None:
    """Set (or with ``""`` remove) the project's URL; ``url`` was validated by the setting.
    A new endpoint gets its first secret; a changed URL re-enables a disabled endpoint;
    removing it cancels the deliveries not yet made."""
    endpoint = WebhookEndpoint.objects.filter(project=project).first()
    if not url:
        if endpoint is not None:
            endpoint.delete()
        return None
    if endpoint is None:
        endpoint = WebhookEndpoint.objects.create(project=project, url=url)
        _secret_add(endpoint)
        return endpoint
    if endpoint.url != url or not endpoint.is_active:
        endpoint.url, endpoint.is_active, endpoint.disabled_reason = url, True, ""
        endpoint.disabled_at = endpoint.failing_since = None
        endpoint.save()
    return endpoint


def webhook_endpoint_get(*, project: Project) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(project=project).first()


def webhook_url_of(project: Project) -> str:
    endpoint = webhook_endpoint_get(project=project)
    return endpoint.url if endpoint is not None else ""


def _secret_aad(endpoint_id: int) -> bytes:
    return f"webhooks.secret:{endpoint_id}".encode()


def _secret_add(endpoint: WebhookEndpoint) -> str:
    secret = signing.secret_generate()
    sealed = seal(secret.encode(), purpose=SECRET_PURPOSE, aad=_secret_aad(endpoint.pk))
    WebhookSecret.objects.create(endpoint=endpoint, sealed_secret=sealed)
    return secret


def webhook_secrets_live(endpoint: WebhookEndpoint, *, now: dt.datetime | None = None) -> list[str]:
    """The secrets that sign now, newest first (two during a rotation's overlap)."""
    now = now or timezone.now()
    rows = endpoint.secrets.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).order_by("-created_at", "-pk")
    return [
        unseal(bytes(row.sealed_secret), purpose=SECRET_PURPOSE, aad=_secret_aad(endpoint.pk)).decode() for row in rows
    ]


@transaction.atomic
def webhook_secret_rotate(*, project: Project, actor: Actor) -> str:
    """A new secret signs from now on; the previous ones keep signing for 24 hours (G6)."""
    endpoint = WebhookEndpoint.objects.select_for_update().filter(project=project).first()
    if endpoint is None:
        raise WebhookError("Set a webhook URL first.")
    now = timezone.now()
    endpoint.secrets.filter(expires_at__isnull=True).update(expires_at=now + ROTATION_OVERLAP)
    secret = _secret_add(endpoint)
    audit_record(actor=actor, action="webhook.secret_rotated", project=project, target_type="webhook_endpoint",
                 target_id=str(endpoint.pk))  # fmt: skip
    return secret


# --- dashboard actions


@transaction.atomic
def webhook_test_send(*, project: Project, actor: Actor) -> WebhookDelivery:
    """A ``test`` event to the endpoint: one attempt, no retry, visible in the delivery log."""
    endpoint = WebhookEndpoint.objects.filter(project=project).first()
    if endpoint is None:
        raise WebhookError("Set a webhook URL first.")
    now = timezone.now()
    payload = {"webhook_trigger": TEST_EVENT, "project_id": project.pid, "sent_at": now.isoformat()}
    outbox = WebhookOutbox.objects.create(project=project, event=TEST_EVENT, resource_id=TEST_EVENT,
                                          sequence=_next_sequence(project, TEST_EVENT), payload=payload)  # fmt: skip
    delivery = WebhookDelivery.objects.create(event=outbox, endpoint=endpoint, project=project, resource_id=TEST_EVENT,
                                              sequence=outbox.sequence, is_test=True)  # fmt: skip
    audit_record(actor=actor, action="webhook.test_sent", project=project, target_type="webhook_delivery",
                 target_id=delivery.webhook_id)  # fmt: skip
    _wake_after_commit(delivery.pk)
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
    _wake_after_commit(delivery.pk)
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
        _wake_after_commit(delivery.pk)
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
    _wake_after_commit(delivery.pk)
    return delivery


# Delivered rows (and their attempts) are kept this long for the log; dead letters longer, for replay.
KEEP_DELIVERED = dt.timedelta(days=30)
KEEP_DEAD = dt.timedelta(days=90)


def webhook_deliveries_prune(*, now: dt.datetime | None = None) -> int:
    """Delete deliveries delivered over 30 days ago and dead letters over 90 days old, with their
    attempts; the events themselves stay in the outbox. Returns how many deliveries went."""
    now = now or timezone.now()
    old = Q(status=DeliveryStatus.DELIVERED, delivered_at__lt=now - KEEP_DELIVERED) | Q(
        status=DeliveryStatus.DEAD, dead_at__lt=now - KEEP_DEAD
    )
    deleted, by_model = WebhookDelivery.objects.filter(old).delete()
    return by_model.get(WebhookDelivery._meta.label, 0)


# --- delivery


def _earlier_waiting() -> Exists:
    """An earlier event of the same resource to the same endpoint is not delivered or dead yet."""
    return Exists(
        WebhookDelivery.objects.filter(
            endpoint=OuterRef("endpoint"),
            resource_id=OuterRef("resource_id"),
            sequence__lt=OuterRef("sequence"),
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT],
        )
    )


def _due(now: dt.datetime) -> Q:
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.IN_FLIGHT, locked_until__lt=now
    )


def webhook_deliveries_due(*, now: dt.datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    """Ids of deliveries that may be attempted now: due, endpoint active, first in line."""
    now = now or timezone.now()
    rows = (
        WebhookDelivery.objects.filter(_due(now), endpoint__is_active=True)
        .exclude(_earlier_waiting())
        .order_by("next_attempt_at", "pk")
    )
    return list(rows.values_list("pk", flat=True)[:limit])


def webhook_deliveries_sweep(*, now: dt.datetime | None = None) -> int:
    """Queue a send for every due delivery not queued in the last 30 s; returns how many."""
    now = now or timezone.now()
    # A delivery whose worker died on its last attempt (or on every one) is not tried forever.
    WebhookDelivery.objects.filter(
        status=DeliveryStatus.IN_FLIGHT, locked_until__lt=now, attempts__gte=schedule.MAX_ATTEMPTS
    ).update(status=DeliveryStatus.DEAD, dead_at=now, locked_until=None, last_error=WORKER_LOST)
    due = webhook_deliveries_due(now=now)
    fresh = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    woken = list(
        WebhookDelivery.objects.filter(fresh, pk__in=due, status=DeliveryStatus.PENDING).values_list("pk", flat=True)
    )
    WebhookDelivery.objects.filter(pk__in=woken).update(locked_until=now + WAKE_HOLD)
    # In flight with an expired lease: its worker is gone (rare; a duplicate wake is harmless).
    lost = list(
        WebhookDelivery.objects.filter(pk__in=due, status=DeliveryStatus.IN_FLIGHT).values_list("pk", flat=True)
    )
    for delivery_id in woken + lost:
        _wake(delivery_id)
    return len(woken) + len(lost)


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    """One conditional UPDATE on the delivery row itself (no join, so no ``id IN (…)`` form):
    a second worker blocked on the row re-checks the status against the new version and gets 0."""
    active = Exists(WebhookEndpoint.objects.filter(pk=OuterRef("endpoint_id"), is_active=True))
    claimed = (
        WebhookDelivery.objects.filter(_due(now), active, pk=delivery_id)
        .exclude(_earlier_waiting())
        .update(status=DeliveryStatus.IN_FLIGHT, locked_until=now + LEASE, attempts=F("attempts") + 1)
    )
    return claimed == 1


def _body_aad(delivery_id: int) -> bytes:
    return f"webhooks.delivery.body:{delivery_id}".encode()


def _rendered_body(delivery: WebhookDelivery) -> bytes:
    """The bytes of this delivery, rendered and sealed once at its first attempt."""
    if delivery.sealed_body is None:
        event = delivery.event
        payload = registry.payload_fill(
            project=delivery.project, event=event.event, resource_id=event.resource_id, payload=dict(event.payload)
        )
        payload["sequence"] = delivery.sequence
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        if delivery.project.secure_transfer:
            body = _secure_transfer_body(delivery.project, body)
        sealed = seal(body, purpose=BODY_PURPOSE, aad=_body_aad(delivery.pk))
        if WebhookDelivery.objects.filter(pk=delivery.pk, sealed_body__isnull=True).update(sealed_body=sealed):
            return body
        delivery.refresh_from_db(fields=["sealed_body"])
    return unseal(bytes(delivery.sealed_body), purpose=BODY_PURPOSE, aad=_body_aad(delivery.pk))


def _secure_transfer_body(project: Project, plaintext: bytes) -> bytes:
    """``{"data": …}`` under the project's payload key (its API key's or secretKey's, spec §5.1)."""
    from idcheck.lib.crypto import payload_encrypt_cbc, payload_encrypt_gcm
    from projects.models import EncryptionKeySource, PayloadCipher
    from projects.selectors import project_payload_key

    key = project_payload_key(project=project)
    if key is None:
        missing = "a secretKey" if project.encryption_key == EncryptionKeySource.SECRET_KEY else "a live API key"
        raise WebhookError(f"Secure Data Transfer needs {missing} to encrypt with.")
    encrypt = payload_encrypt_cbc if project.secure_transfer_cipher == PayloadCipher.CBC else payload_encrypt_gcm
    return json.dumps({"data": encrypt(plaintext, key=key)}, separators=(",", ":")).encode()


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None
    error: str
    duration_ms: int
    headers: dict[str, str]


def webhook_delivery_send(*, delivery_id: int) -> str | None:
    """One attempt of one delivery, if it is still due and first in line; returns its new status."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.select_related("event", "endpoint", "project").get(pk=delivery_id)
    result = _attempt(delivery, now)
    return _record(delivery, result, started_at=now)


def _attempt(delivery: WebhookDelivery, now: dt.datetime) -> AttemptResult:
    try:
        body = _rendered_body(delivery)
        secrets = webhook_secrets_live(delivery.endpoint, now=now)
        headers = signing.signed_headers(secrets, msg_id=delivery.webhook_id, timestamp=int(now.timestamp()), body=body)
    except WebhookError as exc:
        return AttemptResult(None, exc.message, 0, {})
    headers["content-type"] = "application/json"
    headers["user-agent"] = "IDCheck-Webhooks/1"
    try:
        response = http.request("POST", delivery.endpoint.url, body=body, headers=headers)
    except http.OutboundRefused as exc:
        return AttemptResult(None, f"refused: {exc}", 0, {})
    except http.OutboundFailed as exc:
        return AttemptResult(None, str(exc), 0, {})
    return AttemptResult(response.status, "", response.duration_ms, response.headers)


@transaction.atomic
def _record(delivery: WebhookDelivery, result: AttemptResult, *, started_at: dt.datetime) -> str:
    now = timezone.now()
    code = result.status_code
    error = result.error or (_status_error(code) if code is not None else "")
    WebhookAttempt.objects.create(delivery=delivery, started_at=started_at, duration_ms=result.duration_ms,
                                  status_code=code, error=error[:300])  # fmt: skip
    # ``delivery`` was read after its claim counted this attempt: its ``attempts`` is current.
    changes: dict[str, Any] = {"last_status_code": code, "last_error": error[:300], "locked_until": None}
    if code is not None and 200 <= code < 300:
        changes.update(status=DeliveryStatus.DELIVERED, delivered_at=now, sealed_body=None)
        WebhookOutbox.objects.filter(pk=delivery.event_id, delivered_at__isnull=True).update(delivered_at=now)
        # A success needs no lock on the endpoint, only to end a failing streak, and only when one
        # was running as the delivery was read: the busy path of a healthy receiver stays lock-free.
        if delivery.endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(failing_since=None)
    else:
        changes.update(_failure_changes(delivery, code, result.headers, now))
        if not delivery.is_test:
            endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
            _endpoint_failed(endpoint, code, now)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**changes)
    status = changes.get("status", DeliveryStatus.PENDING)
    if status in (DeliveryStatus.DELIVERED, DeliveryStatus.DEAD) and not delivery.is_test:
        _wake_next(delivery)
    return status


def _status_error(code: int) -> str:
    if 200 <= code < 300:
        return ""
    if 300 <= code < 400:
        return f"HTTP {code}: redirects are not followed"
    return f"HTTP {code}"


def _failure_changes(delivery: WebhookDelivery, code: int | None, headers: dict[str, str], now: dt.datetime) -> dict:
    delay = None if delivery.is_test else schedule.retry_delay(delivery.attempts)
    if delay is None:
        return {"status": DeliveryStatus.DEAD, "dead_at": now}
    if code in schedule.SLOW_DOWN:
        delay = max(delay, schedule.retry_after_seconds(headers, now=now) or 0.0)
    return {"status": DeliveryStatus.PENDING, "next_attempt_at": now + dt.timedelta(seconds=delay)}


def _endpoint_failed(endpoint: WebhookEndpoint, code: int | None, now: dt.datetime) -> None:
    """410 disables the endpoint at once; five days of nothing but failures disable it too."""
    if endpoint.failing_since is None:
        endpoint.failing_since = now
    reason = ""
    if code == 410:
        reason = "The receiver answered 410 Gone."
    elif now - endpoint.failing_since >= DISABLE_AFTER:
        reason = "Every delivery failed for 5 days."
    if reason and endpoint.is_active:
        endpoint.is_active, endpoint.disabled_reason, endpoint.disabled_at = False, reason, now
        audit_record(actor=Actor.system("webhooks"), action="webhook.endpoint_disabled", project=endpoint.project,
                     target_type="webhook_endpoint", target_id=str(endpoint.pk),
                     details={"status_code": code})  # fmt: skip
        endpoint_id = endpoint.pk
        transaction.on_commit(lambda: _notify_disabled(endpoint_id))
    endpoint.save(update_fields=["failing_since", "is_active", "disabled_reason", "disabled_at"])


def _notify_disabled(endpoint_id: int) -> None:
    from webhooks.notifications import webhook_endpoint_disabled_notify

    try:
        webhook_endpoint_disabled_notify(endpoint_id=endpoint_id)
    except Exception:  # the mail server is down: the dashboard and the Event Log still say it
        logger.warning("could not e-mail that webhook endpoint %s was disabled", endpoint_id, exc_info=True)


def _wake_next(delivery: WebhookDelivery) -> None:
    """The next event of the same resource may go now that this one is settled (G5)."""
    following = (
        WebhookDelivery.objects.filter(
            endpoint_id=delivery.endpoint_id,
            resource_id=delivery.resource_id,
            sequence__gt=delivery.sequence,
            status=DeliveryStatus.PENDING,
        )
        .order_by("sequence")
        .values_list("pk", flat=True)
        .first()
    )
    if following is not None:
        _wake_after_commit(following)
