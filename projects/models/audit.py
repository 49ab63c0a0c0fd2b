from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """The Event Log: one append-only row per admin action, API mutation and deletion.

    Rows carry ids and action names only, never personal data or secrets. Each row's hash
    covers its content and the previous row's hash in the same chain (one chain per project,
    one for events without a project), so an edited or removed row breaks the chain.
    """

    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # PROTECT, not SET_NULL: rows are never updated (a trigger refuses it) and the ids are
    # part of each row's hash. Users are deactivated, not deleted.
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_api_key = models.ForeignKey(
        "projects.ApiKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=64)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    chain = models.CharField(max_length=16)
    sequence = models.PositiveBigIntegerField()
    previous_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["chain", "sequence"], name="audit_event_unique_chain_seq")]
        indexes = [models.Index(fields=["project", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_label}"


class AuditChainHead(models.Model):
    """The last hash of each chain; locking this row orders concurrent writers."""

    chain = models.CharField(max_length=16, unique=True)
    sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit chain {self.chain} at {self.sequence}"
