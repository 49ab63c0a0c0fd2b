"""From the engines' outputs to ``policy.evidence.Evidence``, and from evidence to the spec's ``data``.

Plain functions over the pipeline's dataclasses (no database), so the mapping can be tested and
re-used by the back-test. Readings of the spec and choices made here:

* The document's **machine-readable side** carries the identity: the front when it has an MRZ
  (passports, visas), else the back (a TD1 card's MRZ, a licence's PDF417). The front's visual
  zone is what ``read_document(front, other_side=back)`` cross-checked against it.
* ``ocr_confidence`` is the mean confidence of the printed fields that matched the machine-read
  ones; None when none did (the score then relies on the MRZ/barcode verification).
* ``id_type`` is the type the submitter claimed (``idType``) or, when none was, the one the
  document shows: MRZ code P → passport, V → visa, I/A/C → government_id, PDF417 → drivers_license.
* ``entered_mismatches``: a claimed ``issuingCountry`` that contradicts a verified MRZ or barcode.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, replace
from typing import Any

from network.device import DeviceAssessment
from network.verdicts import NetworkVerdict
from policy.evidence import (
    KNOWLEDGE_KIND,
    AddressEvidence,
    AgeEstimateEvidence,
    DeviceEvidence,
    DocumentEvidence,
    DuplicateEvidence,
    DuplicateMatch,
    Evidence,
    FaceEvidence,
    FieldCheck,
    IdentityFields,
    LivenessEvidence,
    NetworkEvidence,
    RaisedWarning,
    SessionOptions,
    ThirdPartyCheck,
    ThirdPartyEvidence,
    Timestamps,
    full_years,
)
from registry.providers import IdentityQuery, ThirdPartyResult
from submissions.pipeline.address import AddressReading
from submissions.pipeline.document import DocumentReading
from submissions.pipeline.face import Face, FaceMatch, FaceRefused

_MRZ_ID_TYPES = {"P": "passport", "V": "visa", "I": "government_id", "A": "government_id", "C": "government_id"}


@dataclass(frozen=True)
class DocumentOutcome:
    """What the document step produced: readings of each side, or the intake refusal."""

    front: DocumentReading | None = None
    back: DocumentReading | None = None
    intake_error: str | None = None  # the intake code when an image could not be decoded


@dataclass(frozen=True)
class FaceOutcome:
    match: FaceMatch | None = None
    refusal: str | None = None  # the face engine's refusal code
    portrait_from: str = ""  # rectified | photo: where the portrait was found


def machine_side(outcome: DocumentOutcome) -> DocumentReading | None:
    front, back = outcome.front, outcome.back
    if front is not None and front.machine_readable:
        return front
    if back is not None and back.machine_readable:
        return back
    return front


def _derived_id_type(reading: DocumentReading | None) -> str | None:
    if reading is None:
        return None
    if reading.aamva is not None:
        return "drivers_license"
    fields = reading.fields
    code = (fields.document_type or "")[:1] if fields is not None else ""
    return _MRZ_ID_TYPES.get(code)


def document_evidence(
    outcome: DocumentOutcome, *, claimed_country: str = "", claimed_id_type: str = "", edited: tuple[str, ...] = ()
) -> DocumentEvidence:
    """``edited``: the fields the person changed on the Liveform's confirmation page; the
    evidence keeps the engine's reading of them and names them (``edited_fields``)."""
    if outcome.intake_error is not None or outcome.front is None:
        return DocumentEvidence(kind="unknown", detected=False, intake_error=outcome.intake_error or "no_image",
                                edited_fields=edited)  # fmt: skip
    primary = machine_side(outcome)
    assert primary is not None
    fields = primary.fields
    identity = IdentityFields(
        **{name: getattr(fields, name) for name in IdentityFields.__dataclass_fields__} if fields else {}
    )
    visual = outcome.front.visual
    checks = visual.checks if visual is not None else ()
    matched = [check.confidence for check in checks if check.status == "match"]
    readings = [reading for reading in (outcome.front, outcome.back) if reading is not None]
    warnings = tuple(RaisedWarning(w.code, round(w.confidence, 4)) for r in readings for w in r.warnings)
    mrz = primary.mrz
    verified = (mrz is not None and mrz.valid) or primary.aamva is not None
    mismatches = ()
    if claimed_country and verified and identity.issuing_country and claimed_country != identity.issuing_country:
        mismatches = ("issuing_country",)
    return DocumentEvidence(
        kind=primary.kind,
        id_type=claimed_id_type or _derived_id_type(primary),
        detected=primary.quad is not None or primary.machine_readable,
        fields=identity,
        mrz_valid=mrz.valid if mrz is not None else None,
        check_digit_failures=tuple(check.name for check in mrz.checks if not check.passed) if mrz else (),
        warnings=warnings,
        ocr_confidence=round(statistics.fmean(matched), 4) if matched else None,
        visual=tuple(FieldCheck(check.field, check.status) for check in checks),
        edited_fields=edited,
        entered_mismatches=mismatches,
    )


def face_evidence(outcome: FaceOutcome | None) -> FaceEvidence | None:
    if outcome is None:
        return None
    if outcome.match is None:
        return FaceEvidence(similarity=None, match=False, refusal=outcome.refusal or "no_face")
    match = outcome.match
    return FaceEvidence(similarity=round(match.similarity, 2), threshold=match.threshold, match=match.match)


def selfie_face_evidence(face: Face | FaceRefused | None) -> FaceEvidence | None:
    """Knowledge-Based: the selfie's face found alone (no similarity, nothing to match), or the refusal."""
    if face is None:
        return None
    refusal = face.code if isinstance(face, FaceRefused) else None
    return FaceEvidence(similarity=None, match=False, refusal=refusal)


def network_evidence(verdict: NetworkVerdict) -> NetworkEvidence:
    """The IP look-up (``network.selectors.ip_verdict``): not checked without an end-user address."""
    if not verdict.checked:
        return NetworkEvidence()
    return NetworkEvidence(checked=True, kinds=verdict.kinds, risk_score=verdict.risk_score,
                           connection_type=verdict.connection_type)  # fmt: skip


def device_evidence(assessment: DeviceAssessment) -> DeviceEvidence:
    """Device verification (``network.device``): not checked without a user agent."""
    if not assessment.checked:
        return DeviceEvidence()
    return DeviceEvidence(checked=True, static_passed=assessment.static_passed,
                          fingerprint_flags=assessment.fingerprint_flags)  # fmt: skip


def identity_query(document: DocumentEvidence) -> IdentityQuery:
    """The document's identity, normalised, for the third-party providers (``registry``)."""
    fields = document.fields
    return IdentityQuery.from_fields(
        surname=fields.surname, given_names=fields.given_names, birth_date=fields.birth_date,
        document_number=fields.document_number, nationality=fields.nationality,
        issuing_country=fields.issuing_country,
    )  # fmt: skip


def third_party_evidence(results: tuple[ThirdPartyResult, ...]) -> ThirdPartyEvidence:
    return ThirdPartyEvidence(
        tuple(
            ThirdPartyCheck(
                result.provider, result.status, result.matched, result.compared, result.reason, result.checked_at
            )
            for result in results
        )
    )


def address_evidence(reading: AddressReading) -> AddressEvidence:
    address = reading.address
    return AddressEvidence(
        submitted=True, reject_code=reading.reject_code, name_found=reading.name_found,
        issue_date=reading.issue_date, street=address.get("street"), city=address.get("city"),
        postal_code=address.get("postal_code"), country=address.get("country"),
    )  # fmt: skip


def build_evidence(
    *,
    document: DocumentEvidence,
    face: FaceEvidence | None,
    liveness: LivenessEvidence,
    created_at: dt.datetime,
    submitted_at: dt.datetime,
    evaluated_at: dt.datetime,
    duplicates: DuplicateEvidence | None = None,
    network: NetworkEvidence | None = None,
    device: DeviceEvidence | None = None,
    device_duplicates: tuple[DuplicateMatch, ...] = (),
    age_estimate: AgeEstimateEvidence | None = None,
    third_party: ThirdPartyEvidence | None = None,
    address: AddressEvidence | None = None,
    pipeline: str = "id_document",
) -> Evidence:
    """The extension point for the later parts of issue 5: duplicates, network, device and the
    age estimate arrive here as further evidence sections (``policy.evidence`` has them all)."""
    return Evidence(
        timestamps=Timestamps(created_at=created_at, submitted_at=submitted_at, evaluated_at=evaluated_at),
        document=document,
        face=face,
        liveness=liveness,
        age_estimate=age_estimate or AgeEstimateEvidence(),
        duplicates=replace(duplicates or DuplicateEvidence(), device=device_duplicates),
        network=network or NetworkEvidence(),
        device=device or DeviceEvidence(),
        session=SessionOptions(),
        third_party=third_party or ThirdPartyEvidence(),
        address=address or AddressEvidence(),
        pipeline=pipeline,
    )


# --- the spec's ``data`` object (§3.2) -------------------------------------------------------


def age_group(birth: dt.date | None, on: dt.date) -> str:
    """§3.2 buckets: minor ≤ 13, early-teen 14–15, teen 16–17, adult ≥ 18; N/A when unknown."""
    if birth is None:
        return "N/A"
    age = full_years(birth, on)
    if age <= 13:
        return "minor"
    if age <= 15:
        return "early-teen"
    return "teen" if age <= 17 else "adult"


def identity_data(evidence: Evidence) -> dict[str, Any]:
    """The document's identity and the proof of address's address in the spec's ``data`` field
    names (§3.2: ``address_street``, ``address_city``, ``address_zipcode``, ``address_country``);
    empty values are left out."""
    document = evidence.document
    fields = document.fields
    full_name = " ".join(part for part in (fields.surname, fields.given_names) if part)  # §3.4: "HONG GILDONG"
    values = {
        "age_group": age_group(fields.birth_date, evidence.timestamps.reference_date) if document.was_read else None,
        "first_name": fields.given_names,
        "last_name": fields.surname,
        "full_name": full_name or None,
        "gender": {"M": "male", "F": "female"}.get(fields.sex or ""),
        "nationality": fields.nationality,
        "date_of_birth": fields.birth_date.isoformat() if fields.birth_date else None,
        "idcard_issuingCountry": fields.issuing_country,
        "idcard_expireDate": fields.expiry_date.isoformat() if fields.expiry_date else None,
        "idType": document.id_type,
        "documentNumber": fields.document_number,
        "address_street": evidence.address.street,
        "address_city": evidence.address.city,
        "address_zipcode": evidence.address.postal_code,
        "address_country": evidence.address.country,
    }
    return {key: value for key, value in values.items() if value}


# The document's identity fields by their §3.2 ``data`` names, for the reviewer's confidence column.
DATA_NAMES = {
    "surname": "last_name",
    "given_names": "first_name",
    "birth_date": "date_of_birth",
    "document_number": "documentNumber",
    "expiry_date": "idcard_expireDate",
    "nationality": "nationality",
    "sex": "gender",
}
MRZ_KINDS = frozenset({"td1", "td2", "td3", "mrva", "mrvb"})
# The flow's recognition score uses the same scale (``submissions.flow.ocr``): verified 100,
# unverified 60, contradicted by the printed side at most 50.
VERIFIED, UNVERIFIED, CONTRADICTED = 100, 60, 50


@dataclass(frozen=True)
class FieldConfidence:
    score: int  # 0–100
    words: str  # how the value was read, for a reviewer


def field_confidences(document: DocumentEvidence) -> dict[str, FieldConfidence]:
    """How sure the run is of each identity field it read, by ``data`` name (pure): a verified
    machine-readable zone or a PDF417 barcode 100, an MRZ whose check digits fail or the printed
    text alone 60, a value the printed side contradicts at most 50; a field the person changed on
    the confirmation page says so."""
    if document.kind == KNOWLEDGE_KIND:  # typed by the person (Knowledge-Based): nothing was read
        return {}
    contradicted = {check.field for check in document.visual if check.status == "mismatch"}
    found = {}
    for name, data_name in DATA_NAMES.items():
        if not getattr(document.fields, name):
            continue
        score, words = _source(document, name)
        if name in contradicted:
            score, words = min(score, CONTRADICTED), f"{words}; the printed side says otherwise"
        if name in document.edited_fields:
            words += "; changed by the person on the confirmation page"
        found[data_name] = FieldConfidence(score, words)
    return found


def _source(document: DocumentEvidence, name: str) -> tuple[int, str]:
    if document.kind == "pdf417_back":
        return VERIFIED, "PDF417 barcode"
    if document.kind in MRZ_KINDS:
        failed = [check for check in document.check_digit_failures if name in check or check in ("composite", "final")]
        if document.mrz_valid and not failed:
            return VERIFIED, "machine-readable zone, check digits pass"
        return UNVERIFIED, "machine-readable zone, a check digit fails"
    confidence = f", OCR confidence {round(document.ocr_confidence * 100)} %" if document.ocr_confidence else ""
    return UNVERIFIED, f"printed text{confidence}"
