from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

API_KEY_LENGTH = 40
API_KEY_PREFIX_LENGTH = 8
# Purposes of the keys derived from the master key for API keys (idcheck.lib.crypto).
API_KEY_HASH_PURPOSE = "api-key-hash"
PAYLOAD_KEY_PURPOSE = "api-key-payload-key"


def payload_key_aad(api_key_id: object) -> bytes:
    """What the sealed payload key is bound to: its own key row."""
    return f"api_key:{api_key_id}".encode()


class ApiKey(models.Model):
    """A project's ``x-api-key``. Only a lookup prefix and a keyed hash are stored.

    The spec derives the payload-encryption key as SHA-256 of the key string, so that
    digest is itself a secret: it is kept sealed under the master key, never in the clear.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="api_keys")
    prefix = models.CharField(max_length=API_KEY_PREFIX_LENGTH, db_index=True)
    key_hash = models.CharField(max_length=64)
    payload_key_sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # At most one live key per project, as in the original (rotation revokes the old one).
            models.UniqueConstraint(
                fields=["project"], condition=models.Q(revoked_at__isnull=True), name="api_key_one_live_per_project"
            ),
        ]

    def __str__(self) -> str:
        return f"API key {self.id} of {self.project_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
