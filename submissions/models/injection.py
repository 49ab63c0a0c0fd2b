"""Address injections (Liveform ``action=addveri``, spec §6.6) on existing submissions."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from submissions.models.submission import Submission, now_to_the_millisecond


class InjectionState(models.TextChoices):
    QUEUED = "queued", "Checks queued"
    COMPLETED = "completed", "Address replaced"
    FAILED = "failed", "Refused by a check"


class AddressInjection(models.Model):
    """One address injection (Liveform ``action=addveri``, spec §6.6) on an existing submission.

    While its checks are queued the row holds what the person declared, their IP and the link's
    options and echoes (``sealed_request``), and the proof of address as a sealed file written
    under the ``address`` image context, so it can become the submission's address image as it
    is. Once the checks are done (``submissions.services.injection``) the request and the file
    are dropped: a success copied them into the submission, a failure keeps nothing of them.
    ``sealed_echo`` keeps the link's cf1–cf3 and userid for the webhook, sealed like metadata.
    """

    id = models.BigAutoField(primary_key=True)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="injections")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=InjectionState.choices, default=InjectionState.QUEUED)
    created_at = models.DateTimeField(default=now_to_the_millisecond, editable=False)
    queued_at = models.DateTimeField(default=timezone.now)  # last sent to the worker (the sweeper re-sends)
    checked_at = models.DateTimeField(null=True, blank=True)
    # Set when the ipRisk check failed: later injections of the submission fail it until then
    # (``ipRiskDurationHours``, submissions.injection).
    ip_blocked_until = models.DateTimeField(null=True, blank=True)
    sealed_request = models.BinaryField(null=True, editable=False)
    sealed_echo = models.BinaryField(null=True, editable=False)
    storage_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["submission", "created_at"], name="injection_submission_idx")]

    def __str__(self) -> str:
        return f"address injection {self.pk} of {self.submission_id}: {self.state}"
