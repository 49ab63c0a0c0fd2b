"""Images in private storage, sealed under the submission's data key (G16, G17).

Files go through Django's storage API (``default_storage``: local files under MEDIA_ROOT by
default, an S3-compatible bucket when configured) under random names that say nothing about the
submission. What is written is ``vault.seal_bytes`` of the re-encoded JPEG: the bytes at rest
have no image magic, and a file moved to another submission or kind does not open.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from idcheck.lib.crypto import DecryptionError
from submissions import vault
from submissions.models import LivenessCapture, Submission, SubmissionImage

CONTENT_TYPE = "image/jpeg"  # every stored image is our own re-encoding


def _context(kind: str) -> str:
    return f"submissions.image.{kind}"


def _sealed_file_write(submission: Submission, plaintext: bytes, *, context: str) -> str:
    sealed = ContentFile(vault.seal_bytes(submission, plaintext, context=context))
    name = f"submissions/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}.bin"
    while default_storage.exists(name):  # never in practice (192 random bits); see below
        name = f"submissions/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}.bin"
    try:
        return default_storage.save(name, sealed)
    except OSError:
        # A full disk (ENOSPC) fails the write after part of the file is on disk, and no row will
        # ever name it: remove it here. The name was free before the save, so it is ours.
        with contextlib.suppress(OSError):
            default_storage.delete(name)
        raise


def _sealed_file_read(submission: Submission, name: str, *, context: str, sha256: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        sealed = handle.read()
    plaintext = vault.open_bytes(submission, sealed, context=context)
    if hashlib.sha256(plaintext).hexdigest() != sha256:
        raise DecryptionError
    return plaintext


def image_file_write(submission: Submission, *, kind: str, jpeg: bytes) -> SubmissionImage:
    """Write the sealed file and return the (unsaved) row that describes it."""
    stored = _sealed_file_write(submission, jpeg, context=_context(kind))
    return SubmissionImage(
        submission=submission,
        kind=kind,
        storage_name=stored,
        sha256=hashlib.sha256(jpeg).hexdigest(),
        size=len(jpeg),
        content_type=CONTENT_TYPE,
    )


def image_file_read(image: SubmissionImage) -> bytes:
    """The plaintext JPEG; ``DecryptionError`` when the file was altered, swapped or shredded."""
    return _sealed_file_read(image.submission, image.storage_name, context=_context(image.kind), sha256=image.sha256)


FRAMES_CONTEXT = "submissions.liveness.frames"


def frames_file_write(submission: Submission, *, bundle: bytes, **fields: object) -> LivenessCapture:
    """Write a live capture's sealed frame bundle and return the (unsaved) row for it."""
    stored = _sealed_file_write(submission, bundle, context=FRAMES_CONTEXT)
    return LivenessCapture(
        submission=submission,
        storage_name=stored,
        sha256=hashlib.sha256(bundle).hexdigest(),
        size=len(bundle),
        **fields,
    )


def frames_file_read(capture: LivenessCapture) -> bytes:
    """The frame bundle; ``DecryptionError`` when the file was altered, swapped or shredded."""
    return _sealed_file_read(capture.submission, capture.storage_name, context=FRAMES_CONTEXT, sha256=capture.sha256)


def image_files_delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
