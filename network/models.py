"""IP-range lists (§8.10) and what the end user's client looked like (§8.11).

``IpRange``: one CIDR block of an operator-imported list (``manage.py import_ip_ranges``).
``start``/``end`` are the block's first and last address as 32-hex-digit keys in one 128-bit
space (``network.addresses``): indexed text, so the lookup is fast on PostgreSQL and works on
SQLite. ``cidr`` keeps the block as written, for people.

``SubmissionClient``: the end user's IP and user agent and the Liveform's device signals,
captured when the submission is created, and the verdicts the run reached. It names its
submission by id (a string) instead of a foreign key: ``submissions`` depends on this app, not
the other way round (DESIGN.md dependency direction), so deleting a submission must call
``network.services.submission_client_purge``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class RangeKind(models.TextChoices):
    VPN = "vpn", "VPN"
    PROXY = "proxy", "Proxy"
    TOR = "tor", "TOR"
    HOSTING = "hosting", "Hosting provider"


class IpRange(models.Model):
    kind = models.CharField(max_length=8, choices=RangeKind.choices)
    source = models.CharField(max_length=100)  # the list's name; --replace swaps one (source, kind) at once
    cidr = models.CharField(max_length=43)
    version = models.PositiveSmallIntegerField()  # 4 or 6
    start = models.CharField(max_length=32)
    end = models.CharField(max_length=32)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["start", "end"], name="iprange_start_end_idx")]
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "start", "end"], name="iprange_unique_per_list"),
        ]

    def __str__(self) -> str:
        return f"{self.cidr} ({self.kind}, {self.source})"


class IpOrigin(models.TextChoices):
    NONE = "", "Not given"
    REQUEST = "request", "The request's client address (Liveform)"
    DECLARED = "declared", "Declared by the integrator (API ipAddress)"


class SubmissionClient(models.Model):
    submission_id = models.CharField(max_length=32, unique=True)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    ip_origin = models.CharField(max_length=8, choices=IpOrigin.choices, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    signals = models.JSONField(default=dict, blank=True)  # DeviceSignals without the raw fingerprint
    device_hash = models.CharField(max_length=64, blank=True)  # keyed hash of the Liveform's fingerprint
    network_verdict = models.JSONField(null=True, blank=True)  # NetworkVerdict.to_json() of the last run
    device_verdict = models.JSONField(null=True, blank=True)  # DeviceAssessment.to_json() of the last run
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["project", "device_hash", "created_at"], name="subclient_device_idx"),
        ]

    def __str__(self) -> str:
        return f"Client of {self.submission_id}"
