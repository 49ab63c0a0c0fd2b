"""Projections (spec §2.13): named lists of fields a project hides from the GET /v3/submission
items and the submit, approved and rejected webhooks of the Liveform sessions that chose one."""

from __future__ import annotations

import secrets
import string

from django.db import models
from django.utils import timezone

PROJECTION_ID_LENGTH = 13
_ID_ALPHABET = string.ascii_lowercase + string.digits


def projection_id_new() -> str:
    """13 lowercase letters and digits, as the spec's example ``55sqp8ma0jvwh``."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(PROJECTION_ID_LENGTH))


class Projection(models.Model):
    """One projection. ``fields`` are names of the spec's allow-list, in the order given.

    A submission keeps its own copy of ``fields`` with ``id`` (sealed metadata): changing the
    list later does not change what earlier submissions hide, and deleting the row shows
    everything again (spec §2.13)."""

    id = models.CharField(primary_key=True, max_length=PROJECTION_ID_LENGTH, default=projection_id_new)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="projections")
    name = models.CharField(max_length=64)
    mode = models.CharField(max_length=16, default="exclude")
    fields = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="projection_name_unique")]

    def __str__(self) -> str:
        return f"Projection {self.name} ({self.id}) of project {self.project_id}"


class ProjectionRequestKey(models.Model):
    """An ``Idempotency-Key`` of a projection request (G2), stored with what the request did
    (``result``: the projection as saved, or the id deleted) so that a retry with the same key
    and request is answered the same and changes nothing."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    result = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "key"], name="projection_request_key_unique")]

    def __str__(self) -> str:
        return f"Projection request key of project {self.project_id}"
