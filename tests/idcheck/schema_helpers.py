"""Reading the committed schema as a plain project sees it: each JSON body and answer is
``anyOf: [its own schema, Secure Data Transfer's envelope…]`` (idcheck/api_schema.py)."""

from __future__ import annotations

from typing import Any

ENVELOPES = {
    "#/components/schemas/SecureTransferEnvelope",
    "#/components/schemas/SecureTransferRequestEnvelope",
    "#/components/schemas/SecureTransferDecryptionFailed",
}


def without_envelope(schema: dict[str, Any]) -> dict[str, Any]:
    """The body's own schema: the first alternative when the others are only envelopes."""
    alternatives = schema.get("anyOf", [])
    if alternatives and all(alternative.get("$ref") in ENVELOPES for alternative in alternatives[1:]):
        return alternatives[0]
    return schema
