from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

INVITATION_LIFETIME = dt.timedelta(days=7)


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    REVIEWER = "reviewer", "Reviewer"
    VIEWER = "viewer", "Viewer"


# What each role may do; the dashboard and the services ask these, never the role name.
ROLE_CAN_MANAGE = {Role.OWNER}
ROLE_CAN_REVIEW = {Role.OWNER, Role.REVIEWER}


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "project"], name="membership_unique_user_project")]

    def __str__(self) -> str:
        return f"{self.user} in {self.project.pid} as {self.role}"

    @property
    def can_manage(self) -> bool:
        return self.role in ROLE_CAN_MANAGE

    @property
    def can_review(self) -> bool:
        return self.role in ROLE_CAN_REVIEW


def invitation_expiry() -> dt.datetime:
    return timezone.now() + INVITATION_LIFETIME


class Invitation(models.Model):
    """An admin invited by e-mail who has no account yet; the link works for 7 days."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.project.pid}"

    def is_pending(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now
