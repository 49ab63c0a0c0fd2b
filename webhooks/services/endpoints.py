"""The project's webhook endpoint and its signing secrets (G6): setting or removing its URL,
reading it, the secrets that sign now, and rotation with a 24-hour overlap. Secrets are stored
sealed, bound to their endpoint."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from idcheck.lib.crypto import seal, unseal
from projects.actors import Actor
from projects.models import Project
from projects.services import audit_record
from webhooks import signing
from webhooks.models import WebhookEndpoint, WebhookSecret
from webhooks.services.errors import WebhookError

SECRET_PURPOSE = "webhook-secret"
ROTATION_OVERLAP = dt.timedelta(hours=24)


def webhook_endpoint_set(*, project: Project, url: str) -> WebhookEndpoint | None:
    """Set (or with ``""`` remove) the project's URL; ``url`` was validated by the setting.
    A new endpoint gets its first secret; a changed URL re-enables a disabled endpoint;
    removing it cancels the deliveries not yet made."""
    endpoint = WebhookEndpoint.objects.filter(project=project).first()
    if not url:
        if endpoint is not None:
            endpoint.delete()
        return None
    if endpoint is None:
        endpoint = WebhookEndpoint.objects.create(project=project, url=url)
        _secret_add(endpoint)
        return endpoint
    if endpoint.url != url or not endpoint.is_active:
        endpoint.url, endpoint.is_active, endpoint.disabled_reason = url, True, ""
        endpoint.disabled_at = endpoint.failing_since = None
        endpoint.save()
    return endpoint


def webhook_endpoint_get(*, project: Project) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(project=project).first()


def webhook_url_of(project: Project) -> str:
    endpoint = webhook_endpoint_get(project=project)
    return endpoint.url if endpoint is not None else ""


def _secret_aad(endpoint_id: int) -> bytes:
    return f"webhooks.secret:{endpoint_id}".encode()


def _secret_add(endpoint: WebhookEndpoint) -> str:
    secret = signing.secret_generate()
    sealed = seal(secret.encode(), purpose=SECRET_PURPOSE, aad=_secret_aad(endpoint.pk))
    WebhookSecret.objects.create(endpoint=endpoint, sealed_secret=sealed)
    return secret


def webhook_secrets_live(endpoint: WebhookEndpoint, *, now: dt.datetime | None = None) -> list[str]:
    """The secrets that sign now, newest first (two during a rotation's overlap)."""
    now = now or timezone.now()
    rows = endpoint.secrets.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).order_by("-created_at", "-pk")
    return [
        unseal(bytes(row.sealed_secret), purpose=SECRET_PURPOSE, aad=_secret_aad(endpoint.pk)).decode() for row in rows
    ]


@transaction.atomic
def webhook_secret_rotate(*, project: Project, actor: Actor) -> str:
    """A new secret signs from now on; the previous ones keep signing for 24 hours (G6)."""
    endpoint = WebhookEndpoint.objects.select_for_update().filter(project=project).first()
    if endpoint is None:
        raise WebhookError("Set a webhook URL first.")
    now = timezone.now()
    endpoint.secrets.filter(expires_at__isnull=True).update(expires_at=now + ROTATION_OVERLAP)
    secret = _secret_add(endpoint)
    audit_record(actor=actor, action="webhook.secret_rotated", project=project, target_type="webhook_endpoint",
                 target_id=str(endpoint.pk))  # fmt: skip
    return secret
