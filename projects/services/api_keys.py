"""Issuing, rotating and revoking a project's API key (shown once, stored hashed)."""

from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from idcheck.lib.crypto import keyed_hash, seal
from projects.actors import Actor
from projects.models import ApiKey, Project
from projects.models.api_keys import (
    API_KEY_HASH_PURPOSE,
    API_KEY_LENGTH,
    API_KEY_PREFIX_LENGTH,
    PAYLOAD_KEY_PURPOSE,
    payload_key_aad,
)
from projects.services.audit import audit_record

_KEY_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    plaintext: str  # shown to the person once, never stored


def _new_key_string() -> str:
    return "".join(secrets.choice(_KEY_ALPHABET) for _ in range(API_KEY_LENGTH))


@transaction.atomic
def api_key_issue(*, project: Project, actor: Actor) -> IssuedApiKey:
    """Create the project's key; an existing live key is revoked in the same transaction."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    revoked = ApiKey.objects.filter(project=project, revoked_at__isnull=True).update(revoked_at=timezone.now())
    plaintext = _new_key_string()
    api_key = ApiKey(
        project=project,
        prefix=plaintext[:API_KEY_PREFIX_LENGTH],
        key_hash=keyed_hash(plaintext, purpose=API_KEY_HASH_PURPOSE),
        created_by=actor.user,
    )
    # The spec's payload key is SHA-256(key string): a secret of its own, so sealed.
    api_key.payload_key_sealed = seal(
        hashlib.sha256(plaintext.encode()).digest(),
        purpose=PAYLOAD_KEY_PURPOSE,
        aad=payload_key_aad(api_key.id),
    )
    api_key.save()
    audit_record(
        actor=actor,
        action="api_key.rotated" if revoked else "api_key.created",
        project=project,
        target_type="api_key",
        target_id=str(api_key.id),
        details={"revoked_previous": revoked},
    )
    return IssuedApiKey(api_key=api_key, plaintext=plaintext)


@transaction.atomic
def api_key_revoke(*, project: Project, actor: Actor) -> int:
    """Revoke the live key (the project then has none until one is issued)."""
    live = list(ApiKey.objects.select_for_update().filter(project=project, revoked_at__isnull=True))
    for api_key in live:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, action="api_key.revoked", project=project, target_type="api_key", target_id=str(api_key.id)
        )
    return len(live)
