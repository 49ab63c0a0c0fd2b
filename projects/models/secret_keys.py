from __future__ import annotations

from django.conf import settings
from django.db import models

SECRET_KEY_LENGTH = 40
# Purpose of the master-key derivation that seals the secretKey's payload key (idcheck.lib.crypto).
SECRET_KEY_PAYLOAD_PURPOSE = "secret-key-payload-key"


def secret_key_aad(project_id: object) -> bytes:
    """What the sealed payload key is bound to: its project (one secretKey per project)."""
    return f"project_secret_key:{project_id}".encode()


class ProjectSecretKey(models.Model):
    """A project's secretKey (spec §5.1): the alternative to the API key as payload-key material.

    The string is shown once and never stored; only the payload key it yields (its SHA-256, the
    AES key itself) is kept, sealed under the master key. Reissuing replaces it in place.
    """

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="secret_key")
    payload_key_sealed = models.BinaryField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"secretKey of project {self.project_id}"
