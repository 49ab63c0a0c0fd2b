"""Private mode's token pool (spec §2.10–§2.12): registering and deleting Token IDs. Using one
when a Liveform link opens and expiring them emit ``token_expired`` webhooks, so they live with
the submissions app (``submissions.services.liveform_tokens``), which may depend on webhooks.

A pool holds at most ``MAX_POOL`` tokens; a registration checks that under a per-project lock
so that two concurrent calls cannot pass it together. Writes are bulk: one upsert
(``INSERT … ON CONFLICT DO UPDATE``) per registration, one ``DELETE`` per deletion.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from idcheck.errors import ApplicationError
from idcheck.timeformat import format_iso
from projects.actors import Actor
from projects.models import LiveformToken, Project
from projects.services.audit import audit_record

MAX_PER_REQUEST = 500
MAX_POOL = 100_000
_TOKEN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{6,62}[A-Za-z0-9]")
# Token IDs we generate (G24, ASVS 11.5.1): 24 letters and digits drawn by the operating
# system's CSPRNG, 24 × log2(62) ≈ 142.9 bits; a UUIDv4 would carry only 122 random bits.
GENERATED_LENGTH = 24
GENERATED_ALPHABET = string.ascii_letters + string.digits
MAX_GENERATED = 10_000
FORMAT_MESSAGE = "A Token ID has 8 to 64 characters among a-z A-Z 0-9 - _ . and starts and ends with a letter or digit."


class TokenError(ApplicationError):
    """A refused token request, in the token endpoints' shape ``{errorCode, errorMessage, details?}``."""

    def __init__(self, code: str, message: str, *, details: list[Any] | None = None, http_status: int = 400):
        super().__init__(message, code=code, extra={"details": details} if details else None)
        self.http_status = http_status


@dataclass(frozen=True)
class TokenFailure:
    token_id: Any
    code: str
    message: str


@dataclass(frozen=True)
class TokensRegistered:
    total_submitted: int
    processed: int
    current_count: int
    failed: list[TokenFailure] = field(default_factory=list)


@dataclass(frozen=True)
class TokensDeleted:
    total_submitted: int
    deleted: int
    not_found: list[str] = field(default_factory=list)
    failed: list[TokenFailure] = field(default_factory=list)


def token_id_valid(value: Any) -> bool:
    """The spec's Token ID rules: 8–64 bytes of ``a-z A-Z 0-9 - _ .``, letter or digit at both ends."""
    return isinstance(value, str) and _TOKEN_ID.fullmatch(value) is not None


def _checked_list(token_ids: Any) -> list[Any]:
    if not isinstance(token_ids, list) or not token_ids:
        raise TokenError("invalid_token_id", "tokenId must be a non-empty array of Token IDs.")
    if len(token_ids) > MAX_PER_REQUEST:
        raise TokenError("request_token_limit_exceeded", f"At most {MAX_PER_REQUEST} Token IDs per request.")
    return token_ids


def _partition(token_ids: list[Any]) -> tuple[list[str], list[TokenFailure]]:
    """The well-formed ids (first occurrence each, in order) and a failure per malformed one."""
    valid: dict[str, None] = {}
    failed: list[TokenFailure] = []
    for token_id in token_ids:
        if token_id_valid(token_id):
            valid[token_id] = None
        else:
            failed.append(TokenFailure(token_id, "invalid_token_id_format", FORMAT_MESSAGE))
    return list(valid), failed


def _lock_pool(project: Project) -> None:
    """Serialise the registrations of one project until commit (PostgreSQL advisory lock; SQLite
    serialises writers by itself). The project row is not locked: submissions debit it."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"liveform-token-pool:{project.pk}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)])


@transaction.atomic
def liveform_tokens_register(*, project: Project, token_ids: Any, actor: Actor) -> TokensRegistered:
    """Put the Token IDs in the pool (spec §2.10). Partial: malformed ids are reported and the
    others registered; an id already in the pool is overwritten (its use history starts afresh).
    Refused whole (nothing written) when no id is well-formed or the pool would exceed ``MAX_POOL``."""
    submitted = _checked_list(token_ids)
    valid, failed = _partition(submitted)
    if not valid:
        raise TokenError("invalid_token_id_format", FORMAT_MESSAGE, details=_failure_details(failed))
    _lock_pool(project)
    pool = LiveformToken.objects.filter(project=project)
    present = pool.count()
    known = pool.filter(token_id__in=valid).count()
    if present + len(valid) - known > MAX_POOL:
        raise TokenError(
            "token_pool_limit_exceeded",
            f"A project's pool holds at most {MAX_POOL:,} tokens; it holds {present:,}.",
        )
    now = timezone.now()
    LiveformToken.objects.bulk_create(
        [LiveformToken(project=project, token_id=token_id, updated_at=now) for token_id in valid],
        update_conflicts=True,
        unique_fields=["project", "token_id"],
        update_fields=["updated_at", "first_used_at", "use_count", "expired_at", "expired_condition"],
    )
    audit_record(actor=actor, action="liveform_tokens.registered", project=project, target_type="project",
                 target_id=project.pid, details={"processed": len(valid), "failed": len(failed)})  # fmt: skip
    processed = len(submitted) - len(failed)
    return TokensRegistered(len(submitted), processed, present + len(valid) - known, failed)


def token_id_generate() -> str:
    return "".join(secrets.choice(GENERATED_ALPHABET) for _ in range(GENERATED_LENGTH))


@transaction.atomic
def liveform_tokens_generate(*, project: Project, count: int, actor: Actor) -> list[str]:
    """Issue ``count`` (1–``MAX_GENERATED``) unguessable Token IDs into the pool, all or none.
    Customer-chosen ids may be short and guessable; these are not (docs/private-mode.md)."""
    if not 1 <= count <= MAX_GENERATED:
        raise TokenError("invalid_payload", f"Generate 1 to {MAX_GENERATED:,} Token IDs at a time.")
    token_ids = [token_id_generate() for _ in range(count)]
    for start in range(0, count, MAX_PER_REQUEST):
        liveform_tokens_register(project=project, token_ids=token_ids[start : start + MAX_PER_REQUEST], actor=actor)
    return token_ids


@transaction.atomic
def liveform_tokens_delete(*, project: Project, token_ids: Any, actor: Actor) -> TokensDeleted:
    """Delete the listed Token IDs (spec §2.12); ids not in the pool are reported as not found.
    Refused (``token_id_not_found``) when none of the well-formed ids was in the pool."""
    submitted = _checked_list(token_ids)
    valid, failed = _partition(submitted)
    if not valid:
        raise TokenError("invalid_token_id_format", FORMAT_MESSAGE, details=_failure_details(failed))
    targets = LiveformToken.objects.filter(project=project, token_id__in=valid)
    found = set(targets.values_list("token_id", flat=True))
    not_found = [token_id for token_id in valid if token_id not in found]
    if not found:
        raise TokenError("token_id_not_found", "None of the Token IDs is in the pool.", details=not_found)
    targets.delete()
    audit_record(actor=actor, action="liveform_tokens.deleted", project=project, target_type="project",
                 target_id=project.pid, details={"deleted": len(found), "not_found": len(not_found)})  # fmt: skip
    return TokensDeleted(len(submitted), len(found), not_found, failed)


@transaction.atomic
def liveform_tokens_delete_before(
    *, project: Project, updated_before: dt.datetime, expired_only: bool, actor: Actor
) -> int:
    """Time-based deletion: every token last registered before ``updated_before`` (only the
    expired ones with ``expired_only``). Returns how many were deleted."""
    targets = LiveformToken.objects.filter(project=project, updated_at__lt=updated_before)
    if expired_only:
        targets = targets.filter(expired_at__isnull=False)
    deleted, _ = targets.delete()
    audit_record(actor=actor, action="liveform_tokens.deleted", project=project, target_type="project",
                 target_id=project.pid, details={"deleted": deleted, "updated_before": format_iso(updated_before),
                                                 "expired_only": expired_only})  # fmt: skip
    return deleted


def _failure_details(failed: Sequence[TokenFailure]) -> list[dict[str, Any]]:
    return [{"tokenId": item.token_id, "errorCode": item.code, "errorMessage": item.message} for item in failed]
