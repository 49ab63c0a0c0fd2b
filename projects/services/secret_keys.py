"""Issuing and reissuing a project's secretKey (spec §5.1): shown once, only its payload key kept."""

from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from idcheck.lib.crypto import seal
from projects.actors import Actor
from projects.models import Project, ProjectSecretKey
from projects.models.secret_keys import SECRET_KEY_LENGTH, SECRET_KEY_PAYLOAD_PURPOSE, secret_key_aad
from projects.services.audit import audit_record

_KEY_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class IssuedSecretKey:
    secret_key: ProjectSecretKey
    plaintext: str  # shown to the person once, never stored


@transaction.atomic
def secret_key_issue(*, project: Project, actor: Actor) -> IssuedSecretKey:
    """A new secretKey (40 letters and digits from the CSPRNG, 238 bits); a previous one stops
    working at once, as the API key's rotation does. It becomes the payload key only where the
    project's ``encryption_key`` setting says ``secret_key``."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    plaintext = "".join(secrets.choice(_KEY_ALPHABET) for _ in range(SECRET_KEY_LENGTH))
    # The spec's payload key is SHA-256(key string): the AES key itself, so sealed.
    sealed = seal(hashlib.sha256(plaintext.encode()).digest(), purpose=SECRET_KEY_PAYLOAD_PURPOSE,
                  aad=secret_key_aad(project.pk))  # fmt: skip
    secret_key, created = ProjectSecretKey.objects.update_or_create(
        project=project, defaults={"payload_key_sealed": sealed, "created_at": timezone.now(), "created_by": actor.user}
    )
    audit_record(
        actor=actor,
        action="secret_key.created" if created else "secret_key.rotated",
        project=project,
        target_type="secret_key",
        target_id=project.pid,
    )
    return IssuedSecretKey(secret_key=secret_key, plaintext=plaintext)
