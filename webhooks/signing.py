"""Standard Webhooks signatures (G6, RELIABILITY.md A1). Plain Python, no Django.

Secrets are ``whsec_`` + base64 of 32 random bytes, one set per endpoint. The signed content is
exactly ``{webhook-id}.{webhook-timestamp}.{body}`` over the bytes sent, HMAC-SHA256, shown as
``v1,<base64>``. During a rotation every live secret signs, newest first, space-separated, so a
receiver holding either the old or the new secret verifies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _secret_bytes(secret: str) -> bytes:
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    return base64.b64decode(secret[len(SECRET_PREFIX) :])


def signature(secret: str, *, msg_id: str, timestamp: int, body: bytes) -> str:
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_secret_bytes(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(secrets_newest_first: Iterable[str], *, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers of one attempt."""
    if "." in msg_id:
        raise ValueError("a webhook id must not contain '.'")
    signatures = [signature(secret, msg_id=msg_id, timestamp=timestamp, body=body) for secret in secrets_newest_first]
    if not signatures:
        raise ValueError("at least one secret must sign")
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
    }
