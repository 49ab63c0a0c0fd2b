"""The ``Idempotency-Key`` of the submission services (G2): creation, change, migration, client
review and both deletions accept one.

A service checks the key's length and computes the request's fingerprint before its
transaction; inside it, :func:`idempotency_replay` returns the submission a finished first
request with the same key made (a retry answers as the first did and changes nothing), and
:func:`idempotency_remember` stores the key with the service's answer in the same transaction
as the change. The same key with another request is refused (``IdempotencyMismatch``, 422), a
key whose first request is still in flight too (``IdempotencyConflict``, 409). Keys live
:data:`IDEMPOTENCY_KEY_TTL`, per project.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from idcheck.errors import ApplicationError, ConflictError
from projects.models import Project
from submissions.models import IdempotencyKey, Submission

IDEMPOTENCY_KEY_TTL = dt.timedelta(hours=24)
MAX_IDEMPOTENCY_KEY_LENGTH = 255


class IdempotencyConflict(ConflictError):
    code = "idempotency_key_in_use"

    def __init__(self) -> None:
        super().__init__("A request with this Idempotency-Key is still being processed. Retry later.")


class IdempotencyMismatch(ApplicationError):
    code = "idempotency_key_reused"
    http_status = 422

    def __init__(self) -> None:
        super().__init__("This Idempotency-Key was used with a different request.")


def idempotency_key_check(idempotency_key: str) -> None:
    """Refuse a key longer than the column holds (``invalid_format``), before anything is read."""
    if len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ApplicationError("invalid format: Idempotency-Key", code="invalid_format")


def request_fingerprint(**request: Any) -> str:
    """What makes two requests "the same": the SHA-256 of ``request`` as canonical JSON."""
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()


def idempotency_replay(project: Project, key: str, fingerprint: str) -> Submission | None:
    """The submission a finished first request with ``key`` made; None without a key or when
    this request goes ahead; a refusal for another request or one still in flight.

    Call it inside the service's transaction: on PostgreSQL the key's advisory lock is held
    until the commit, and a twin request arriving meanwhile does not wait but is told to retry."""
    if not key:
        return None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_lock_key(project, key)])
            if not cursor.fetchone()[0]:
                raise IdempotencyConflict()
    found = IdempotencyKey.objects.filter(project=project, key=key).select_related("submission").first()
    if found is None:
        return None
    if found.created_at < timezone.now() - IDEMPOTENCY_KEY_TTL:
        found.delete()
        return None
    if found.fingerprint != fingerprint:
        raise IdempotencyMismatch()
    return found.submission


def idempotency_remember(project: Project, key: str, fingerprint: str, submission: Submission) -> None:
    """Keep ``key`` with the request's fingerprint and its answer (nothing without a key)."""
    if not key:
        return
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(project=project, key=key, fingerprint=fingerprint, submission=submission)
    except IntegrityError:
        raise IdempotencyConflict() from None  # only without advisory locks (SQLite): a racing twin won


def _lock_key(project: Project, key: str) -> int:
    digest = hashlib.sha256(f"idempotency:{project.pk}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
