"""An admin changes a submission after the fact: its document data or its decided status
(spec §2.4 ``PATCH /v3/submission``, §4.7 the ``updated`` webhook). The API and the dashboard's
edit and change-status forms both call :func:`submission_update`.

PATCH semantics: only the properties named change, by their §4.7 names (:data:`PATCHABLE`).
Where each one lives:

* the document's identity (``idType``, ``issuingCountry``, ``fullName``, ``first_name``,
  ``last_name``, ``gender``, ``nationality``, ``birthDate``, ``expireDate``,
  ``documentNumber``) is rewritten in the sealed evidence, where GET, the dashboard, the
  webhooks and the DI read it; ``fullName`` is split at its first space into last and first
  name, the order ``full_name`` is shown in (§3.4 "HONG GILDONG");
* ``identityNumber``, ``issueDate`` and ``serialNumber``, which no engine reads, go into the
  sealed metadata under their §3.2 ``data`` names (``identityNumber``, ``idcard_issueDate``,
  ``serialNumber``), so GET returns them in ``data``;
* ``privacyShield``, ``curpNumber``, ``version`` and ``typeOfPermit`` are refused: ID Check
  reads no document that has them.

Who: ``admin`` must be the e-mail of an active member of the project; anyone else is refused
with nothing written, since the change, its Event Log entry and the webhook's ``admin`` must
name a person (a deletion by an unknown admin still deletes; a change cannot be anonymous).

``kycStatus`` moves a decided submission between ``approved`` and ``rejected`` only; a pending
one is reviewed (``services.review``), an incomplete one has nothing to change yet. The new
status gets the admin as ``reviewer`` and a new ``decided_at``; a rejection carries code
``other`` with the admin's comment (or :data:`DEFAULT_REJECT_COMMENT`), an approval clears the
comments and gets an ``applicant_id`` as a reviewer's approval does, a rejection loses its
``applicant_id`` (§3.1: only approved submissions have one). Only the ``updated`` event is
emitted, with ``data.kyc_result``: the ``approved`` / ``rejected`` events announce a first
decision, and sending both would tell a receiver twice.

A changed name, birth date, sex or nationality makes a new DI (and Custom DI), unless a
deletion excluded it, so later look-ups compare the corrected identity; the change does not
re-run the duplicate checks or the decision.

Everything happens in one transaction on the row locked with ``select_for_update``: the values
are read from the locked row, compared with the new ones, and only the names whose value really
changed are recorded: one ``submission.updated`` Event Log entry (the names, never a value) and
one ``updated`` outbox row. A PATCH that changes nothing writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from idcheck.errors import ApplicationError
from idcheck.lib.crypto import DecryptionError
from idcheck.timeformat import format_compact, format_iso
from policy.evidence import DocumentEvidence, DuplicateEvidence, Evidence
from policy.id_types import ID_TYPES
from policy.reject_codes import OTHER
from projects.actors import Actor
from projects.models import Project, User
from projects.services import audit_record
from submissions import duplicates, vault
from submissions.duplicates.identity import custom_di_text, di_text, hash_custom_di, hash_di
from submissions.duplicates.services import custom_di_fields, custom_di_values
from submissions.models import RunState, Submission, SubmissionStatus
from submissions.services.aml import submission_aml_schedule
from submissions.services.idempotency import (
    idempotency_key_check,
    idempotency_remember,
    idempotency_replay,
    request_fingerprint,
)
from submissions.services.review import MAX_COMMENT_LENGTH
from submissions.services.submission_access import admin_named, locked_submission
from webhooks.services import webhook_event_emit

# §4.7's list, in its order: the order of ``data.update``.
PATCHABLE = (
    "kycStatus",
    "idType",
    "issuingCountry",
    "fullName",
    "first_name",
    "last_name",
    "gender",
    "nationality",
    "birthDate",
    "identityNumber",
    "issueDate",
    "expireDate",
    "documentNumber",
    "serialNumber",
)
NOT_HELD = ("privacyShield", "curpNumber", "version", "typeOfPermit")
# Property → the ``IdentityFields`` attribute of the document evidence holding it.
EVIDENCE_FIELDS = {
    "issuingCountry": "issuing_country",
    "first_name": "given_names",
    "last_name": "surname",
    "gender": "sex",
    "nationality": "nationality",
    "birthDate": "birth_date",
    "expireDate": "expiry_date",
    "documentNumber": "document_number",
}
DOCUMENT_PROPERTIES = ("idType", "fullName", *EVIDENCE_FIELDS)
# Property → its key in the sealed metadata (the §3.2 ``data`` name GET shows it under).
METADATA_KEYS = {"identityNumber": "identityNumber", "issueDate": "idcard_issueDate", "serialNumber": "serialNumber"}
DECIDED = (SubmissionStatus.APPROVED, SubmissionStatus.REJECTED)
DEFAULT_REJECT_COMMENT = "Rejected by the project's administrator."
MAX_NAME_LENGTH = 200
MAX_NUMBER_LENGTH = 64
MAX_ECHOED_NAME = 40
_GENDERS = {"male": "M", "female": "F"}
_COUNTRY = re.compile(r"[A-Z]{3}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./-]*")


class SubmissionUpdateRefused(ApplicationError):
    code = "update_refused"


@dataclasses.dataclass(frozen=True)
class SubmissionUpdate:
    submission: Submission
    changed: tuple[str, ...]  # the properties whose value changed, in §4.7's order; () when none


def submission_update(
    *,
    project: Project,
    submission_id: str,
    changes: Mapping[str, Any],
    admin: str,
    actor: Actor,
    comment: str = "",
    idempotency_key: str = "",
) -> SubmissionUpdate:
    """Set the properties in ``changes`` (§4.7 names) of one submission of ``project`` (module doc).

    ``comment`` is the rejection's comment when ``kycStatus`` becomes ``rejected``. Refusals
    raise ``ApplicationError`` (``SubmissionNotFound`` for an unknown or deleted submission)
    and change nothing. ``idempotency_key`` replays a finished change with the same key."""
    if not (admin or "").strip():
        raise SubmissionUpdateRefused("admin is required.")
    if not changes:
        raise SubmissionUpdateRefused("At least one property to modify is required.")
    parsed = parse_changes(changes)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise SubmissionUpdateRefused(f"The comment is longer than {MAX_COMMENT_LENGTH} characters.")
    idempotency_key_check(idempotency_key)
    fingerprint = request_fingerprint(operation="update", submission_id=submission_id, admin=admin.strip().lower(),
                                      changes={k: str(v) for k, v in parsed.items()}, comment=comment)  # fmt: skip
    return _update(project, submission_id, parsed, admin, actor, comment, idempotency_key, fingerprint)


def parse_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The requested values, checked and in stored form (dates, M/F); refusals name the property."""
    parsed: dict[str, Any] = {}
    for name, value in changes.items():
        if name in NOT_HELD:
            raise SubmissionUpdateRefused(f"{name} cannot be changed: ID Check holds no such value.")
        if name not in PATCHABLE:
            # a long name is cut: a refusal must not echo a whole request body back
            shown = name if len(name) <= MAX_ECHOED_NAME else name[:MAX_ECHOED_NAME] + "…"
            raise SubmissionUpdateRefused(f"Unknown property: {shown}.")
        parsed[name] = parse_property(name, value)
    if "fullName" in parsed and {"first_name", "last_name"} & set(parsed):
        raise SubmissionUpdateRefused("fullName cannot be changed together with first_name or last_name.")
    return parsed


def parse_property(name: str, value: Any) -> Any:
    """One property's value checked and in stored form; ``SubmissionUpdateRefused`` says what is expected."""
    text = value.strip() if isinstance(value, str) else None
    if not text:
        raise SubmissionUpdateRefused(f"Invalid value for {name}: {_EXPECTED[name]}.")
    valid: Any = None
    if name == "kycStatus":
        valid = text if text in DECIDED else None
    elif name == "idType":
        valid = text if text in ID_TYPES else None
    elif name in ("issuingCountry", "nationality"):
        valid = text if _COUNTRY.fullmatch(text) else None
    elif name == "gender":
        valid = _GENDERS.get(text)
    elif name in ("birthDate", "issueDate", "expireDate"):
        valid = _date(text)
        if valid is not None and name == "birthDate" and valid > timezone.now().date():
            valid = None
        if valid is not None and name == "issueDate":
            valid = valid.isoformat()  # kept as text in the metadata
    elif name in ("fullName", "first_name", "last_name"):
        valid = text if len(text) <= MAX_NAME_LENGTH and text.isprintable() else None
    else:
        valid = text if len(text) <= MAX_NUMBER_LENGTH and _NUMBER.fullmatch(text) else None
    if valid is None:
        raise SubmissionUpdateRefused(f"Invalid value for {name}: {_EXPECTED[name]}.")
    return valid


_EXPECTED = {
    "kycStatus": "approved or rejected",
    "idType": "one of " + ", ".join(ID_TYPES),
    "issuingCountry": "three capital letters (ISO 3166-1 alpha-3)",
    "nationality": "three capital letters (ISO 3166-1 alpha-3)",
    "gender": "male or female",
    "birthDate": "a past date as YYYY-MM-DD",
    "issueDate": "a date as YYYY-MM-DD",
    "expireDate": "a date as YYYY-MM-DD",
    "fullName": f"a name of up to {MAX_NAME_LENGTH} printable characters",
    "first_name": f"a name of up to {MAX_NAME_LENGTH} printable characters",
    "last_name": f"a name of up to {MAX_NAME_LENGTH} printable characters",
    "identityNumber": f"up to {MAX_NUMBER_LENGTH} letters, digits, spaces, dots, slashes or hyphens",
    "documentNumber": f"up to {MAX_NUMBER_LENGTH} letters, digits, spaces, dots, slashes or hyphens",
    "serialNumber": f"up to {MAX_NUMBER_LENGTH} letters, digits, spaces, dots, slashes or hyphens",
}


def _date(text: str) -> dt.date | None:
    if not _DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@transaction.atomic
def _update(
    project: Project,
    submission_id: str,
    parsed: dict[str, Any],
    admin_name: str,
    actor: Actor,
    comment: str,
    idempotency_key: str,
    fingerprint: str,
) -> SubmissionUpdate:
    if (replayed := idempotency_replay(project, idempotency_key, fingerprint)) is not None:
        return SubmissionUpdate(replayed, ())
    submission = locked_submission(project, submission_id)
    admin = admin_named(project, admin_name)
    if admin is None:
        raise SubmissionUpdateRefused("admin is not a member of this project.")
    _check_state(submission, parsed)
    evidence, metadata = _opened(submission, parsed)
    before = properties(submission, evidence, metadata)
    if evidence is not None and set(parsed) & set(DOCUMENT_PROPERTIES):
        evidence = dataclasses.replace(evidence, document=_document(evidence.document, parsed))
    for name, key in METADATA_KEYS.items():
        if name in parsed:
            metadata = {**metadata, key: parsed[name]}
    now = timezone.now()
    if parsed.get("kycStatus", submission.status) != submission.status:
        _decide(submission, parsed["kycStatus"], admin, comment, evidence, now)
    changed = tuple(name for name in PATCHABLE if properties(submission, evidence, metadata)[name] != before[name])
    if changed:
        _save(submission, changed, evidence, metadata, now)
        _record(actor, submission, changed, admin, before["kycStatus"], now)
        if "kycStatus" in changed:
            submission_aml_schedule(submission)
    idempotency_remember(project, idempotency_key, fingerprint, submission)
    return SubmissionUpdate(submission, changed)


def _check_state(submission: Submission, parsed: dict[str, Any]) -> None:
    if submission.run_state in (RunState.QUEUED, RunState.PROCESSING):
        raise SubmissionUpdateRefused("This submission is being verified; change it once its verification is done.")
    wanted = parsed.get("kycStatus")
    if wanted is not None and wanted != submission.status and submission.status not in DECIDED:
        raise SubmissionUpdateRefused(
            f"Only an approved or rejected submission can change its kycStatus; this one is {submission.status}"
            + (" and is decided by a review." if submission.status == SubmissionStatus.PENDING else ".")
        )


def _opened(submission: Submission, parsed: dict[str, Any]) -> tuple[Evidence | None, dict[str, Any]]:
    """The locked row's evidence and metadata; refused when a document property is asked of a
    submission that has no evidence (never verified) or whose seal does not open."""
    try:
        stored = vault.open_json(submission, submission.sealed_evidence, context=vault.EVIDENCE_CONTEXT)
        metadata = vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT) or {}
    except DecryptionError:
        raise SubmissionUpdateRefused("Data Processing Error.") from None
    asked = [name for name in DOCUMENT_PROPERTIES if name in parsed]
    if stored is None and asked:
        raise SubmissionUpdateRefused(f"{asked[0]} cannot be changed: this submission has no document data yet.")
    return (Evidence.from_json(stored) if stored is not None else None), metadata


def properties(submission: Submission, evidence: Evidence | None, metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Every patchable property's current value (None when it has none), by its §4.7 name."""
    values: dict[str, Any] = dict.fromkeys(PATCHABLE)
    values["kycStatus"] = submission.status
    if evidence is not None:
        document = evidence.document
        fields = document.fields
        values["idType"] = document.id_type
        values["fullName"] = " ".join(part for part in (fields.surname, fields.given_names) if part) or None
        for name, attribute in EVIDENCE_FIELDS.items():
            values[name] = getattr(fields, attribute)
    for name, key in METADATA_KEYS.items():
        values[name] = metadata.get(key)
    return values


def _document(document: DocumentEvidence, parsed: dict[str, Any]) -> DocumentEvidence:
    fields: dict[str, Any] = {EVIDENCE_FIELDS[name]: parsed[name] for name in EVIDENCE_FIELDS if name in parsed}
    if "fullName" in parsed:
        surname, _, given_names = parsed["fullName"].partition(" ")
        fields.update(surname=surname, given_names=given_names.strip() or None)
    changes: dict[str, Any] = {"fields": dataclasses.replace(document.fields, **fields)}
    if "idType" in parsed:
        changes["id_type"] = parsed["idType"]
    return dataclasses.replace(document, **changes)


def _decide(
    submission: Submission, status: str, admin: User, comment: str, evidence: Evidence | None, now: dt.datetime
) -> None:
    """approved ↔ rejected by ``admin`` (module doc); the row is saved by ``_save``."""
    submission.status, submission.reviewer, submission.decided_at = status, admin.email, now
    if status == SubmissionStatus.REJECTED:
        submission.kyc_comment, submission.kyc_comment_code = [comment or DEFAULT_REJECT_COMMENT], [OTHER]
        submission.applicant_id = ""
    else:
        submission.kyc_comment, submission.kyc_comment_code = [], []
        duplicates.applicant_assign(submission, evidence.duplicates if evidence is not None else DuplicateEvidence())


def _save(
    submission: Submission,
    changed: tuple[str, ...],
    evidence: Evidence | None,
    metadata: dict[str, Any],
    now: dt.datetime,
) -> None:
    fields = ["updated_at"]
    if evidence is not None and set(changed) & set(DOCUMENT_PROPERTIES):
        submission.sealed_evidence = vault.seal_json(submission, evidence.to_json(), context=vault.EVIDENCE_CONTEXT)
        _identities_refresh(submission, evidence.document, metadata)
        # the dashboard filters on this plain copy of the document's nationality (alpha-3, no PII)
        submission.nationality = (evidence.document.fields.nationality or "")[:3]
        fields += ["sealed_evidence", "duplicated_information", "custom_duplicated_information", "nationality"]
    if set(changed) & set(METADATA_KEYS):
        submission.sealed_metadata = vault.seal_json(submission, metadata, context=vault.METADATA_CONTEXT)
        fields.append("sealed_metadata")
    if "kycStatus" in changed:
        fields += ["status", "reviewer", "decided_at", "kyc_comment", "kyc_comment_code", "applicant_id"]
    submission.updated_at = now  # a plain UPDATE: save() would stamp auto_now later than update_time
    Submission.objects.filter(pk=submission.pk).update(**{name: getattr(submission, name) for name in fields})


def _identities_refresh(submission: Submission, document: DocumentEvidence, metadata: dict[str, Any]) -> None:
    """The DI and Custom DI of the corrected identity, unless a deletion excluded them."""
    excluded = set(submission.duplicate_exclusions)
    if "di" not in excluded:
        fields = document.fields
        text = di_text(surname=fields.surname, given_names=fields.given_names, birth_date=fields.birth_date,
                       sex=fields.sex, nationality=fields.nationality)  # fmt: skip
        submission.duplicated_information = hash_di(text) if text else ""
    chosen = custom_di_fields(submission.project_id)
    if chosen and "custom_di" not in excluded:
        text = custom_di_text(custom_di_values(document, metadata), chosen)
        submission.custom_duplicated_information = hash_custom_di(text) if text else ""


def _record(
    actor: Actor, submission: Submission, changed: tuple[str, ...], admin: User, previous: str, now: dt.datetime
) -> None:
    """The Event Log entry (names, never values: no PII) and the §4.7 ``updated`` outbox row."""
    audit_record(actor=actor, action="submission.updated", project=submission.project, target_type="submission",
                 target_id=submission.pk, details={"fields": list(changed), "admin_user_id": admin.pk,
                                                   "previous_status": previous, "status": submission.status})  # fmt: skip
    data: dict[str, Any] = {"update": list(changed), "kyc_result": submission.status}
    if submission.status == SubmissionStatus.PENDING and submission.decided_at is not None:
        data["pending_at"] = format_compact(submission.decided_at)
    if submission.reviewer:
        data["reviewer"] = submission.reviewer
    webhook_event_emit(
        project=submission.project,
        event="updated",
        resource_id=submission.pk,
        payload={
            "webhook_trigger": "updated",
            "submission_id": submission.pk,
            "data": data,
            "admin": admin.email,
            "update_time": format_iso(now),
        },  # fmt: skip
    )
