"""Shared steps of the private-mode token tests: set a project's mode, read its pool and the
``token_expired`` events it emitted."""

from __future__ import annotations

from projects.models import LiveformToken
from projects.models.tokens import PrivateModeSettings
from webhooks.models import WebhookOutbox


def tokens_state(project) -> dict[str, tuple]:
    """Each token of the project's pool: (use count, first use, expiry, expiry condition)."""
    return {
        t.token_id: (t.use_count, t.first_used_at, t.expired_at, t.expired_condition)
        for t in LiveformToken.objects.filter(project=project)
    }


def private_mode_set(project, mode: str, *, uses: int | None = None, hours: int | None = None) -> None:
    PrivateModeSettings.objects.update_or_create(
        project=project, defaults={"mode": mode, "expiry_uses": uses, "expiry_hours": hours}
    )


def expired_events() -> list[dict]:
    return list(WebhookOutbox.objects.filter(event="token_expired").order_by("pk").values_list("payload", flat=True))
