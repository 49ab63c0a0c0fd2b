"""A submission's AML screening (spec §8.12) and the watch-list profiles it matched."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from submissions.models.submission import Submission


class AmlScreening(models.Model):
    """The submission's last AML screening (spec §8.12, ``submissions.services.aml``).

    ``current_status`` and ``risk_level_summary`` are the §4.10 values (no PII). Who was screened
    and what matched, with each match's explanation, is sealed under the submission's data key
    (``sealed_result``): a deletion that destroys the key makes it unreadable with the rest.
    """

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="aml_screening")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    current_status = models.CharField(max_length=20)  # Not Screened | Red Flag
    risk_level_summary = models.CharField(max_length=20)  # Not Screened | HIGH | MEDIUM | LOW
    threshold = models.PositiveSmallIntegerField()
    list_versions = models.JSONField(default=dict, blank=True)  # {source name: version} screened against
    screened_at = models.DateTimeField(default=timezone.now)
    sealed_result = models.BinaryField(null=True, editable=False)

    def __str__(self) -> str:
        return f"AML screening of {self.submission_id}: {self.current_status}"


class AmlMatch(models.Model):
    """One matched watch-list profile of a Red Flag screening; ``resource_id`` names its PDF report
    (``GET /v3/report/aml?resourceId=…``). Category and score only: the rest is sealed."""

    resource_id = models.CharField(max_length=32, unique=True)
    screening = models.ForeignKey(AmlScreening, on_delete=models.CASCADE, related_name="matches")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()  # 1 = the best score
    category = models.CharField(max_length=3)
    score = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["screening", "rank"]

    def __str__(self) -> str:
        return f"AML match {self.resource_id}"
