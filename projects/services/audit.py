"""Writing the Event Log (append-only, hash-chained; see models/audit.py)."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from idcheck.errors import ApplicationError
from idcheck.lib.crypto import keyed_hash, keyed_hashes
from projects.actors import Actor
from projects.audit_words import EVENT_LOG_EXPORTED
from projects.models import AuditChainHead, AuditEvent, Project
from projects.selectors import AuditFilters, audit_event_search

GLOBAL_CHAIN = "_global"


def _chain_name(project: Project | None) -> str:
    return project.pid if project is not None else GLOBAL_CHAIN


AUDIT_HASH_PURPOSE = "audit-chain"


def _row_content(event: AuditEvent) -> str:
    content = {
        "chain": event.chain,
        "sequence": event.sequence,
        "previous_hash": event.previous_hash,
        "project_id": event.project_id,
        "actor_user_id": event.actor_user_id,
        "actor_api_key_id": str(event.actor_api_key_id) if event.actor_api_key_id else None,
        "actor_label": event.actor_label,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "ip_address": event.ip_address,
        "request_id": event.request_id,
        "details": event.details,
        "created_at": event.created_at.isoformat(),
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)


def audit_row_hash(event: AuditEvent) -> str:
    """An HMAC (key derived from the master key) over everything a reader relies on.

    Keyed, so that someone who can write to the database but does not hold the master key
    cannot rewrite a row and recompute the chain after it.
    """
    return keyed_hash(_row_content(event), purpose=AUDIT_HASH_PURPOSE)


def audit_row_hash_matches(event: AuditEvent) -> bool:
    """True when the row's hash verifies under the current or a previous master key."""
    return any(
        hmac.compare_digest(event.row_hash, digest)
        for digest in keyed_hashes(_row_content(event), purpose=AUDIT_HASH_PURPOSE)
    )


def _lock_chain_head(chain: str) -> AuditChainHead:
    head, _ = AuditChainHead.objects.get_or_create(chain=chain)
    return AuditChainHead.objects.select_for_update().get(pk=head.pk)


@transaction.atomic
def audit_record(
    *,
    actor: Actor,
    action: str,
    project: Project | None = None,
    target_type: str = "",
    target_id: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. ``details`` holds ids, counts and setting names, never PII values."""
    chain = _chain_name(project)
    head = _lock_chain_head(chain)
    event = AuditEvent(
        project=project,
        actor_user=actor.user,
        actor_api_key=actor.api_key,
        actor_label=actor.label,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        ip_address=actor.ip_address,
        request_id=actor.request_id,
        details=details or {},
        created_at=timezone.now(),
        chain=chain,
        sequence=head.sequence + 1,
        previous_hash=head.last_hash,
    )
    event.row_hash = audit_row_hash(event)
    event.save()
    head.sequence = event.sequence
    head.last_hash = event.row_hash
    head.save(update_fields=["sequence", "last_hash"])
    return event


# A CSV of this many rows is about 10 MB and streams in about 6 s (measured on a log of 900,000
# events): months of a busy project, without tying a web worker up for long.
EXPORT_MAX_ROWS = 100_000


class ExportTooLarge(ApplicationError):
    code = "export_too_large"


@dataclass(frozen=True)
class AuditExport:
    rows: int
    events: QuerySet[AuditEvent]  # exactly ``rows`` events, newest first, to stream


@transaction.atomic
def audit_log_export(*, project: Project, filters: AuditFilters, actor: Actor) -> AuditExport:
    """Record an export of the filtered Event Log (its filters and row count) and return the
    events it holds: those recorded up to now, so that the count written is the count sent."""
    until = timezone.now()
    matching = audit_event_search(project=project, filters=filters).filter(created_at__lte=until)
    rows = matching[: EXPORT_MAX_ROWS + 1].count()
    if rows > EXPORT_MAX_ROWS:
        raise ExportTooLarge(
            f"An export holds at most {EXPORT_MAX_ROWS:,} events; narrow the filters (the dates, say) and export again."
        )
    audit_record(actor=actor, action=EVENT_LOG_EXPORTED, project=project, target_type="event_log", target_id=project.pid,
                 details={"filters": filters.as_details(), "rows": rows})  # fmt: skip
    return AuditExport(rows=rows, events=matching[:rows])
