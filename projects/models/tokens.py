"""Private-mode token pool (spec §2.10–2.12, §6.5): the one-time Token IDs an integrator registers
so that only links carrying one of them open the project's Liveform."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class LiveformToken(models.Model):
    """One registered Token ID. Registering it again overwrites it (``updated_at`` moves, the use
    history starts afresh). ``expired_at`` is set when it expires, with the condition that did it
    (``count`` or ``time``); an expired token opens nothing and waits for deletion."""

    id = models.BigAutoField(primary_key=True)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="liveform_tokens")
    token_id = models.CharField(max_length=64)
    updated_at = models.DateTimeField(default=timezone.now)  # the spec's updateTime: last registration
    first_used_at = models.DateTimeField(null=True, blank=True)
    use_count = models.PositiveIntegerField(default=0)
    expired_at = models.DateTimeField(null=True, blank=True)
    expired_condition = models.CharField(max_length=8, blank=True)  # count | time

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "token_id"], name="liveform_token_unique"),
        ]
        indexes = [
            # GET /v3/submission/tokens lists by (updateTime, tokenId) with a keyset continuation
            models.Index(fields=["project", "updated_at", "token_id"], name="liveform_token_page_idx"),
            # the cleanup job's deletion of tokens expired long enough (projects.services.tokens)
            models.Index(
                fields=["expired_at"], name="liveform_token_expired_idx", condition=models.Q(expired_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"Token {self.token_id} of project {self.project_id}"


class PrivateMode(models.TextChoices):
    OFF = "off", "Off: any link opens the Liveform"
    POOL = "pool", "Pool: only Token IDs registered through the API"
    USAGE = "usage", "Usage: any Token ID, judged by its usage history"


class PrivateModeSettings(models.Model):
    """A project's private-mode settings (spec §6.5); a project without a row is in mode ``off``
    with no token expiry. ``expiry_uses``: a token expires at its n-th use; ``expiry_hours``: a
    token expires that many hours after it was registered (pool) or first used (usage)."""

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="private_mode_settings")
    mode = models.CharField(max_length=8, choices=PrivateMode.choices, default=PrivateMode.OFF)
    expiry_uses = models.PositiveIntegerField(null=True, blank=True)
    expiry_hours = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Private mode of project {self.project_id}: {self.mode}"
