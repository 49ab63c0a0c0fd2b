from __future__ import annotations

from django.conf import settings
from django.db import models


class CreditReason(models.TextChoices):
    TOP_UP = "top_up", "Top-up"
    SUBMISSION = "submission", "Submission created"
    ADJUSTMENT = "adjustment", "Adjustment"


class CreditLedgerEntry(models.Model):
    """One row per credit movement; ``initial + Σ delta == balance`` always holds."""

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="credit_ledger")
    delta = models.BigIntegerField()
    balance_after = models.BigIntegerField()
    reason = models.CharField(max_length=16, choices=CreditReason.choices)
    submission = models.OneToOneField(
        "submissions.Submission", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_debit"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(delta=0), name="credit_ledger_delta_non_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.delta:+d} credits for {self.project_id} ({self.reason})"
