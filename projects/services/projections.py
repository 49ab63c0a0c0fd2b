"""Projections (spec §2.13): saving and deleting a project's named lists of fields to hide.

A project holds at most ``MAX_PER_PROJECT`` projections; every write takes a per-project lock
first, so two concurrent creations cannot both pass the limit, and a retry carrying the same
``Idempotency-Key`` waits for the first request and then gets its answer.

Saving a name the project already has replaces that projection's fields and keeps its id (the
spec has no edit operation, and says names are unique per project and that edits are not
retroactive: a submission keeps the list it was created with, see docs/projections.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from idcheck.errors import ApplicationError
from idcheck.timeformat import format_iso
from projects.actors import Actor
from projects.models import Project, Projection, ProjectionRequestKey
from projects.services.audit import audit_record

MAX_PER_PROJECT = 10
MODES = ("exclude",)
# The spec's allow-list, in its order; the last three are filled by the Knowledge-Based pipeline.
ALLOWED_FIELDS = (
    "first_name", "last_name", "full_name", "gender", "nationality", "date_of_birth", "ip_address", "idType",
    "idcard_issuingCountry", "idcard_issueDate", "idcard_expireDate", "identityNumber", "documentNumber",
    "address_city", "address_country", "address_state", "address_street", "address_street2", "address_zipcode",
    "address_globalCode", "address_compoundCode", "address_formatted", "address_input", "address_detail",
    "cf1", "cf2", "cf3", "age_group", "ssnNumber", "phoneNumber",
)  # fmt: skip
_NAME = re.compile(r"[a-z0-9_]{1,64}")
MAX_KEY_LENGTH = 255
KEY_TTL = dt.timedelta(hours=24)
_ECHO = 40  # characters of an unknown field name quoted back in a refusal


class ProjectionError(ApplicationError):
    """A refused projection request, answered ``{"message": ...}`` with ``http_status``."""

    def __init__(self, message: str, *, http_status: int = 400, code: str = "invalid_request"):
        super().__init__(message, code=code)
        self.http_status = http_status


class ProjectionNotFound(ProjectionError):
    def __init__(self) -> None:
        super().__init__("Projection not found", http_status=404, code="not_found")


@dataclass(frozen=True)
class ProjectionSaved:
    item: dict[str, Any]  # the spec's projection object (GET /v3/projection/{id}'s ``item``)
    created: bool


def projection_item(projection: Projection) -> dict[str, Any]:
    return {"projection_id": projection.id, "name": projection.name, "mode": projection.mode,
            "fields": list(projection.fields), "created_at": format_iso(projection.created_at)}  # fmt: skip


def _checked(name: Any, mode: Any, fields: Any) -> tuple[str, str, list[str]]:
    if name is None:
        raise ProjectionError("name is required")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ProjectionError("name must be 1 to 64 lowercase letters, digits or underscores")
    if mode is None:
        raise ProjectionError("mode is required")
    if mode not in MODES:
        raise ProjectionError("mode must be exclude")
    if fields is None:
        raise ProjectionError("fields is required")
    if not isinstance(fields, list) or not fields or not all(isinstance(field, str) for field in fields):
        raise ProjectionError("fields must be a non-empty array of field names")
    unknown = [field for field in dict.fromkeys(fields) if field not in ALLOWED_FIELDS]
    if unknown:
        quoted = ", ".join(field[:_ECHO] for field in unknown[:5])
        raise ProjectionError(f"fields not allowed in a projection: {quoted}")
    return name, mode, list(dict.fromkeys(fields))


def _lock(project: Project) -> None:
    """Serialise the projection writes of one project until commit (PostgreSQL advisory lock;
    SQLite serialises writers by itself). Not the project row: submissions debit it."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"projections:{project.pk}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)])


def _fingerprint(**request: Any) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


def _idempotent(project: Project, key: str, fingerprint: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``work()``'s result, or the one remembered for ``key``; ``work`` runs under the lock."""
    if len(key) > MAX_KEY_LENGTH:
        raise ProjectionError("invalid format: Idempotency-Key")
    _lock(project)
    if not key:
        return work()
    found = ProjectionRequestKey.objects.filter(project=project, key=key).first()
    if found is not None and found.created_at < timezone.now() - KEY_TTL:
        found.delete()
        found = None
    if found is not None:
        if found.fingerprint != fingerprint:
            raise ProjectionError("This Idempotency-Key was used with a different request.", http_status=422,
                                  code="idempotency_key_reused")  # fmt: skip
        return found.result
    result = work()
    try:
        with transaction.atomic():
            ProjectionRequestKey.objects.create(project=project, key=key, fingerprint=fingerprint, result=result)
    except IntegrityError:
        # only without advisory locks (SQLite): a racing twin won
        raise ProjectionError("A request with this Idempotency-Key is still being processed. Retry later.",
                              http_status=409, code="idempotency_key_in_use") from None  # fmt: skip
    return result


@transaction.atomic
def projection_save(
    *, project: Project, name: Any, mode: Any, fields: Any, actor: Actor, idempotency_key: str = ""
) -> ProjectionSaved:
    """Create the projection ``name``, or replace the fields of the one already so named (its id
    and creation time stay). Refused with 409 ``Projection count limit exceeded`` when the
    project holds ``MAX_PER_PROJECT`` already; nothing is written on any refusal."""
    name, mode, fields = _checked(name, mode, fields)

    def work() -> dict[str, Any]:
        projection = Projection.objects.filter(project=project, name=name).first()
        created = projection is None
        if projection is None:
            if Projection.objects.filter(project=project).count() >= MAX_PER_PROJECT:
                raise ProjectionError("Projection count limit exceeded", http_status=409, code="limit_exceeded")
            projection = Projection.objects.create(project=project, name=name, mode=mode, fields=fields)
        else:
            projection.mode, projection.fields, projection.updated_at = mode, fields, timezone.now()
            projection.save(update_fields=["mode", "fields", "updated_at"])
        audit_record(actor=actor, action="projection.created" if created else "projection.updated", project=project,
                     target_type="projection", target_id=projection.id, details={"name": name, "fields": fields})  # fmt: skip
        return {"item": projection_item(projection), "created": created}

    fingerprint = _fingerprint(operation="save", name=name, mode=mode, fields=fields)
    result = _idempotent(project, idempotency_key, fingerprint, work)
    return ProjectionSaved(item=result["item"], created=result["created"])


@transaction.atomic
def projection_delete(*, project: Project, projection_id: str, actor: Actor, idempotency_key: str = "") -> None:
    """Delete one projection of ``project`` (``ProjectionNotFound`` otherwise). The submissions
    that chose it show every field again (spec §2.13)."""

    def work() -> dict[str, Any]:
        deleted, _ = Projection.objects.filter(project=project, pk=projection_id).delete()
        if not deleted:
            raise ProjectionNotFound()
        audit_record(actor=actor, action="projection.deleted", project=project, target_type="projection",
                     target_id=projection_id)  # fmt: skip
        return {"projection_id": projection_id}

    _idempotent(project, idempotency_key, _fingerprint(operation="delete", projection_id=projection_id), work)
