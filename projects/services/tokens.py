"""Private mode's token pool (spec §2.10–§2.12, §6.5): registering and deleting Token IDs, using
one when a Liveform link opens, and expiring them.

A pool holds at most ``MAX_POOL`` tokens; a registration checks that under a per-project lock
so that two concurrent calls cannot pass it together. Writes are bulk: one upsert
(``INSERT … ON CONFLICT DO UPDATE``) per registration, one ``DELETE`` per deletion.

A use locks the token's row: of two phones racing for a single-use token, the second waits
for the first's commit and then finds the token expired. An expiry (by count at use, by time
in ``liveform_tokens_expire_due``) is written by an UPDATE conditional on the token not being
expired yet, with its ``token_expired`` event in the same transaction, so each expiry is
reported exactly once however many workers run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from idcheck.errors import ApplicationError
from idcheck.timeformat import format_iso
from projects.actors import Actor
from projects.models import LiveformToken, Project
from projects.models.tokens import PrivateMode, PrivateModeSettings
from projects.selectors import private_mode_settings_get
from projects.services.audit import audit_record

MAX_PER_REQUEST = 500
MAX_POOL = 100_000
# Without pre-registration a token is good for 3 minutes after its first use (spec §6.5).
USAGE_WINDOW = dt.timedelta(minutes=3)
# Expired tokens stay visible (``expired: true``) this long before the cleanup job deletes them.
EXPIRED_RETENTION = dt.timedelta(hours=24)
EXPIRE_BATCH = 500
_TOKEN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{6,62}[A-Za-z0-9]")
FORMAT_MESSAGE = "A Token ID has 8 to 64 characters among a-z A-Z 0-9 - _ . and starts and ends with a letter or digit."


class TokenError(ApplicationError):
    """A refused token request, in the token endpoints' shape ``{errorCode, errorMessage, details?}``."""

    def __init__(self, code: str, message: str, *, details: list[Any] | None = None, http_status: int = 400):
        super().__init__(message, code=code, extra={"details": details} if details else None)
        self.http_status = http_status


class TokenRefused(Exception):
    """A Liveform link's token does not open the flow; ``reason`` is one of ``missing``,
    ``invalid``, ``not_registered``, ``expired``, or (mode ``usage``) the status of the decided
    submission already made with it: ``approved``, ``pending``, ``rejected``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


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


@dataclass(frozen=True)
class ExpiryRun:
    expired: int
    deleted: int


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


def liveform_token_use(
    *,
    project: Project,
    token_id: str,
    now: dt.datetime | None = None,
    decided_status: Callable[[dt.datetime], str] | None = None,
) -> LiveformToken | None:
    """Count one use of the link's token as a Liveform flow starts (spec §6.5), or refuse it
    with ``TokenRefused``. ``None`` in mode ``off``: the token, if any, is only echoed.

    ``pool``: the token must be registered and not expired. ``usage``: any well-formed token;
    its first use opens a 3-minute window (``USAGE_WINDOW``) in which browsers may use it
    concurrently, unless a submission made with it since is already decided:
    ``decided_status(first_used_at)`` names that submission's status (``approved``, ``pending``,
    ``rejected``) or is empty; the caller knows submissions, this app does not. When the window
    has passed too, the time reason wins (§6.5). In both modes the project's expiry settings apply: the use that reaches
    ``expiry_uses`` expires it (``count``), and a token older than ``expiry_hours`` met here
    is expired (``time``) before the cleanup job gets to it, and refused."""
    now = now or timezone.now()
    settings = private_mode_settings_get(project)
    if settings.mode == PrivateMode.OFF:
        return None
    if not token_id:
        raise TokenRefused("missing")
    if not token_id_valid(token_id):
        raise TokenRefused("invalid")
    token, refusal = _use(project, settings, token_id, now, decided_status)
    if refusal:  # raised after commit: a time expiry met here is kept, with its event
        raise TokenRefused(refusal)
    return token


@transaction.atomic
def _use(
    project: Project,
    settings: PrivateModeSettings,
    token_id: str,
    now: dt.datetime,
    decided_status: Callable[[dt.datetime], str] | None,
) -> tuple[LiveformToken | None, str]:
    if settings.mode == PrivateMode.USAGE:
        # the first use writes the history row; a racing first use finds it written
        LiveformToken.objects.bulk_create(
            [LiveformToken(project=project, token_id=token_id, updated_at=now)], ignore_conflicts=True
        )
    token = LiveformToken.objects.select_for_update().filter(project=project, token_id=token_id).first()
    if token is None:
        return None, "not_registered"
    if token.expired_at is not None:
        return None, "expired"
    if settings.expiry_hours and token.updated_at + dt.timedelta(hours=settings.expiry_hours) <= now:
        _expire(project, [token], condition="time", hours=settings.expiry_hours)
        return None, "expired"
    if settings.mode == PrivateMode.USAGE and token.first_used_at:
        if now - token.first_used_at > USAGE_WINDOW:
            return None, "expired"
        status = decided_status(token.first_used_at) if decided_status is not None else ""
        if status:
            return None, status
    token.use_count += 1
    token.first_used_at = token.first_used_at or now
    token.save(update_fields=["use_count", "first_used_at"])
    if settings.expiry_uses and token.use_count >= settings.expiry_uses:
        _expire(project, [token], condition="count", now=now)
    return token, ""


def _expire(
    project: Project,
    tokens: Sequence[LiveformToken],
    *,
    condition: str,
    now: dt.datetime | None = None,
    hours: int = 0,
) -> None:
    """Mark the tokens expired and emit ``token_expired`` (§4.12) for each. The caller holds
    their rows locked and has seen them unexpired, so each expiry is reported once.
    ``count``: ``expired_at`` is ``now``, the moment of the use that used it up; ``time``: the
    scheduled moment, ``hours`` after the token's registration (usage mode: its first use)."""
    # webhooks builds on projects (its services import ours): imported here, not at the top
    from webhooks.services import webhook_event_emit

    lifetime = dt.timedelta(hours=hours)
    expired_at = now if condition == "count" else F("updated_at") + lifetime  # one UPDATE, no CASE per row
    LiveformToken.objects.filter(pk__in=[token.pk for token in tokens]).update(
        expired_at=expired_at, expired_condition=condition
    )
    for token in tokens:
        token.expired_at = now if condition == "count" else token.updated_at + lifetime
        token.expired_condition = condition
        webhook_event_emit(
            project=project,
            event="token_expired",
            resource_id=token.token_id,
            payload={
                "webhook_trigger": "token_expired",
                "token_id": token.token_id,
                "expired_condition": condition,
                "expired_at": format_iso(token.expired_at),
                "service": "idCheck",
            },
        )


def liveform_tokens_expire_due(*, now: dt.datetime | None = None) -> ExpiryRun:
    """The cleanup job (every 5 minutes, spec §6.5): expire by time the tokens of projects with
    ``expiry_hours`` whose time has come, then delete tokens expired over ``EXPIRED_RETENTION``
    ago, except in projects in mode ``usage``, whose rows are the usage history that refuses a
    token's reuse. Safe with several workers: a batch skips the rows another worker holds, and
    an expired row is never selected again."""
    now = now or timezone.now()
    expired = 0
    timed = PrivateModeSettings.objects.filter(expiry_hours__isnull=False).select_related("project")
    for settings in timed:
        while count := _expire_batch(settings, now):
            expired += count
    usage_projects = PrivateModeSettings.objects.filter(mode=PrivateMode.USAGE).values("project_id")
    deleted, _ = (
        LiveformToken.objects.filter(expired_at__lte=now - EXPIRED_RETENTION)
        .exclude(project_id__in=usage_projects)
        .delete()
    )
    return ExpiryRun(expired=expired, deleted=deleted)


@transaction.atomic
def _expire_batch(settings: PrivateModeSettings, now: dt.datetime) -> int:
    due = now - dt.timedelta(hours=settings.expiry_hours or 0)
    tokens = list(
        LiveformToken.objects.select_for_update(skip_locked=True)
        .filter(project=settings.project, expired_at__isnull=True, updated_at__lte=due)
        .order_by("updated_at", "token_id")[:EXPIRE_BATCH]
    )
    if tokens:
        _expire(settings.project, tokens, condition="time", hours=settings.expiry_hours or 0)
    return len(tokens)
