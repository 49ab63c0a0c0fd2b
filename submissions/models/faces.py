"""Face templates for the 1:N duplicate search, their removals (G19), and the project's Custom DI choice."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from submissions.models.submission import Submission


class FaceTemplateKind(models.TextChoices):
    PORTRAIT = "portrait", "Document portrait"
    SELFIE = "selfie", "Selfie"


class FaceTemplate(models.Model):
    """One face embedding of a submission for the 1:N duplicate search, sealed (G17).

    ``id`` only grows: a worker's in-memory index (``submissions.duplicates.face_index``) catches
    up with the rows above the highest id it has seen. A re-run replaces the row (a new id).
    """

    id = models.BigAutoField(primary_key=True)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="face_templates")
    kind = models.CharField(max_length=8, choices=FaceTemplateKind.choices)
    sealed_embedding = models.BinaryField(editable=False)  # 128 float32, sealed with the data key
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["project", "id"], name="face_template_catch_up_idx")]
        constraints = [models.UniqueConstraint(fields=["submission", "kind"], name="face_template_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} face of {self.submission_id}"


class FaceTemplateRemoval(models.Model):
    """A face forgotten (deletion, G19): other workers drop ``key`` from their in-memory index.

    Ids only (the index key is ``<submission id>`` or ``<submission id>:selfie``), never a vector.
    """

    id = models.BigAutoField(primary_key=True)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["project", "id"], name="face_removal_catch_up_idx")]

    def __str__(self) -> str:
        return f"forget face {self.key}"


class ProjectDuplicateSettings(models.Model):
    """The project's Custom DI: which collected values make it (spec §8.6); empty: none."""

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="duplicate_settings")
    custom_di_fields = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"duplicate settings of project {self.project_id}"
