"""Secure Data Transfer's project settings (spec §4.14, §5; G18), registered from
``ProjectsConfig.ready`` and shown on the dashboard's Security page.

``secure_transfer``: the /v3/ API's JSON bodies and the webhooks travel as ``{"data": …}``
(``idcheck.secure_transfer``, ``webhooks.services``). ``secure_transfer_cipher``: ``gcm`` or the
original's modes, ``cbc``. ``encryption_key``: whose SHA-256 is the key, the API key's or the
secretKey's; it serves the Liveform's ``encrypted`` and the Return URL too, whatever the switch.
docs/secure-data-transfer.md says it all for integrators.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from projects.models import EncryptionKeySource, PayloadCipher, Project
from projects.settings_registry import ProjectSetting, clean_bool, parse_bool, register

CIPHERS = (("gcm", "AES-256-GCM (recommended)"), ("cbc", "AES-256-CBC, original-compatible"))
KEY_SOURCES = (("api_key", "The API key"), ("secret_key", "The secretKey"))


def clean_cipher(value: Any) -> str:
    cipher = str(value).strip().lower()
    if cipher not in PayloadCipher.values:
        raise ValidationError("Choose gcm or cbc.")
    return cipher


def clean_key_source(value: Any) -> str:
    source = str(value).strip().lower()
    if source not in EncryptionKeySource.values:
        raise ValidationError("Choose api_key or secret_key.")
    return source


def _write_key_source(project: Project, value: str) -> None:
    """A secretKey must exist before it can be the key: otherwise every encrypted call, webhook
    and link would fail until one is issued."""
    from projects.selectors import secret_key_get
    from projects.services import InvalidSettings

    if value == EncryptionKeySource.SECRET_KEY and secret_key_get(project=project) is None:
        raise InvalidSettings({"encryption_key": "Issue a secretKey first (Security page)."})
    project.encryption_key = value


def _field(name: str) -> dict[str, Any]:
    return {
        "read": lambda project: getattr(project, name),
        "write": lambda project, value: setattr(project, name, value),
    }


def register_secure_transfer_settings() -> None:
    register(
        ProjectSetting(
            key="secure_transfer",
            label="Secure Data Transfer (API bodies and webhooks)",
            help=(
                'true: the /v3/ API\'s JSON requests and answers and the webhook bodies travel as {"data": "<ciphertext>"} '
                "under the SHA-256 of the encryption key (spec §4.14, §5; docs/secure-data-transfer.md)."
            ),
            parse=parse_bool,
            clean=clean_bool,
            render=lambda value: "true" if value else "false",
            choices=(("false", "Off"), ("true", "On")),
            **_field("secure_transfer"),
        )
    )
    register(
        ProjectSetting(
            key="secure_transfer_cipher",
            label="Secure Data Transfer cipher",
            help=(
                "gcm: base64(12-byte nonce | ciphertext | tag) both ways. cbc, the original's: API requests AES-256-ECB, "
                "answers and webhooks base64(16-byte IV | ciphertext), PKCS#7, for clients written for the original; "
                "neither has integrity of its own, so verify the webhook signature."
            ),
            parse=str,
            clean=clean_cipher,
            choices=CIPHERS,
            **_field("secure_transfer_cipher"),
        )
    )
    register(
        ProjectSetting(
            key="encryption_key",
            label="Encryption key",
            help=(
                "Whose SHA-256 encrypts Secure Data Transfer, the webhooks, the Liveform's encrypted parameter and "
                "the Return URL: api_key (the key in x-api-key) or secret_key (the secretKey issued below)."
            ),
            parse=str,
            clean=clean_key_source,
            read=lambda project: project.encryption_key,
            write=_write_key_source,
            choices=KEY_SOURCES,
        )
    )
