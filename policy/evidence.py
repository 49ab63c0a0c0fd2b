"""What a verification produced, as the policy engine reads it (pure, frozen, JSON round-trip).

The evidence is independent of how the run stored its results: the worker assembles it once from
the pipeline's outputs and the duplicate/network/device look-ups, stores ``to_json()`` with the
submission, and the back-test re-reads it with ``Evidence.from_json``. Everything the engine
needs to decide is here, including the submission's timestamps, so that re-deciding an old
submission judges expiry and age as of the day it was submitted, not the day of the back-test.

Names follow the engines: warning codes are the document engine's (docs/document-engine.md),
face refusal codes the face engine's (``no_face``, ``several_faces``…), liveness decisions
``passed`` / ``failed`` / ``not_performed``. Countries are ISO 3166-1 alpha-3.

JSON shape (``schema`` is bumped when a field changes meaning; unknown keys are refused)::

    {"schema": 1,
     "document": {"kind": "td3", "id_type": "passport", "detected": true, "intake_error": null,
                  "fields": {"issuing_country": "UTO", "surname": "…", "given_names": "…",
                             "document_number": "…", "nationality": "UTO", "sex": "F",
                             "birth_date": "1990-01-31", "expiry_date": "2030-01-01"},
                  "mrz_valid": true, "check_digit_failures": [],
                  "warnings": [{"code": "quality_glare", "confidence": 0.8}],
                  "ocr_confidence": 0.93, "visual": [{"field": "surname", "status": "match"}],
                  "edited_fields": [], "entered_mismatches": []},
     "face": {"similarity": 61.2, "threshold": 39.4, "match": true, "refusal": null},
     "liveness": {"decision": "not_performed", "score": null},
     "age_estimate": {"available": true, "years": 33.5},
     "duplicates": {"di": [{"submission_id": "…", "status": "approved",
                            "decided_at": "2025-01-02T03:04:05+00:00", "similarity": null}],
                    "custom_di": [], "face": [], "device": [], "same_person": []},
     "network": {"checked": true, "kinds": ["vpn"], "risk_score": 72.0, "connection_type": "Data Center"},
     "device": {"checked": false, "static_passed": true, "fingerprint_flags": []},
     "failed_attempts": 0,
     "third_party": {"checks": [{"provider": "registry:gov-2025", "status": "no_match",
                                 "matched": ["surname"], "compared": ["document_number", "birth_date",
                                 "surname", "given_names", "nationality"], "reason": null,
                                 "checked_at": "…+00:00"}]},
     "address": {"submitted": true, "reject_code": null, "name_found": true, "issue_date": "2026-10-03",
                 "street": "12 Baker Street", "city": "London", "postal_code": "NW1 6XE", "country": "GBR"},
     "session": {"age_limit": true, "blacklist_countries": true, "approve_period": true,
                 "reject_period": true, "reject_duplicate_user": null, "allowed_countries": []},
     "timestamps": {"created_at": "…+00:00", "submitted_at": "…+00:00", "evaluated_at": "…+00:00"}}
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from policy.codec import CodecError, from_plain, to_plain

SCHEMA = 1
# The verification pipeline the evidence comes from (spec §6.3): an ID document, or Knowledge-Based,
# where ``document`` holds what the person typed (kind ``knowledge``, see ``DocumentEvidence``).
PIPELINES = ("id_document", "knowledge_based")
KNOWLEDGE_KIND = "knowledge"
LIVENESS_DECISIONS = ("passed", "failed", "not_performed")
VISUAL_STATUSES = ("match", "mismatch", "missing", "unread")
NETWORK_KINDS = ("vpn", "proxy", "tor", "hosting")
SUBMISSION_STATUSES = ("approved", "rejected", "pending", "incomplete")
THIRD_PARTY_STATUSES = ("match", "no_match", "unavailable")
ADDRESS_CODES = (
    "address_image_invalidImage",
    "address_image_badImage",
    "address_info_dataMismatch",
    "address_info_expiredDocument",
)


class EvidenceError(ValueError):
    """Stored evidence that cannot be read back; the message names the path."""


@dataclass(frozen=True)
class RaisedWarning:
    code: str
    confidence: float  # 0–1, how sure the engine is that the condition holds


@dataclass(frozen=True)
class FieldCheck:
    field: str  # surname, given_names, document_number, birth_date, expiry_date
    status: str  # match | mismatch | missing | unread (the visual cross-check)

    def __post_init__(self) -> None:
        _one_of("visual status", self.status, VISUAL_STATUSES)


@dataclass(frozen=True)
class IdentityFields:
    issuing_country: str | None = None
    surname: str | None = None
    given_names: str | None = None
    document_number: str | None = None
    nationality: str | None = None
    sex: str | None = None
    birth_date: dt.date | None = None
    expiry_date: dt.date | None = None


@dataclass(frozen=True)
class DocumentEvidence:
    # the document engine's kinds: td3, td1, td2, mrva, mrvb, pdf417_back, card_front, unknown; or
    # ``knowledge``: no document, the identity the person typed in the Knowledge-Based pipeline
    kind: str = "unknown"
    id_type: str | None = None  # government_id, passport, drivers_license… as selected or recognised
    detected: bool = True  # False: no document outline was found in the photo
    intake_error: str | None = None  # the intake refusal code when the image itself was refused
    fields: IdentityFields = field(default_factory=IdentityFields)
    mrz_valid: bool | None = None  # None: the document has no MRZ
    check_digit_failures: tuple[str, ...] = ()
    warnings: tuple[RaisedWarning, ...] = ()
    ocr_confidence: float | None = None  # 0–1, mean confidence of the fields read; None when nothing was read
    visual: tuple[FieldCheck, ...] = ()
    edited_fields: tuple[str, ...] = ()  # fields the user changed on the confirmation page
    entered_mismatches: tuple[str, ...] = ()  # fields whose entered value contradicts a machine-verified one

    def warning(self, code: str) -> float | None:
        """The highest confidence of warning ``code``, or None when it was not raised."""
        found = [w.confidence for w in self.warnings if w.code == code]
        return max(found) if found else None

    @property
    def was_read(self) -> bool:
        """A document was found and read (its kind is known)."""
        return self.detected and self.intake_error is None and self.kind != "unknown"

    @property
    def dates_verified(self) -> bool:
        """Dates read from a verified MRZ or a PDF417 barcode, as opposed to visual OCR."""
        return self.mrz_valid is True or (self.mrz_valid is None and self.kind == "pdf417_back")


@dataclass(frozen=True)
class FaceEvidence:
    similarity: float | None = None  # 0–100; None when a face was refused
    threshold: float = 39.4
    match: bool = False
    refusal: str | None = None  # the face engine's refusal code


@dataclass(frozen=True)
class LivenessEvidence:
    decision: str = "not_performed"
    score: float | None = None  # 0–1

    def __post_init__(self) -> None:
        _one_of("liveness decision", self.decision, LIVENESS_DECISIONS)


@dataclass(frozen=True)
class AgeEstimateEvidence:
    available: bool = False
    years: float | None = None


@dataclass(frozen=True)
class DuplicateMatch:
    submission_id: str
    status: str  # the other submission's status
    decided_at: dt.datetime | None = None
    similarity: float | None = None  # face duplicates: the 1:N similarity, 0–100

    def __post_init__(self) -> None:
        _one_of("duplicate status", self.status, SUBMISSION_STATUSES)


@dataclass(frozen=True)
class DuplicateEvidence:
    di: tuple[DuplicateMatch, ...] = ()  # same duplicated_information (name, DOB, gender, nationality)
    custom_di: tuple[DuplicateMatch, ...] = ()
    face: tuple[DuplicateMatch, ...] = ()  # face 1:N hits over the project's selfies
    device: tuple[DuplicateMatch, ...] = ()  # submissions from the same device fingerprint
    same_person: tuple[DuplicateMatch, ...] = ()  # same email, IP or claimed identity (prevention periods)


@dataclass(frozen=True)
class NetworkEvidence:
    checked: bool = False
    kinds: tuple[str, ...] = ()  # subset of NETWORK_KINDS
    risk_score: float | None = None  # 0–100
    connection_type: str | None = None  # Residential, Mobile, Data Center

    def __post_init__(self) -> None:
        for kind in self.kinds:
            _one_of("network kind", kind, NETWORK_KINDS)


@dataclass(frozen=True)
class DeviceEvidence:
    checked: bool = False
    static_passed: bool = True  # browser, graphics and screen look like a phone (DE-20000 when not)
    fingerprint_flags: tuple[str, ...] = ()  # vm, emulator, bot, tampering (DE-30000 when any)


@dataclass(frozen=True)
class ThirdPartyCheck:
    """One third-party data provider's answer (``registry.providers.ThirdPartyResult``)."""

    provider: str  # the project setting's provider id, e.g. registry:gov-2025
    status: str  # match | no_match | unavailable
    matched: tuple[str, ...] = ()  # identity fields the provider confirmed (names only, never values)
    compared: tuple[str, ...] = ()  # identity fields it compared
    reason: str | None = None  # why it was unavailable
    checked_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        _one_of("third-party status", self.status, THIRD_PARTY_STATUSES)


@dataclass(frozen=True)
class ThirdPartyEvidence:
    """Third-party data verification; empty when the project configured no provider. Optional in
    stored JSON: evidence written before this section existed reads back with no checks."""

    checks: tuple[ThirdPartyCheck, ...] = ()

    def with_status(self, status: str) -> tuple[ThirdPartyCheck, ...]:
        return tuple(check for check in self.checks if check.status == status)


@dataclass(frozen=True)
class AddressEvidence:
    """Proof of address: a bill or statement read against the document's holder
    (``submissions.pipeline.address``). Only a project that requires it runs the step; not
    ``submitted`` means no address image was read. Optional in stored JSON, as third_party."""

    submitted: bool = False
    reject_code: str | None = None  # the engine's code, one of ADDRESS_CODES; None: accepted
    name_found: bool = False  # the holder's surname and first given name on one line
    issue_date: dt.date | None = None  # the latest date printed on it, not after the submission day
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-3, when the postal code or a country line names it

    def __post_init__(self) -> None:
        if self.reject_code is not None:
            _one_of("address reject code", self.reject_code, ADDRESS_CODES)


@dataclass(frozen=True)
class SessionOptions:
    """The Liveform's per-session switches (spec §6.2): each ``False`` lifts the project rule."""

    age_limit: bool = True
    blacklist_countries: bool = True
    approve_period: bool = True
    reject_period: bool = True
    reject_duplicate_user: bool | None = None  # None: the project's setting
    allowed_countries: tuple[str, ...] = ()  # empty: every country


@dataclass(frozen=True)
class Timestamps:
    created_at: dt.datetime
    submitted_at: dt.datetime | None  # None: the flow was never finished (incomplete)
    evaluated_at: dt.datetime

    @property
    def reference_date(self) -> dt.date:
        """The day expiry and age are judged on: submission day (UTC), else evaluation day."""
        moment = self.submitted_at or self.evaluated_at
        return moment.astimezone(dt.UTC).date()


@dataclass(frozen=True)
class Evidence:
    timestamps: Timestamps
    document: DocumentEvidence = field(default_factory=DocumentEvidence)
    face: FaceEvidence | None = None  # None: no selfie was taken
    liveness: LivenessEvidence = field(default_factory=LivenessEvidence)
    age_estimate: AgeEstimateEvidence = field(default_factory=AgeEstimateEvidence)
    duplicates: DuplicateEvidence = field(default_factory=DuplicateEvidence)
    network: NetworkEvidence = field(default_factory=NetworkEvidence)
    device: DeviceEvidence = field(default_factory=DeviceEvidence)
    failed_attempts: int = 0  # face/liveness/document failures counted by the flow, this attempt included
    session: SessionOptions = field(default_factory=SessionOptions)
    third_party: ThirdPartyEvidence = field(default_factory=ThirdPartyEvidence)
    address: AddressEvidence = field(default_factory=AddressEvidence)
    pipeline: str = "id_document"  # one of PIPELINES; optional in stored JSON (older evidence: ID document)
    schema: int = SCHEMA

    def __post_init__(self) -> None:
        _one_of("pipeline", self.pipeline, PIPELINES)

    @property
    def knowledge_based(self) -> bool:
        return self.pipeline == "knowledge_based"

    def to_json(self) -> dict[str, Any]:
        return to_plain(self)

    def dumps(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True)

    @classmethod
    def from_json(cls, data: dict[str, Any] | str) -> Evidence:
        if isinstance(data, str):
            data = json.loads(data)
        if isinstance(data, dict) and data.get("schema", SCHEMA) != SCHEMA:
            raise EvidenceError(f"schema: evidence schema {data.get('schema')!r} is not {SCHEMA}")
        try:
            return from_plain(cls, data)
        except (CodecError, ValueError) as exc:
            raise EvidenceError(str(exc)) from None


def _one_of(what: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{what} {value!r} is not one of {', '.join(allowed)}")


def full_years(birth: dt.date, on: dt.date) -> int:
    """Age in whole years on ``on`` (born 29 February: a year older on 1 March in common years)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
