"""Deleting the listed parts of a submission's personal data (spec §2.6, G19).

Only the spec's listed components (the constants below; ``docs/deletion.md`` maps each to what
ID Check stores). Sealed blobs that keep other values are re-sealed without the removed ones.
Repeating it succeeds and removes nothing more.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from idcheck.errors import ApplicationError
from network.services import submission_client_forget_address
from policy.evidence import Evidence
from projects.actors import Actor
from projects.models import Project
from submissions import vault
from submissions.duplicates import duplicates_forget
from submissions.models import CheckResult, ImageKind, Submission
from submissions.services.delete.shared import deletion_audit, submission_images_delete
from submissions.services.idempotency import (
    idempotency_key_check,
    idempotency_remember,
    idempotency_replay,
    request_fingerprint,
)
from submissions.services.knowledge import KNOWLEDGE_KEY
from submissions.services.submission_access import admin_named, locked_submission

# §2.6, exact and case-sensitive.
PARTIAL_FIELDS = (
    "id_image",
    "selfie_image",
    "data",
    "OCR_raw",
    "ocr",
    "review",
    "applicant_id",
    "email",
    "userid",
    "additional_list",
    "duplicated_information",
    "custom_duplicated_information",
    "injection_action",
)
DATA_FIELDS = (
    "age_group",
    "first_name",
    "last_name",
    "full_name",
    "name",
    "gender",
    "nationality",
    "date_of_birth",
    "address_city",
    "address_country",
    "address_state",
    "address_street",
    "address_street2",
    "address_zipcode",
    "address_globalCode",
    "address_compoundCode",
    "address_formatted",
    "address_input",
    "address_detail",
    "ip_address",
    "idcard_issuingCountry",
    "idcard_issueDate",
    "idcard_expireDate",
    "idType",
    "documentNumber",
    "identityNumber",
    "ssnNumber",
    "phoneNumber",
    "cf1",
    "cf2",
    "cf3",
)
# ``data`` names → the ``IdentityFields`` the document evidence keeps them in.
_IDENTITY_FIELDS = {
    "first_name": ("given_names",),
    "last_name": ("surname",),
    "full_name": ("surname", "given_names"),
    "name": ("surname", "given_names"),
    "gender": ("sex",),
    "nationality": ("nationality",),
    "date_of_birth": ("birth_date",),
    "idcard_issuingCountry": ("issuing_country",),
    "idcard_expireDate": ("expiry_date",),
    "documentNumber": ("document_number",),
}
# ``data`` names → the fields of the proof-of-address reading (``Evidence.address``) holding them.
_ADDRESS_FIELDS = {
    "address_street": "street",
    "address_city": "city",
    "address_zipcode": "postal_code",
    "address_country": "country",
}
# ``data`` names kept in the sealed metadata: the submitter's custom fields, the values only a
# PATCH or a migration gives (no engine reads them: ``services.update``, ``services.migration``),
# and the Liveform's SMS-verified phone number.
_METADATA_DATA_FIELDS = (
    "cf1",
    "cf2",
    "cf3",
    "identityNumber",
    "idcard_issueDate",
    "address_state",
    "address_formatted",
    "phoneNumber",
    "ssnNumber",  # Knowledge-Based, as typed
)
# Kept in the metadata but no ``data_fields`` name: forgotten when the whole of ``data`` is.
_METADATA_DATA_EXTRAS = ("serialNumber",)
# The document steps' CheckResults hold the engine's reading: raw lines and parsed fields (OCR_raw, ocr).
DOCUMENT_STEPS = ("document_front", "document_back")


@dataclasses.dataclass(frozen=True)
class PartialDeletion:
    submission: Submission
    fields: tuple[str, ...]
    data_fields: tuple[str, ...]


def submission_delete_partial(
    *,
    project: Project,
    submission_id: str,
    fields: Iterable[str],
    data_fields: Iterable[str] | None,
    actor: Actor,
    admin_name: str = "",
    idempotency_key: str = "",
) -> PartialDeletion:
    """Delete the listed components of one submission of ``project`` (§2.6; module doc).

    ``fields`` must be non-empty and name only :data:`PARTIAL_FIELDS`; ``data_fields`` only
    :data:`DATA_FIELDS` and only with ``data`` in ``fields`` (empty or None with ``data``: all of
    ``data``). Refusals raise ``ApplicationError`` with the spec's messages before anything is
    read; ``SubmissionNotFound`` as for the full deletion.
    """
    fields = tuple(dict.fromkeys(fields))
    data_fields = tuple(dict.fromkeys(data_fields or ()))
    _validate(fields, data_fields)
    idempotency_key_check(idempotency_key)
    fingerprint = request_fingerprint(operation="delete_partial", submission_id=submission_id, admin_name=admin_name,
                                      fields=sorted(fields), data_fields=sorted(data_fields))  # fmt: skip
    submission = _delete_partial(
        project, submission_id, fields, data_fields, actor, admin_name, idempotency_key, fingerprint
    )
    return PartialDeletion(submission, fields, data_fields)


def _validate(fields: tuple[str, ...], data_fields: tuple[str, ...]) -> None:
    if not fields:
        raise ApplicationError("fields cannot be empty", code="invalid_parameter")
    unknown = [name for name in fields if name not in PARTIAL_FIELDS]
    if unknown:
        raise ApplicationError(f"invalid fields found in fields: {', '.join(unknown)}", code="invalid_parameter")
    unknown = [name for name in data_fields if name not in DATA_FIELDS]
    if unknown:
        raise ApplicationError(f"invalid fields found in data_fields: {', '.join(unknown)}", code="invalid_parameter")
    if data_fields and "data" not in fields:
        raise ApplicationError(
            "data_fields parameter is not allowed when fields does not include data", code="invalid_parameter"
        )


@transaction.atomic
def _delete_partial(
    project: Project,
    submission_id: str,
    fields: tuple[str, ...],
    data_fields: tuple[str, ...],
    actor: Actor,
    admin_name: str,
    idempotency_key: str,
    fingerprint: str,
) -> Submission:
    if (replayed := idempotency_replay(project, idempotency_key, fingerprint)) is not None:
        return replayed
    submission = locked_submission(project, submission_id)
    components = duplicates_forget(submission, fields=fields, data_fields=data_fields or None)
    kinds = ([ImageKind.ID_FRONT, ImageKind.ID_BACK] if "id_image" in fields else []) + (
        [ImageKind.SELFIE] if "selfie_image" in fields else []
    )
    images = submission_images_delete(submission, kinds) if kinds else []
    data = set(data_fields) if data_fields else set(DATA_FIELDS) if "data" in fields else set()
    whole_data = "data" in fields and not data_fields
    metadata_removed = _metadata_forget(
        submission,
        {*(set(fields) & {"email", "userid", "review", "additional_list"}), *(data & set(_METADATA_DATA_FIELDS)),
         *(_METADATA_DATA_EXTRAS if whole_data else ()),
         # Knowledge-Based: the typed identity goes with any of its values (the evidence keeps the rest)
         *((KNOWLEDGE_KEY,) if data & set(_IDENTITY_FIELDS) else ())},
    )  # fmt: skip
    evidence_removed = _evidence_forget(submission, data)
    if "email" in fields:
        submission.email_lookup = ""
    if "userid" in fields:
        submission.userid_lookup = ""
    if "idType" in data:
        submission.claimed_id_type = ""
    if "idcard_issuingCountry" in data:
        submission.claimed_issuing_country = ""
    if "nationality" in data:
        submission.nationality = ""
    if "ip_address" in data:
        submission_client_forget_address(submission_id=submission.pk)
    injection_removed = "injection_action" in fields and submission.sealed_injection_action is not None
    if injection_removed:
        submission.sealed_injection_action = None
    admin = admin_named(project, admin_name)
    readings = 0
    if {"OCR_raw", "ocr"} & set(fields):
        readings = CheckResult.objects.filter(submission=submission, step__in=DOCUMENT_STEPS).update(sealed_result=None)
    submission.updated_at = timezone.now()
    submission.save(update_fields=["claimed_id_type", "claimed_issuing_country", "nationality", "sealed_metadata",
                                   "sealed_evidence", "email_lookup", "userid_lookup", "sealed_injection_action",
                                   "updated_at"])  # fmt: skip
    deletion_audit(actor, submission, "submission.partially_deleted", admin, fields=list(fields),
                   data_fields=list(data_fields), duplicate_components=sorted(components), images=images,
                   metadata=metadata_removed, evidence=evidence_removed, document_readings=readings,
                   injection_action=injection_removed)  # fmt: skip
    idempotency_remember(project, idempotency_key, fingerprint, submission)
    return submission


def _metadata_forget(submission: Submission, names: set[str]) -> list[str]:
    """Remove ``names`` from the sealed metadata (e-mail, userid, cf1–cf3); the names removed."""
    metadata = vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT) or {}
    removed = sorted(name for name in names if metadata.get(name))
    if removed:
        kept = {key: value for key, value in metadata.items() if key not in names}
        submission.sealed_metadata = vault.seal_json(submission, kept, context=vault.METADATA_CONTEXT)
    return removed


def _evidence_forget(submission: Submission, data: set[str]) -> list[str]:
    """Blank the values of the ``data`` names in the sealed evidence; the evidence fields blanked."""
    stored = vault.open_json(submission, submission.sealed_evidence, context=vault.EVIDENCE_CONTEXT)
    if stored is None or not data:
        return []
    evidence = Evidence.from_json(stored)
    document = evidence.document
    names = {attribute for name in data for attribute in _IDENTITY_FIELDS.get(name, ())}
    blanked = sorted(name for name in names if getattr(document.fields, name) is not None)
    changes: dict[str, Any] = {}
    if blanked:
        changes["fields"] = dataclasses.replace(document.fields, **dict.fromkeys(blanked))
    if "idType" in data and document.id_type is not None:
        changes["id_type"] = None
        blanked.append("id_type")
    if changes:
        evidence = dataclasses.replace(evidence, document=dataclasses.replace(document, **changes))
    # The proof-of-address reading, where the evidence has one.
    address = getattr(evidence, "address", None)
    gone = sorted(attr for name, attr in _ADDRESS_FIELDS.items() if name in data and getattr(address, attr, None))
    if gone:
        evidence = dataclasses.replace(evidence, address=dataclasses.replace(address, **dict.fromkeys(gone)))
        blanked += [f"address.{name}" for name in gone]
    if blanked:
        submission.sealed_evidence = vault.seal_json(submission, evidence.to_json(), context=vault.EVIDENCE_CONTEXT)
    return blanked
