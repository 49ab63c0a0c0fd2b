"""The policy's hard checks: conditions that reject, or send to review, whatever the score (pure).

Each check returns findings: ``reject`` with a §8.4 code, ``review`` (at least pending: a person
must look) or ``note`` (recorded in the trace, no effect). :data:`CHECKS` is in precedence
order: when several rejects apply, the first one's code is the submission's ``commentCode``,
and every finding still appears in the trace.

Readings of the spec where it is silent (see the report / docs):
- A date-based rejection (``expired_id``, ``under_ageLimit``) needs a trusted date: from a
  verified MRZ or a PDF417 barcode, not edited by the user. An untrusted date that would
  reject sends the submission to review instead.
- Duplicates count only against submissions that are ``approved`` or ``pending``: a person
  retrying after a rejection is not a duplicate. DI collisions give ``duplicated_user_PII_exact``
  (the DI is an exact match of name, DOB, gender, nationality), Custom DI collisions and the
  approve/reject prevention periods give ``duplicate_user``.
- VPN/proxy (§8.10) and device (§8.11) failures have no reject code: they reject with ``other``
  and a fixed English comment naming the rule (``DE-…`` codes for devices).
- A face that does not match, a refused selfie and a failed liveness are never auto-approved.
- Proof of address (only when the project requires it): the engine's ``address_*`` code
  rejects; no address image at all rejects ``address_image_invalidImage`` ("It must include
  your full name and address"), so a required proof is never waived by leaving it out.
- Third-party data: a provider's ``no_match`` sends to review (a person compares the record);
  ``unavailable`` (provider down, registry missing, fields not read) is a note only, so an
  outage never blocks approvals; ``match`` adds nothing.
- Knowledge-Based evidence (spec §6.3, no document): the document checks (image, ID type,
  expiry, entered values, proof of address) do not apply; the blacklist and ``allowedCountries``
  judge the typed **nationality** (``blacklistCountry``); a typed birth date under the age limit
  rejects ``under_ageLimit`` at once (the person's own statement, not a reading to doubt); a
  selfie without a usable face or a failed liveness goes to review, and so does an apparent age
  (the face engine's estimate) more than :data:`APPARENT_AGE_TOLERANCE` years from the typed one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from policy.evidence import DuplicateMatch, Evidence, full_years
from policy.score import AGE_FAR_YEARS
from policy.settings import PolicySettings

ACTIVE = ("approved", "pending")
# Knowledge-Based: how far the selfie's apparent age may be from the typed birth date's age before a
# person looks. The estimator's mean error is about 4 years (submissions/pipeline/face_age.py); 10
# leaves room for its spread and still catches a claimed 18 on the face of a 30-year-old.
APPARENT_AGE_TOLERANCE = AGE_FAR_YEARS


@dataclass(frozen=True)
class Finding:
    outcome: str  # reject | review | note
    name: str  # the reject code for rejects, the cause for reviews and notes
    detail: str
    comment: str | None = None  # the free text of reject code "other"


Check = Callable[[Evidence, PolicySettings], list[Finding]]


def _too_many_retry(e: Evidence, s: PolicySettings) -> list[Finding]:
    if e.failed_attempts >= s.max_attempts:
        return [Finding("reject", "too_many_retry", f"{e.failed_attempts} failed attempts of {s.max_attempts}")]
    return []


def _id_image(e: Evidence, s: PolicySettings) -> list[Finding]:
    document = e.document
    if e.knowledge_based:
        return []
    if document.intake_error is not None:
        return [Finding("reject", "id_image_error", f"image refused at intake: {document.intake_error}")]
    if not document.detected:
        return [Finding("reject", "id_image_invalidImage", "no document outline in the photo")]
    if document.kind == "unknown":
        quality = sorted(w.code for w in document.warnings if w.code.startswith("quality_"))
        if quality:
            return [Finding("reject", "id_image_badImage", f"nothing read; {', '.join(quality)}")]
        return [Finding("reject", "id_image_invalidId", "no MRZ, barcode or printed identity fields in a clear photo")]
    return []


def _id_type(e: Evidence, s: PolicySettings) -> list[Finding]:
    country, id_type = e.document.fields.issuing_country, e.document.id_type
    if e.knowledge_based or s.allowed_id_types.allows(country, id_type):
        return []
    accepted = ", ".join(s.allowed_id_types.types_for(country) or ())
    return [Finding("reject", "invalid_acceptedID", f"{id_type} from {country}; accepted: {accepted}")]


def _country(e: Evidence, s: PolicySettings) -> list[Finding]:
    """The document's issuing country; in Knowledge-Based, the typed nationality (there is no document)."""
    fields = e.document.fields
    country, what = (
        (fields.nationality, "nationality") if e.knowledge_based else (fields.issuing_country, "issuing country")
    )
    if e.session.blacklist_countries and country in s.blacklist_countries:
        return [Finding("reject", "blacklistCountry", f"{what} {country} is blacklisted")]
    allowed = e.session.allowed_countries
    if allowed and country not in allowed:
        return [Finding("reject", "blacklistCountry", f"{what} {country} not in {', '.join(allowed)}")]
    return []


def _dated(e: Evidence, field: str, code: str, cause: str, detail: str) -> list[Finding]:
    """Reject on a trusted date (verified MRZ or barcode, not edited by the user), else review."""
    if e.document.dates_verified and field not in e.document.edited_fields:
        return [Finding("reject", code, detail)]
    return [Finding("review", cause, f"{detail}, date not machine-verified")]


def _expired(e: Evidence, s: PolicySettings) -> list[Finding]:
    expiry, today = e.document.fields.expiry_date, e.timestamps.reference_date
    if e.knowledge_based or not e.document.was_read or not s.reject_expired_id or expiry is None or expiry >= today:
        return []
    detail = f"expired {expiry.isoformat()}, before {today.isoformat()}"
    return _dated(e, "expiry_date", "expired_id", "expiry_unverified", detail)


def _birth_date(e: Evidence, s: PolicySettings) -> list[Finding]:
    birth = e.document.fields.birth_date
    limit = s.age_limit if e.session.age_limit else None
    if not e.document.was_read:
        return []
    if birth is None:
        handling = {"reject": "reject", "pending": "review", "accept": "note"}[s.no_date_of_birth]
        name = "no-date-of-birth" if handling == "reject" else "birth_date_missing"
        found = [Finding(handling, name, "no date of birth on the ID")]
        if limit is not None and handling == "note":
            found.append(Finding("note", "age_unknown", f"age limit {limit} not checked: no date of birth"))
        return found
    if limit is None:
        return []
    age = full_years(birth, e.timestamps.reference_date)
    if age >= limit:
        return []
    if e.knowledge_based:  # typed by the person: nothing was misread
        return [Finding("reject", "under_ageLimit", f"typed age {age} under the limit {limit}")]
    return _dated(e, "birth_date", "under_ageLimit", "age_unverified", f"age {age} under the limit {limit}")


def _entered(e: Evidence, s: PolicySettings) -> list[Finding]:
    fields = e.document.entered_mismatches
    if fields and not e.knowledge_based:
        return [
            Finding("reject", "id_info_dataMismatch", f"entered values contradict the document: {', '.join(fields)}")
        ]
    return []


_ADDRESS_DETAILS = {
    "address_image_invalidImage": "the proof of address is not a readable image",
    "address_image_badImage": "no text read on the proof of address",
    "address_info_dataMismatch": "the holder's name is not on the proof of address",
}


def _address(e: Evidence, s: PolicySettings) -> list[Finding]:
    address = e.address
    if not s.proof_of_address or e.knowledge_based:  # the proof names a document's holder: ID pipeline only
        return []
    if not address.submitted:
        return [Finding("reject", "address_image_invalidImage", "no proof of address submitted")]
    code = address.reject_code
    if code is None:
        return []
    if code == "address_info_expiredDocument" and address.issue_date is None:
        detail = "no issue date on the proof of address"
    elif code == "address_info_expiredDocument":
        issued, day = address.issue_date.isoformat(), e.timestamps.reference_date.isoformat()
        detail = f"proof of address issued {issued}, more than 6 months before {day}"
    else:
        detail = _ADDRESS_DETAILS[code]
    return [Finding("reject", code, detail)]


def _ids(matches: tuple[DuplicateMatch, ...]) -> str:
    return ", ".join(m.submission_id for m in matches)


def _duplicate_user(e: Evidence, s: PolicySettings) -> list[Finding]:
    prevent = s.reject_duplicate_user if e.session.reject_duplicate_user is None else e.session.reject_duplicate_user
    found = []
    for kind, code in (("di", "duplicated_user_PII_exact"), ("custom_di", "duplicate_user")):
        active = tuple(m for m in getattr(e.duplicates, kind) if m.status in ACTIVE)
        if active:
            outcome, name = ("reject", code) if prevent else ("note", f"{kind}_duplicate")
            found.append(Finding(outcome, name, f"{kind} shared with {_ids(active)}"))
    return found


def _within(match: DuplicateMatch, days: int, moment: dt.datetime) -> bool:
    return match.decided_at is not None and moment - match.decided_at <= dt.timedelta(days=days)


def _periods(e: Evidence, s: PolicySettings) -> list[Finding]:
    moment = e.timestamps.submitted_at or e.timestamps.evaluated_at
    found = []
    for status, days, on in (
        ("approved", s.approve_period_days, e.session.approve_period),
        ("rejected", s.reject_period_days, e.session.reject_period),
    ):
        hits = tuple(m for m in e.duplicates.same_person if m.status == status and _within(m, days, moment))
        if days and on and hits:
            found.append(Finding("reject", "duplicate_user", f"{status} within {days} days: {_ids(hits)}"))
    return found


def _face_duplicate(e: Evidence, s: PolicySettings) -> list[Finding]:
    active = tuple(m for m in e.duplicates.face if m.status in ACTIVE)
    if not active:
        return []
    outcome, name = ("reject", "duplicated_face") if s.reject_duplicate_face else ("note", "face_duplicate")
    return [Finding(outcome, name, f"same face as {_ids(active)}")]


def _network(e: Evidence, s: PolicySettings) -> list[Finding]:
    if not s.network_detection or not e.network.checked:
        return []
    found = []
    for kind in e.network.kinds:
        level = s.network_levels.level(kind)
        detail = f"{kind} connection, level {level}, risk {e.network.risk_score}"
        if level == "high":
            comment = f"KYC is not accepted through a {kind} connection as per policy."
            found.append(Finding("reject", "other", detail, comment))
        else:
            found.append(Finding("review" if level == "medium" else "note", f"network_{kind}", detail))
    return found


def _device(e: Evidence, s: PolicySettings) -> list[Finding]:
    device = e.device
    if not s.device_verification or not device.checked:
        return []
    found = []
    if not device.static_passed:
        found.append(Finding("reject", "other", "not a mobile environment", "Device verification failed (DE-20000)."))
    if device.fingerprint_flags:
        detail = f"fingerprint: {', '.join(device.fingerprint_flags)}"
        found.append(Finding("reject", "other", detail, "Device verification failed (DE-30000)."))
    moment = e.timestamps.submitted_at or e.timestamps.evaluated_at
    period = s.device_duplicate_period_days
    approved = tuple(
        m for m in e.duplicates.device if m.status == "approved" and (period is None or _within(m, period, moment))
    )
    if len(approved) >= s.device_duplicate_limit:
        detail = f"{len(approved)} approvals on this device (limit {s.device_duplicate_limit}): {_ids(approved)}"
        if s.device_duplicate_policy == "fail":
            found.append(Finding("reject", "other", detail, "Device verification failed (DE-40000)."))
        else:
            found.append(Finding("note", "device_duplicate", detail))
    return found


def _face(e: Evidence, s: PolicySettings) -> list[Finding]:
    found = []
    face = e.face
    if face is not None and face.refusal is not None:
        found.append(Finding("review", "face_refused", f"selfie or portrait refused: {face.refusal}"))
    elif face is not None and not face.match and not e.knowledge_based:  # Knowledge-Based: no portrait to match
        found.append(Finding("review", "face_not_matched", f"similarity {face.similarity} below {face.threshold}"))
    if e.liveness.decision == "failed":
        found.append(Finding("review", "liveness_failed", f"liveness failed, score {e.liveness.score}"))
    return found


def _apparent_age(e: Evidence, s: PolicySettings) -> list[Finding]:
    """Knowledge-Based: the selfie's apparent age against the typed birth date, when the face
    engine gave one (an installation without the age model only notes it)."""
    birth = e.document.fields.birth_date
    if not e.knowledge_based or birth is None:
        return []
    if not e.age_estimate.available or e.age_estimate.years is None:
        return [Finding("note", "apparent_age_unknown", "no apparent age from the selfie")]
    typed = full_years(birth, e.timestamps.reference_date)
    gap = abs(e.age_estimate.years - typed)
    if gap > APPARENT_AGE_TOLERANCE:
        detail = f"apparent age {e.age_estimate.years:.1f}, typed age {typed}: {gap:.1f} years apart"
        return [Finding("review", "apparent_age_mismatch", detail)]
    return []


def _third_party(e: Evidence, s: PolicySettings) -> list[Finding]:
    found = []
    for check in e.third_party.checks:
        if check.status == "no_match":
            matched = ", ".join(check.matched) or "nothing"
            detail = f"{check.provider}: matched {matched} of {', '.join(check.compared)}"
            found.append(Finding("review", "third_party_no_match", detail))
        elif check.status == "unavailable":
            found.append(Finding("note", "third_party_unavailable", f"{check.provider}: {check.reason}"))
    return found


CHECKS: tuple[Check, ...] = (
    _too_many_retry,
    _id_image,
    _id_type,
    _country,
    _expired,
    _birth_date,
    _entered,
    _address,
    _duplicate_user,
    _periods,
    _face_duplicate,
    _network,
    _device,
    _face,
    _apparent_age,
    _third_party,
)


def run_checks(evidence: Evidence, settings: PolicySettings) -> list[Finding]:
    return [finding for check in CHECKS for finding in check(evidence, settings)]
