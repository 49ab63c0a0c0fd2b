"""Webhooks: the outbox of events, each project's endpoint and secrets, deliveries and attempts.

``WebhookOutbox`` is the event: one row per state change, committed in the same transaction
as the change (G3), numbered per resource (``sequence``, 1, 2, 3… per submission, G5). When the
project has an endpoint, the same transaction writes one ``WebhookDelivery`` per event: the
delivery row *is* the outbox the sweeper reads (RELIABILITY.md A7), with its retry state in
PostgreSQL (``next_attempt_at``, ``attempts``, a lease ``locked_until``), never in Celery
countdowns. ``webhooks`` knows event names and payload dicts, never submissions:
``resource_id`` is the id the event is about (a submission id for every event so far).

Payloads are *thin* and carry no PII: ids, the trigger, the KYC outcome and its timestamps.
The spec's personal fields (e-mail, userid, cf1–cf3, names, birth date…) are filled in at the
first attempt by the function the ``submissions`` app registers (``webhooks.registry``), so a
submission deleted before its events went out sends none of its data. The rendered bytes are
then stored sealed (AES-256-GCM under a key derived from the master key) and every retry sends
exactly them; they are dropped once the receiver accepted them.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone


def generate_webhook_id() -> str:
    """The ``webhook-id`` of a delivery: random, stable across its retries, no ``.`` (A1)."""
    return "msg_" + secrets.token_hex(12)


class WebhookOutbox(models.Model):
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=40)  # the spec's webhook_trigger: created, submit, approved…
    resource_id = models.CharField(max_length=64)
    sequence = models.PositiveIntegerField(default=0)  # per (project, resource_id), from 1
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["project", "resource_id", "created_at"], name="webhook_outbox_resource_idx"),
            models.Index(fields=["delivered_at", "created_at"], name="webhook_outbox_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} for {self.resource_id}"


class WebhookSequence(models.Model):
    """The last ``sequence`` handed out per resource; incremented by an upsert that holds the
    row lock until the emitting transaction ends, so numbers follow commit order."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    resource_id = models.CharField(max_length=64)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "resource_id"], name="webhook_sequence_unique_resource"),
        ]

    def __str__(self) -> str:
        return f"sequence {self.last} of {self.resource_id}"


class WebhookEndpoint(models.Model):
    """The project's webhook URL (one per project, spec §4.1). Removing the URL deletes the row,
    which cancels its deliveries not yet made (G7)."""

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="webhook_endpoint")
    url = models.URLField(max_length=2000)
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)  # first failure since the last success
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"webhook endpoint of project {self.project_id}"


class WebhookSecret(models.Model):
    """A ``whsec_`` signing secret, sealed at rest. A rotation adds a new one and gives the old
    one ``expires_at``; until then both sign (G6)."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="secrets")
    sealed_secret = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"webhook secret {self.pk} of endpoint {self.endpoint_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_FLIGHT = "in_flight", "Sending"
    DELIVERED = "delivered", "Delivered"
    DEAD = "dead", "Dead-lettered"


class WebhookDelivery(models.Model):
    event = models.ForeignKey(WebhookOutbox, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    resource_id = models.CharField(max_length=64)
    sequence = models.PositiveIntegerField()
    is_test = models.BooleanField(default=False)  # "send test event": one attempt, no retry
    webhook_id = models.CharField(max_length=40, unique=True, default=generate_webhook_id)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)
    sealed_body = models.BinaryField(null=True, editable=False)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    dead_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_unique_event_endpoint"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
            models.Index(fields=["endpoint", "resource_id", "sequence"], name="webhook_delivery_order_idx"),
            models.Index(fields=["project", "-created_at"], name="webhook_delivery_log_idx"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.webhook_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One POST of a delivery: the dashboard's log. Response bodies are never kept (G8)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"attempt of delivery {self.delivery_id}: {self.status_code or self.error}"


class WebhookRecipient(models.Model):
    """A person told about the project's webhooks by e-mail: the endpoint's disabling and the
    daily summary. Managed on the dashboard's Webhooks page."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(fields=["project", "email"], name="webhook_recipient_unique_email"),
        ]

    def __str__(self) -> str:
        return f"webhook recipient {self.pk} of project {self.project_id}"


class WebhookDailySummary(models.Model):
    """One row per project and UTC day whose summary was sent: a second run sends nothing."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "day"], name="webhook_summary_unique_day"),
        ]

    def __str__(self) -> str:
        return f"webhook summary of {self.day} for project {self.project_id}"
