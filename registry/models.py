"""Operator-imported identity registries and each project's third-party providers.

``IdentityRegistry``: one imported file's records under a name (``manage.py
import_identity_registry FILE --name NAME``). ``IdentityRecord``: one person of it, stored only
as keyed hashes (HMAC-SHA256 under a key derived from the master key, ``registry.records``) of
each normalised field, so the table holds no plaintext PII and a look-up compares hashes. An
optional field the file left empty is stored as "" (never compared).

``ProjectThirdParty``: the project setting ``third_party_providers`` (sparse: no row, no
provider). This app depends on ``projects`` only; ``submissions`` calls it.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class IdentityRegistry(models.Model):
    name = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    imported_at = models.DateTimeField(default=timezone.now)  # the last import or replace
    record_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "identity registries"

    def __str__(self) -> str:
        return self.name


class IdentityRecord(models.Model):
    registry = models.ForeignKey(IdentityRegistry, on_delete=models.CASCADE, related_name="records")
    surname_hash = models.CharField(max_length=64)
    given_names_hash = models.CharField(max_length=64, blank=True)
    birth_date_hash = models.CharField(max_length=64)
    document_number_hash = models.CharField(max_length=64)
    nationality_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["registry", "document_number_hash"], name="idrecord_document_idx"),
            models.Index(fields=["registry", "surname_hash", "birth_date_hash"], name="idrecord_name_birth_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "registry",
                    "document_number_hash",
                    "birth_date_hash",
                    "surname_hash",
                    "given_names_hash",
                    "nationality_hash",
                ],
                name="idrecord_unique_per_registry",
            ),
        ]

    def __str__(self) -> str:
        return f"Record {self.pk} of {self.registry_id}"


class ProjectThirdParty(models.Model):
    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="+")
    providers = models.JSONField(default=list, blank=True)  # provider ids, in the order they run

    def __str__(self) -> str:
        return f"Third-party providers of {self.project_id}"
