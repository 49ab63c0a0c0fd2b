"""One attempt of one delivery (G4, G7, G8): claim it, render and seal its body at the first
attempt (under Secure Data Transfer, encrypted with the project's payload key), sign, POST
through ``idcheck.lib.http``, record the attempt, schedule the retry or dead-letter it, and
disable an endpoint that answers 410 or has failed for five days."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from idcheck.lib import http
from idcheck.lib.crypto import seal, unseal
from projects.actors import Actor
from projects.models import Project
from projects.services import audit_record
from webhooks import registry, schedule, signing
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookOutbox
from webhooks.services.due import webhook_delivery_claim
from webhooks.services.emit import wake_after_commit
from webhooks.services.endpoints import webhook_secrets_live
from webhooks.services.errors import WebhookError

logger = logging.getLogger(__name__)

BODY_PURPOSE = "webhook-body"
DISABLE_AFTER = dt.timedelta(days=5)


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
    if not webhook_delivery_claim(delivery_id, now):
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
        wake_after_commit(following)
