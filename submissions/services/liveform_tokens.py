"""Private mode's tokens at work (spec §6.5): counting a use when a Liveform link opens, and
expiring tokens by count or by time with their ``token_expired`` events (§4.12). The pool itself
(registration, deletion, the Token ID format) is the projects app's (``projects.services.tokens``).

A use locks the token's row: of two phones racing for a single-use token, the second waits
for the first's commit and then finds the token expired. An expiry (by count at use, by time
in ``liveform_tokens_expire_due``) is written by an UPDATE conditional on the token not being
expired yet, with its ``token_expired`` event in the same transaction, so each expiry is
reported exactly once however many workers run.

Anti-enumeration (G24): a Token ID is customer-chosen and may be short, so guesses are counted.
Each refused well-formed-or-not guess (``invalid``, ``not_registered``, ``expired``) of a visitor
is one Event Log row; an address with too many in the window, or (while the project as a whole
sees a storm of them) any address that has guessed wrong at all, is refused before its token is
even looked at, so a throttled guesser learns nothing, not even from a right guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from idcheck.timeformat import format_iso
from projects.actors import Actor
from projects.models import AuditEvent, LiveformToken, Project
from projects.models.tokens import PrivateMode, PrivateModeSettings
from projects.selectors import private_mode_settings_get
from projects.services import audit_record
from projects.services.tokens import token_id_valid
from webhooks.services import webhook_event_emit

# Without pre-registration a token is good for 3 minutes after its first use (spec §6.5).
USAGE_WINDOW = dt.timedelta(minutes=3)
# Expired tokens stay visible (``expired: true``) this long before the cleanup job deletes them.
EXPIRED_RETENTION = dt.timedelta(hours=24)
EXPIRE_BATCH = 500
# Token guesses: at most 20 refused tokens per address in 10 minutes; past 500 in the project
# (many addresses at once), one per address. Legitimate visitors get a token that works, so
# they never come near either number.
GUESS_WINDOW = dt.timedelta(minutes=10)
MAX_GUESSES_PER_ADDRESS = 20
MAX_GUESSES_PER_PROJECT = 500
GUESS_REASONS = frozenset({"invalid", "not_registered", "expired"})
TOKEN_REFUSED = "liveform_token.refused"
TOKEN_THROTTLED = "liveform_token.throttled"


class TokenRefused(Exception):
    """A Liveform link's token does not open the flow; ``reason`` is one of ``missing``,
    ``invalid``, ``not_registered``, ``expired``, ``throttled`` (too many guesses from the
    visitor's address), or (mode ``usage``) the status of the decided submission already made
    with it: ``approved``, ``pending``, ``rejected``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ExpiryRun:
    expired: int
    deleted: int


def liveform_token_use(
    *,
    project: Project,
    token_id: str,
    now: dt.datetime | None = None,
    decided_status: Callable[[dt.datetime], str] | None = None,
    actor: Actor | None = None,
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
    is expired (``time``) before the cleanup job gets to it, and refused.

    ``actor`` is the visitor (the Liveform passes it): its refused guesses are recorded and
    throttled per address (module docstring). Without one (jobs, tests of the rule) nothing is
    counted."""
    now = now or timezone.now()
    settings = private_mode_settings_get(project)
    if settings.mode == PrivateMode.OFF:
        return None
    if not token_id:
        raise TokenRefused("missing")
    if actor is not None and _guessing_throttled(project, actor, now):
        raise TokenRefused("throttled")
    if not token_id_valid(token_id):
        _refuse(project, actor, "invalid")
    token, refusal = _use(project, settings, token_id, now, decided_status)
    if refusal:  # raised after commit: a time expiry met here is kept, with its event
        _refuse(project, actor, refusal)
    return token


def _refuse(project: Project, actor: Actor | None, reason: str) -> None:
    """Record a guess (the reason only: a Token ID may be a secret of the customer's) and refuse."""
    if actor is not None and reason in GUESS_REASONS:
        audit_record(actor=actor, action=TOKEN_REFUSED, project=project, target_type="liveform_token",
                     details={"reason": reason})  # fmt: skip
    raise TokenRefused(reason)


def _guessing_throttled(project: Project, actor: Actor, now: dt.datetime) -> bool:
    """Too many refused tokens from this address, or a project-wide storm and this address took
    part in it. The first throttled request of an address in a window is recorded."""
    recent = AuditEvent.objects.filter(project=project, created_at__gte=now - GUESS_WINDOW)
    guesses = recent.filter(action=TOKEN_REFUSED)
    from_address = guesses.filter(ip_address=actor.ip_address).count()
    if from_address < MAX_GUESSES_PER_ADDRESS and not (
        from_address and guesses[:MAX_GUESSES_PER_PROJECT].count() >= MAX_GUESSES_PER_PROJECT
    ):
        return False
    if not recent.filter(action=TOKEN_THROTTLED, ip_address=actor.ip_address).exists():
        audit_record(actor=actor, action=TOKEN_THROTTLED, project=project, target_type="liveform_token",
                     details={"guesses_from_address": from_address})  # fmt: skip
    return True


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
