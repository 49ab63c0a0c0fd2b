"""Reads of the projects app; tenant data is always filtered by project."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from idcheck.lib.crypto import keyed_hashes, unseal
from projects.models import ApiKey, AuditEvent, CreditLedgerEntry, Invitation, Membership, Project, User
from projects.models.api_keys import (
    API_KEY_HASH_PURPOSE,
    API_KEY_LENGTH,
    API_KEY_PREFIX_LENGTH,
    PAYLOAD_KEY_PURPOSE,
    payload_key_aad,
)
from projects.models.projections import Projection
from projects.models.projects import EncryptionKeySource
from projects.models.secret_keys import SECRET_KEY_PAYLOAD_PURPOSE, ProjectSecretKey, secret_key_aad
from projects.models.tokens import LiveformToken, PrivateModeSettings


def api_key_authenticate(presented: str) -> ApiKey | None:
    """The live key matching ``presented``, with its project; ``None`` for anything else."""
    if len(presented) != API_KEY_LENGTH or not presented.isascii() or not presented.isalnum():
        return None
    candidates = ApiKey.objects.select_related("project").filter(
        prefix=presented[:API_KEY_PREFIX_LENGTH], revoked_at__isnull=True
    )
    expected = keyed_hashes(presented, purpose=API_KEY_HASH_PURPOSE)
    for api_key in candidates:
        if any(hmac.compare_digest(api_key.key_hash, digest) for digest in expected):
            return api_key
    return None


def api_key_get_live(*, project: Project) -> ApiKey | None:
    return ApiKey.objects.filter(project=project, revoked_at__isnull=True).first()


def api_key_payload_key(*, project: Project, api_key: ApiKey | None = None) -> bytes | None:
    """The spec's payload-encryption key of an API key (SHA-256 of its string, §5): ``api_key``'s,
    or the live key's; ``None`` when the project has no live key."""
    api_key = api_key or api_key_get_live(project=project)
    if api_key is None:
        return None
    return unseal(bytes(api_key.payload_key_sealed), purpose=PAYLOAD_KEY_PURPOSE, aad=payload_key_aad(api_key.id))


def secret_key_get(*, project: Project) -> ProjectSecretKey | None:
    return ProjectSecretKey.objects.filter(project=project).first()


def project_payload_key(*, project: Project, api_key: ApiKey | None = None) -> bytes | None:
    """The one payload key of the project's encryption (spec §5.1): SHA-256 of its secretKey when
    ``encryption_key`` says so, else of its API key (``api_key``, the one that authenticated a
    call, or the live one). Secure Data Transfer, the webhooks, the Liveform's ``encrypted`` and the
    Return URL all use this. ``None`` when that key does not exist."""
    if project.encryption_key != EncryptionKeySource.SECRET_KEY:
        return api_key_payload_key(project=project, api_key=api_key)
    secret_key = secret_key_get(project=project)
    if secret_key is None:
        return None
    return unseal(
        bytes(secret_key.payload_key_sealed), purpose=SECRET_KEY_PAYLOAD_PURPOSE, aad=secret_key_aad(project.pk)
    )


def project_list_for_user(*, user: User) -> QuerySet[Project]:
    return Project.objects.filter(memberships__user=user).order_by("name", "pid")


def project_list_all() -> QuerySet[Project]:
    return Project.objects.order_by("name", "pid")


def membership_get(*, user: User, pid: str) -> Membership | None:
    return Membership.objects.select_related("project").filter(user=user, project__pid=pid).first()


def membership_list(*, project: Project) -> QuerySet[Membership]:
    return Membership.objects.select_related("user").filter(project=project).order_by("user__email")


def invitation_list_pending(*, project: Project) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        project=project, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("expires_at")


def invitation_get_pending(*, token_hash: str) -> Invitation | None:
    invitation = Invitation.objects.select_related("project").filter(token_hash=token_hash).first()
    return invitation if invitation is not None and invitation.is_pending() else None


def audit_event_list(*, project: Project, action_prefix: str = "") -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor_user").filter(project=project)
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    return events.order_by("-created_at", "-id")


ACTOR_API_KEY, ACTOR_SYSTEM = "api_key", "system"


@dataclass(frozen=True)
class AuditFilters:
    """The Event Log's filters. ``actor`` is ``user:<id>``, ``api_key:<id>``, ``api_key`` (any
    key), ``system`` (neither an admin nor a key: automatic work, the Liveform, anonymous sign-in
    attempts) or empty; the days are UTC and both inclusive."""

    actor: str = ""
    action: str = ""
    action_prefix: str = ""
    day_from: dt.date | None = None
    day_to: dt.date | None = None

    def as_details(self) -> dict[str, str]:
        """The filters set, for the export's own Event Log row (ids and dates, no e-mail)."""
        values = {"actor": self.actor, "action": self.action, "action_prefix": self.action_prefix,
                  "from": self.day_from.isoformat() if self.day_from else "",
                  "to": self.day_to.isoformat() if self.day_to else ""}  # fmt: skip
        return {name: value for name, value in values.items() if value}


@dataclass(frozen=True)
class AuditActor:
    value: str  # as in ``AuditFilters.actor``
    label: str


def audit_actor_list(*, project: Project) -> list[AuditActor]:
    """Who may have acted in the project: its admins, those removed since (from their removal's
    row, so they stay findable), and its API keys, revoked ones included."""
    members = [(m.user_id, m.user.email) for m in membership_list(project=project)]
    removals = AuditEvent.objects.filter(project=project, action="membership.removed", target_type="user")
    removed_ids = {int(pk) for pk in removals.values_list("target_id", flat=True) if pk.isdigit()}
    removed_ids -= {pk for pk, _ in members}
    former = User.objects.filter(pk__in=removed_ids).order_by("email").values_list("pk", "email")
    keys = ApiKey.objects.filter(project=project).order_by("-created_at")
    return [
        *(AuditActor(f"user:{pk}", email) for pk, email in members),
        *(AuditActor(f"user:{pk}", f"{email} (no longer an admin)") for pk, email in former),
        *(
            AuditActor(
                f"{ACTOR_API_KEY}:{key.id}",
                f"API key of {key.created_at:%Y-%m-%d}{' (revoked)' if key.revoked_at else ''}",
            )
            for key in keys
        ),
    ]


@dataclass(frozen=True)
class AuditEventPage:
    items: list[AuditEvent]
    next_key: AuditEvent | None  # the last item, when more follow


def _utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def audit_event_search(*, project: Project, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The project's events matching ``filters``, newest first. Served by the (project,
    created_at) index, or by the action or actor index when those select few rows."""
    events = AuditEvent.objects.select_related("actor_user").filter(project=project)
    if filters.actor.startswith("user:"):
        events = events.filter(actor_user_id=int(filters.actor.removeprefix("user:")))
    elif filters.actor.startswith(f"{ACTOR_API_KEY}:"):
        events = events.filter(actor_api_key_id=filters.actor.removeprefix(f"{ACTOR_API_KEY}:"))
    elif filters.actor == ACTOR_API_KEY:
        events = events.filter(actor_api_key__isnull=False)
    elif filters.actor == ACTOR_SYSTEM:
        events = events.filter(actor_user__isnull=True, actor_api_key__isnull=True)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.action_prefix:
        events = events.filter(action__startswith=filters.action_prefix)
    if filters.day_from is not None:
        events = events.filter(created_at__gte=_utc_midnight(filters.day_from))
    if filters.day_to is not None:
        events = events.filter(created_at__lt=_utc_midnight(filters.day_to + dt.timedelta(days=1)))
    return events.order_by("-created_at", "-id")


def audit_event_page(
    *, project: Project, filters: AuditFilters, count: int, after: tuple[dt.datetime, int] | None = None
) -> AuditEventPage:
    """A page of the Event Log, keyset-paginated by (created_at, id) so that an old page costs
    what the first one does on a log of millions of rows."""
    events = audit_event_search(project=project, filters=filters)
    if after is not None:
        created_at, event_id = after
        events = events.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=event_id))
    rows = list(events[: count + 1])
    items = rows[:count]
    return AuditEventPage(items=items, next_key=items[-1] if len(rows) > count else None)


def credit_ledger_list(*, project: Project) -> QuerySet[CreditLedgerEntry]:
    return CreditLedgerEntry.objects.filter(project=project).order_by("-created_at", "-id")


def sign_in_failures_since(*, since: timezone.datetime, user_id: int | None, ip_address: str | None) -> tuple[int, int]:
    """Failed password attempts since ``since``: (for this account, from this address)."""
    failures = AuditEvent.objects.filter(action="auth.password_failed", created_at__gte=since)
    for_account = failures.filter(target_id=str(user_id)).count() if user_id else 0
    from_address = failures.filter(ip_address=ip_address).count() if ip_address else 0
    return for_account, from_address


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email=email.strip().lower()).first()


# --- private mode's token pool (spec §2.11, §6.5)

TOKEN_PAGE_MAX = 10_000


def private_mode_settings_get(project: Project) -> PrivateModeSettings:
    """The project's row, or an unsaved one with the defaults (mode ``off``, no expiry)."""
    return PrivateModeSettings.objects.filter(project=project).first() or PrivateModeSettings(project=project)


def liveform_token_get(*, project: Project, token_id: str) -> LiveformToken | None:
    return LiveformToken.objects.filter(project=project, token_id=token_id).first()


def liveform_token_count(*, project: Project) -> tuple[int, int]:
    """(tokens in the pool, of which expired)."""
    tokens = LiveformToken.objects.filter(project=project)
    return tokens.count(), tokens.filter(expired_at__isnull=False).count()


def liveform_token_page(
    *, project: Project, count: int = TOKEN_PAGE_MAX, after: tuple[timezone.datetime, str] | None = None
) -> tuple[list[LiveformToken], LiveformToken | None]:
    """A page of the pool in (updateTime, tokenId) order, keyset-paginated on the pool's index so
    that the last page of 100,000 tokens costs what the first does; with the last item when more
    follow (the next page's key)."""
    tokens = LiveformToken.objects.filter(project=project)
    if after is not None:
        updated_at, token_id = after
        tokens = tokens.filter(updated_at__gt=updated_at) | tokens.filter(updated_at=updated_at, token_id__gt=token_id)
    rows = list(tokens.order_by("updated_at", "token_id")[: count + 1])
    items = rows[:count]
    return items, (items[-1] if len(rows) > count else None)


def projection_list(*, project: Project) -> QuerySet[Projection]:
    """Oldest first: the order they were created in."""
    return Projection.objects.filter(project=project).order_by("created_at", "id")


def projection_get(*, project: Project, projection_id: str) -> Projection | None:
    return Projection.objects.filter(project=project, pk=projection_id).first()


def projection_find(*, project: Project, projection_id: str = "", name: str = "") -> Projection | None:
    """The projection a Liveform link names by id, by name, or by both (then both must match)."""
    if not projection_id and not name:
        return None
    found = Projection.objects.filter(project=project)
    if projection_id:
        found = found.filter(pk=projection_id)
    if name:
        found = found.filter(name=name)
    return found.first()


def projection_ids(*, project: Project) -> frozenset[str]:
    """The ids of the project's projections (at most ten): a submission's snapshot of one hides
    its fields only while the projection exists (spec §2.13)."""
    return frozenset(Projection.objects.filter(project=project).values_list("pk", flat=True))


def projection_hidden_fields(*, project: Project, chosen: object, live: frozenset[str] | None = None) -> frozenset[str]:
    """The fields a submission's copy of its projection (``{"id", "fields"}``, sealed with it)
    hides now: the list it was made with while that projection exists, none once it was
    deleted (spec §2.13). ``live``: ``projection_ids`` read once for a page of submissions."""
    if not isinstance(chosen, dict) or not chosen.get("id"):
        return frozenset()
    if live is None:
        live = projection_ids(project=project)
    return frozenset(chosen.get("fields") or ()) if chosen["id"] in live else frozenset()
