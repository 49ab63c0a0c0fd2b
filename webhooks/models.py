"""The webhook outbox: one row per event, committed in the same transaction as the change (G3).

Delivery (endpoints, signing, attempts, retries) is a later issue; until then rows only
accumulate with ``delivered_at`` NULL. ``webhooks`` knows event names and payload dicts, never
submissions: ``resource_id`` is the id the event is about (a submission id for every event
so far), not a foreign key.

Payloads are *thin* and carry no PII: ids, the trigger, the KYC outcome and its timestamps.
The spec's personal fields (e-mail, userid, cf1–cf3, names, birth date…) are to be filled in
at delivery from the submission's sealed data, so destroying a submission's data key also
removes them from every delivery not yet made (G17, G19).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class WebhookOutbox(models.Model):
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=40)  # the spec's webhook_trigger: created, submit, approved…
    resource_id = models.CharField(max_length=64)
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
