"""Per-submission data keys (G17): every byte of a submission's PII is sealed under its own key.

How the keys nest:

* The **data key** (DEK) is 32 random bytes made when the submission is created. It seals the
  stored images (``SubmissionImage``), the submitted metadata (e-mail, userid, cf1–cf3), every
  ``CheckResult.result``, the verification evidence and the decision trace, each with AES-256-GCM,
  a random 96-bit nonce and associated data that names the table, the field and the row, so a
  ciphertext copied to another row or field does not open.
* The DEK is stored only **wrapped**: sealed by ``idcheck.lib.crypto.seal`` under the key HKDF
  derives from ``IDCHECK_MASTER_KEY`` for :data:`WRAP_PURPOSE`, bound to the submission id. The
  master key lives in the environment (or ``var/master.key`` for the embedded demo), never in the
  database. A master-key rotation re-wraps DEKs (``IDCHECK_MASTER_KEY_PREVIOUS`` still opens the
  old wraps) without touching any blob.
* **Crypto-shredding**: clearing ``Submission.wrapped_data_key`` (set it to NULL; the deletion
  service's first step) destroys the DEK. Without it no image file, database row, backup or dump of this submission can be read again, whoever
  holds the master key: the DEK existed nowhere else (it is never logged, never put in a Celery
  message, never cached beyond one call).

Blob format: ``0x01 | nonce (12) | ciphertext+tag``.
"""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from idcheck.lib.crypto import DecryptionError, seal, unseal

if TYPE_CHECKING:
    from submissions.models import Submission

WRAP_PURPOSE = "submission-data-key"
# Where each sealed blob of a submission lives (part of its associated data).
METADATA_CONTEXT = "submissions.submission.metadata"
EVIDENCE_CONTEXT = "submissions.submission.evidence"
DECISION_CONTEXT = "submissions.submission.decision"
MEMO_CONTEXT = "submissions.submission.memo"
INJECTION_ACTION_CONTEXT = "submissions.submission.injection_action"
INJECTION_REQUEST_CONTEXT = "submissions.injection.request"  # + ":<injection id>"
INJECTION_ECHO_CONTEXT = "submissions.injection.echo"  # + ":<injection id>"
_VERSION = b"\x01"
_NONCE_LEN = 12


class DataKeyDestroyed(DecryptionError):
    """The submission's data key was destroyed (crypto-shredded): its data is gone for good."""


def new_wrapped_data_key(submission_id: str) -> bytes:
    """A fresh random DEK, returned only in its wrapped (sealed) form."""
    return seal(secrets.token_bytes(32), purpose=WRAP_PURPOSE, aad=_wrap_aad(submission_id))


def _wrap_aad(submission_id: str) -> bytes:
    return f"submissions.submission.wrapped_data_key:{submission_id}".encode()


def _data_key(submission: Submission) -> bytes:
    wrapped = submission.wrapped_data_key
    if not wrapped:
        raise DataKeyDestroyed
    return unseal(bytes(wrapped), purpose=WRAP_PURPOSE, aad=_wrap_aad(submission.pk))


def rewrap_data_key(submission: Submission) -> bytes:
    """The DEK sealed again under the current master key (after a rotation); blobs are untouched."""
    return seal(_data_key(submission), purpose=WRAP_PURPOSE, aad=_wrap_aad(submission.pk))


def _aad(submission: Submission, context: str) -> bytes:
    return f"{context}:{submission.pk}".encode()


def seal_bytes(submission: Submission, plaintext: bytes, *, context: str) -> bytes:
    """``context`` names where the blob lives (``table.field[.part]``); it must match on open."""
    nonce = secrets.token_bytes(_NONCE_LEN)
    return _VERSION + nonce + AESGCM(_data_key(submission)).encrypt(nonce, plaintext, _aad(submission, context))


def open_bytes(submission: Submission, blob: bytes, *, context: str) -> bytes:
    blob = bytes(blob)
    if len(blob) <= 1 + _NONCE_LEN or blob[:1] != _VERSION:
        raise DecryptionError
    key = _data_key(submission)
    try:
        return AESGCM(key).decrypt(blob[1 : 1 + _NONCE_LEN], blob[1 + _NONCE_LEN :], _aad(submission, context))
    except InvalidTag:
        raise DecryptionError from None


def seal_json(submission: Submission, value: Any, *, context: str) -> bytes:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return seal_bytes(submission, text.encode(), context=context)


def open_json(submission: Submission, blob: bytes | None, *, context: str) -> Any:
    """The sealed value, or None when nothing was stored."""
    if not blob:
        return None
    return json.loads(open_bytes(submission, blob, context=context))
