"""``submission_migrate``: an integrator inserts a submission whose result it already knows
(spec §2.3 ``POST /v3/submission/migration``): strings only, no image, no verification.

What a migrated submission is (docs/api-migration-and-images.md gives the reasons):

* source ``migration``, status ``approved`` or ``rejected`` as told, run ``decided`` at once,
  ``reviewer`` the admin's account e-mail; a rejection carries code ``other`` with
  :data:`~submissions.services.update.DEFAULT_REJECT_COMMENT` (the body has no comment);
* its data sealed where a verified submission keeps it, so ``GET /v3/submission``, the
  dashboard, PATCH and the deletions treat it alike: the identity and address in the sealed
  evidence (document kind :data:`MIGRATED_KIND`, no MRZ, no face, liveness not performed),
  e-mail, userid, cf1–cf3, ``identityNumber`` and ``issueDate`` in the sealed metadata as PATCH
  stores them, e-mail and userid with their blind indexes, ``ipAddress`` with the network app;
  ``address_state`` and ``address_full`` (no engine reads either) in the metadata under the §3.2
  names ``address_state`` and ``address_formatted``;
* names: ``firstName`` / ``lastName`` when given, else ``fullName`` split at its first space
  into last and first name, as PATCH does (``full_name`` is shown surname first);
* its DI and Custom DI computed and looked up as a run does (``duplicates_lookup``), and an
  approved one gets its ``applicant_id`` as an approval does;
* no credit is taken (nothing was verified) and no webhook is sent (the integrator holds the
  result already; a bulk migration must not replay thousands of decisions into its systems).
  An emergency stop still refuses it, as it refuses every new submission; a closed project is
  ``invalid_project``.

One ``submission.migrated`` Event Log entry names the status and the fields given, never a
value. An ``Idempotency-Key`` replays a finished migration with the same body.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction

from idcheck.errors import ApplicationError
from idcheck.lib.crypto import DecryptionError
from network.models import IpOrigin
from network.services import ClientInfo, submission_client_record
from policy.evidence import AddressEvidence, DocumentEvidence, Evidence, IdentityFields, Timestamps
from policy.reject_codes import OTHER
from projects.actors import Actor
from projects.models import Project, ProjectStatus
from projects.services import audit_record
from projects.services.credits import SubmissionsPaused
from submissions import duplicates, vault
from submissions.lookups import email_lookup, userid_lookup
from submissions.models import RunState, Submission, SubmissionSource, SubmissionStatus
from submissions.services.idempotency import (
    idempotency_key_check,
    idempotency_remember,
    idempotency_replay,
    request_fingerprint,
)
from submissions.services.submission_access import admin_named
from submissions.services.update import DEFAULT_REJECT_COMMENT, SubmissionUpdateRefused, parse_property

logger = logging.getLogger(__name__)

MIGRATED_KIND = "migrated"  # the document evidence's kind: no engine read a document
REQUIRED = ("admin", "email", "fullName", "birthDate", "kycStatus")
# Body field → the PATCH property whose rule checks it (``services.update.parse_property``).
PATCH_RULES = {
    "kycStatus": "kycStatus",
    "fullName": "fullName",
    "firstName": "first_name",
    "lastName": "last_name",
    "birthDate": "birthDate",
    "idType": "idType",
    "issuingCountry": "issuingCountry",
    "nationality": "nationality",
    "gender": "gender",
    "issueDate": "issueDate",
    "expireDate": "expireDate",
    "identityNumber": "identityNumber",
    "documentNumber": "documentNumber",
    "address_country": "nationality",
}
# Free texts, as POST /v3/submission bounds userid and cf1–cf3.
TEXTS = ("admin", "userid", "cf1", "cf2", "cf3", "address_city", "address_state", "address_street", "address_full")
MAX_TEXT_LENGTH = 200
MAX_EMAIL_LENGTH = 254
FIELDS = (*REQUIRED, *PATCH_RULES, *TEXTS, "ipAddress")
MAX_ECHOED_NAME = 40
# Body field → its key in the sealed metadata (the name GET shows it under in ``data``).
METADATA_KEYS = {
    "email": "email",
    "userid": "userid",
    "cf1": "cf1",
    "cf2": "cf2",
    "cf3": "cf3",
    "identityNumber": "identityNumber",
    "issueDate": "idcard_issueDate",
    "address_state": "address_state",
    "address_full": "address_formatted",
}


class MigrationRefused(ApplicationError):
    """One of the spec's refusals (§2.3): ``code`` and ``message`` are the spec's."""


class MigrationFailed(ApplicationError):
    code = "processing_error"

    def __init__(self) -> None:
        super().__init__("Failed to complete migration")


def _invalid_format(name: str) -> MigrationRefused:
    return MigrationRefused(f"invalid format: {name}", code="invalid_format", extra={"field": name})


def parse_migration(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The body's values checked and in stored form (dates, M/F), "" dropped as not given.

    Refusals, in this order: an unknown name (``invalid_parameter``), a value that is not a
    string (``invalid_format``), a required field missing or blank (``missing_data``), a value
    that does not parse (``invalid_format``)."""
    unknown = [name for name in fields if name not in FIELDS]
    if unknown:
        shown = unknown[0] if len(unknown[0]) <= MAX_ECHOED_NAME else unknown[0][:MAX_ECHOED_NAME] + "…"
        raise MigrationRefused(f"invalid parameter: {shown}", code="invalid_parameter", extra={"field": shown})
    for name, value in fields.items():
        if not isinstance(value, str):
            raise _invalid_format(name)
    given = {name: value.strip() for name, value in fields.items() if value.strip()}
    missing = [name for name in REQUIRED if name not in given]
    if missing:
        raise MigrationRefused("Required input data is missing", code="missing_data", extra={"field": missing[0]})
    return {name: _value(name, text) for name, text in given.items()}


def _value(name: str, text: str) -> Any:
    if name in PATCH_RULES:
        try:
            return parse_property(PATCH_RULES[name], text)
        except SubmissionUpdateRefused:
            raise _invalid_format(name) from None
    if name == "email":
        try:
            validate_email(text)
        except ValidationError:
            raise _invalid_format(name) from None
        if len(text) > MAX_EMAIL_LENGTH:
            raise _invalid_format(name)
        return text
    if name == "ipAddress":
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            raise _invalid_format(name) from None
    if len(text) > MAX_TEXT_LENGTH or not text.isprintable():
        raise _invalid_format(name)
    return text


def submission_migrate(
    *, project: Project, fields: Mapping[str, Any], actor: Actor, idempotency_key: str = ""
) -> Submission:
    """Create a decided submission of ``project`` from ``fields`` (§2.3 names; module doc).

    Refusals raise ``MigrationRefused`` (or ``SubmissionsPaused`` for an emergency stop) with
    nothing written; a failure of the store raises ``MigrationFailed`` (``processing_error``)
    after the transaction rolled back. ``idempotency_key`` (G2) returns the first submission
    for a repeat of the same body and refuses another body under the same key."""
    values = parse_migration(fields)
    idempotency_key_check(idempotency_key)
    fingerprint = request_fingerprint(operation="migrate", fields={name: str(value) for name, value in values.items()})
    try:
        return _migrate(project, values, actor, idempotency_key, fingerprint)
    except (DatabaseError, DecryptionError):
        logger.exception("migration into project %s failed", project.pk)
        raise MigrationFailed() from None


@transaction.atomic
def _migrate(
    project: Project, values: dict[str, Any], actor: Actor, idempotency_key: str, fingerprint: str
) -> Submission:
    if (replayed := idempotency_replay(project, idempotency_key, fingerprint)) is not None:
        return replayed
    status, stopped = Project.objects.values_list("status", "emergency_stop").get(pk=project.pk)
    if status == ProjectStatus.CLOSED:
        raise MigrationRefused("Invalid project", code="invalid_project")
    if stopped:
        raise SubmissionsPaused("Submissions are paused for this project (emergency stop).")
    admin = admin_named(project, values["admin"])
    if admin is None:
        raise MigrationRefused("Invalid admin", code="invalid_admin")
    submission = Submission(project=project, source=SubmissionSource.MIGRATION, status=values["kycStatus"],
                            run_state=RunState.DECIDED, reviewer=admin.email)  # fmt: skip
    submission.submitted_at = submission.decided_at = submission.created_at
    if submission.status == SubmissionStatus.REJECTED:
        submission.kyc_comment, submission.kyc_comment_code = [DEFAULT_REJECT_COMMENT], [OTHER]
    submission.wrapped_data_key = vault.new_wrapped_data_key(submission.id)
    metadata = {key: values[name] for name, key in METADATA_KEYS.items() if name in values}
    submission.sealed_metadata = vault.seal_json(submission, metadata, context=vault.METADATA_CONTEXT)
    submission.claimed_issuing_country = values.get("issuingCountry", "")
    submission.claimed_id_type = values.get("idType", "")
    submission.nationality = values.get("nationality", "")
    submission.email_lookup = email_lookup(values["email"])
    submission.userid_lookup = userid_lookup(values.get("userid", ""))
    submission.save(force_insert=True)
    client = ClientInfo(ip=values.get("ipAddress", ""), ip_origin=IpOrigin.DECLARED)
    submission_client_record(submission_id=submission.id, project_id=project.pk, client=client)
    evidence = _evidence(submission, values)
    found = duplicates.duplicates_lookup(submission, document=evidence.document)
    evidence = dataclasses.replace(evidence, duplicates=found)
    duplicates.applicant_assign(submission, found)
    submission.sealed_evidence = vault.seal_json(submission, evidence.to_json(), context=vault.EVIDENCE_CONTEXT)
    Submission.objects.filter(pk=submission.pk).update(
        sealed_evidence=submission.sealed_evidence, applicant_id=submission.applicant_id
    )
    audit_record(actor=actor, action="submission.migrated", project=project, target_type="submission",
                 target_id=submission.id, details={"status": submission.status, "fields": sorted(values),
                                                   "admin_user_id": admin.pk})  # fmt: skip
    idempotency_remember(project, idempotency_key, fingerprint, submission)
    return submission


def _evidence(submission: Submission, values: dict[str, Any]) -> Evidence:
    surname, _, given_names = values["fullName"].partition(" ")
    identity = IdentityFields(
        issuing_country=values.get("issuingCountry"),
        surname=values.get("lastName", surname),
        given_names=values.get("firstName", given_names.strip() or None),
        document_number=values.get("documentNumber"),
        nationality=values.get("nationality"),
        sex=values.get("gender"),
        birth_date=values["birthDate"],
        expiry_date=values.get("expireDate"),
    )
    moment = submission.created_at
    return Evidence(
        timestamps=Timestamps(created_at=moment, submitted_at=moment, evaluated_at=moment),
        document=DocumentEvidence(kind=MIGRATED_KIND, id_type=values.get("idType"), fields=identity),
        address=AddressEvidence(
            street=values.get("address_street"), city=values.get("address_city"), country=values.get("address_country")
        ),
    )
