"""Liveform helpers kept in the database: the desktop-to-phone handoff and the SMS phone check."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class LiveformHandoff(models.Model):
    """A Liveform flow offered to a phone by a desktop's QR code (``submissions.flow.handoff``).

    The QR link carries a random token; only its SHA-256 is kept. It is good once and for
    ``HANDOFF_LIFETIME``: claiming it copies the desktop session's flow into a new session on the
    phone. ``session_key`` is the desktop's session, whose flow is then marked as handed off.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    flow = models.CharField(max_length=64)
    session_key = models.CharField(max_length=40)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"handoff of flow {self.flow}"


class PhoneVerification(models.Model):
    """One Liveform flow's SMS check of a phone number (``submissions.services.phone``).

    Holds no number and no code: ``code_hash`` is a keyed hash (under the master key) of the
    flow, the number the code was sent to and the code, so only the same number with the same
    code matches, and a database dump cannot be brute-forced. The counters are the throttles:
    ``sends`` and ``last_sent_at`` (codes per flow, time between codes), ``wrong_attempts``
    (wrong entries of the current code), ``number_hash`` (flows that texted one number lately).
    """

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    flow = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64, blank=True)
    # Keyed hash of the number the last code went to: the per-number limit across flows
    number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    wrong_attempts = models.PositiveSmallIntegerField(default=0)
    sends = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "flow"], name="phone_verification_one_per_flow")]

    def __str__(self) -> str:
        return f"phone verification of flow {self.flow}"
