from __future__ import annotations

import datetime as dt
import secrets
import string

from django.db import models
from django.utils import timezone

_ID_ALPHABET = string.ascii_lowercase + string.digits


def generate_submission_id() -> str:
    """``evcka62mes3ugzb_mg``-shaped ids as in the original: 15 + 2 random characters (≈ 88 bits)."""
    body = "".join(secrets.choice(_ID_ALPHABET) for _ in range(15))
    suffix = "".join(secrets.choice(_ID_ALPHABET) for _ in range(2))
    return f"{body}_{suffix}"


def now_to_the_millisecond() -> dt.datetime:
    """Creation times as precise as the API shows them, so a page cursor is exact."""
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class SubmissionStatus(models.TextChoices):
    INCOMPLETE = "incomplete", "Incomplete"
    PENDING = "pending", "Pending review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class SubmissionSource(models.TextChoices):
    LIVEFORM = "liveform", "Liveform"
    API = "api", "API"
    MIGRATION = "migration", "Migration"


class Submission(models.Model):
    id = models.CharField(primary_key=True, max_length=18, default=generate_submission_id, editable=False)
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField(max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.INCOMPLETE)
    source = models.CharField(max_length=10, choices=SubmissionSource.choices)
    created_at = models.DateTimeField(default=now_to_the_millisecond, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "-created_at", "-id"])]

    def __str__(self) -> str:
        return f"Submission {self.id}"
