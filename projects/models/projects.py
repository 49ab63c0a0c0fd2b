from __future__ import annotations

import datetime as dt
import secrets
import string

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

PID_ALPHABET = string.ascii_lowercase + string.digits
PID_LENGTH = 10


def generate_pid() -> str:
    return "".join(secrets.choice(PID_ALPHABET) for _ in range(PID_LENGTH))


class ProjectStatus(models.TextChoices):
    TEST = "TEST", "Test"
    OPEN = "OPEN", "Open"
    CLOSED = "CLOSED", "Closed"


class PayloadCipher(models.TextChoices):
    """Secure Data Transfer's cipher (spec §5, G18): ours both ways, or the original's modes."""

    GCM = "gcm", "AES-256-GCM"
    CBC = "cbc", "AES-256-CBC"  # the original's: requests AES-256-ECB, answers and webhooks AES-256-CBC


class EncryptionKeySource(models.TextChoices):
    """Which string's SHA-256 is the payload key (spec §5.1): the API key's or the secretKey's."""

    API_KEY = "api_key", "API key"
    SECRET_KEY = "secret_key", "secretKey"


class Project(models.Model):
    """A tenant: its own API key, credits, policy, Liveform look, webhooks and admins."""

    pid = models.CharField(
        max_length=PID_LENGTH,
        unique=True,
        default=generate_pid,
        validators=[RegexValidator(r"^[a-z0-9]{10}$", "pid is 10 lowercase letters or digits")],
    )
    name = models.CharField(max_length=120)
    status = models.CharField(max_length=8, choices=ProjectStatus.choices, default=ProjectStatus.TEST)
    emergency_stop = models.BooleanField(default=False, help_text="Halts the Liveform and submission intake at once.")
    credits = models.BigIntegerField(default=0)
    rate_limit_per_second = models.PositiveIntegerField(null=True, blank=True)
    rate_limit_per_day = models.PositiveIntegerField(null=True, blank=True)
    api_ip_allowlist = models.JSONField(default=list, blank=True)
    dashboard_ip_allowlist = models.JSONField(default=list, blank=True)
    # Privacy display: the dashboard shows ID images and selfies blurred until a reviewer reveals one.
    privacy_display = models.BooleanField(default=False)
    # The submission period (spec §8.14): outside it the Liveform shows ``period`` and the API
    # refuses new submissions; either bound may be open.
    submission_period_start = models.DateTimeField(null=True, blank=True)
    submission_period_end = models.DateTimeField(null=True, blank=True)
    # Secure Data Transfer (spec §4.14, §5): the /v3/ JSON bodies and the webhooks travel as
    # {"data": ciphertext}. The key source also serves the Liveform's ``encrypted`` and the Return URL.
    secure_transfer = models.BooleanField(default=False)
    secure_transfer_cipher = models.CharField(max_length=3, choices=PayloadCipher.choices, default=PayloadCipher.GCM)
    encryption_key = models.CharField(
        max_length=10, choices=EncryptionKeySource.choices, default=EncryptionKeySource.API_KEY
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pid"]
        constraints = [
            # Backstop only: debits are conditional UPDATEs (RELIABILITY.md G1, E1).
            models.CheckConstraint(condition=models.Q(credits__gte=0), name="project_credits_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.pid})"

    @property
    def effective_rate_limit_per_second(self) -> int:
        return self.rate_limit_per_second or settings.IDCHECK_RATE_LIMIT_PER_SECOND

    @property
    def effective_rate_limit_per_day(self) -> int:
        return self.rate_limit_per_day or settings.IDCHECK_RATE_LIMIT_PER_DAY

    def in_submission_period(self, now: dt.datetime) -> bool:
        starts, ends = self.submission_period_start, self.submission_period_end
        return (starts is None or now >= starts) and (ends is None or now < ends)

    @property
    def accepts_submissions(self) -> bool:
        return self.status != ProjectStatus.CLOSED and not self.emergency_stop
