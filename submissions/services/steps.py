"""The run's steps: each reads its images with one engine, stores its ``CheckResult`` and returns
what the policy evidence needs (``submissions.services.process`` calls them in order).

Every step upserts its ``CheckResult`` keyed by (submission, step) at once, so a re-run
overwrites and never duplicates. The full engine output is sealed under the submission's data
key; the summary keeps only codes, scores and timings (no PII).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.utils import timezone
from PIL import Image

from idcheck.lib.crypto import DecryptionError
from policy.codec import to_plain
from policy.evidence import (
    AddressEvidence,
    AgeEstimateEvidence,
    DocumentEvidence,
    FaceEvidence,
    LivenessEvidence,
    ThirdPartyEvidence,
)
from registry.providers import overall_status
from registry.selectors import third_party_results
from submissions import duplicates, vault
from submissions.evidence import (
    DocumentOutcome,
    FaceOutcome,
    address_evidence,
    document_evidence,
    face_evidence,
    identity_query,
    machine_side,
    selfie_face_evidence,
    third_party_evidence,
)
from submissions.models import CheckResult, ImageKind, SelfieCapture, Submission
from submissions.pipeline.address import read_proof_of_address
from submissions.pipeline.document import RECTIFIED_WIDTH, DocumentReading, read_document
from submissions.pipeline.face import Face, FaceRefused, compare_faces, embed_face, single_face
from submissions.pipeline.face_age import estimate_age
from submissions.pipeline.intake import ImageRejected, decode_image
from submissions.pipeline.liveness import check_liveness
from submissions.pipeline.liveness.bundle import BundleError
from submissions.pipeline.locate import rectify
from submissions.pipeline.types import DocumentFields
from submissions.services.knowledge import knowledge_evidence, knowledge_load
from submissions.services.live_capture import live_capture_load


def store_step(submission: Submission, step: str, outcome: str, summary: dict[str, Any], result: Any) -> None:
    sealed = vault.seal_json(submission, result, context=f"submissions.check_result.{step}")
    CheckResult.objects.update_or_create(
        submission=submission,
        step=step,
        defaults={"outcome": outcome, "summary": summary, "sealed_result": sealed, "created_at": timezone.now()},
    )


def _reading_summary(reading: DocumentReading) -> dict[str, Any]:
    return {
        "kind": reading.kind,
        "mrz_valid": reading.mrz.valid if reading.mrz is not None else None,
        "barcode": reading.aamva is not None,
        "document_found": reading.quad is not None,
        "warnings": [w.code for w in reading.warnings],
        "visual": {check.field: check.status for check in reading.visual.checks} if reading.visual else {},
        "timing_ms": {key: round(value, 1) for key, value in reading.timing_ms.items()},
    }


def _read_side(submission: Submission, step: str, data: bytes, **options: Any) -> DocumentReading:
    reading = read_document(data, **options)
    store_step(submission, step, "read" if reading.kind != "unknown" else "unread", _reading_summary(reading),
                reading.as_json())  # fmt: skip
    return reading


def _submission_day(submission: Submission) -> dt.date:
    return (submission.submitted_at or submission.created_at).astimezone(dt.UTC).date()


def run_document(submission: Submission, images: dict[str, bytes]) -> DocumentOutcome:
    today = _submission_day(submission)
    back = None
    try:
        if ImageKind.ID_BACK in images:
            back = _read_side(submission, "document_back", images[ImageKind.ID_BACK], today=today)
        front = _read_side(submission, "document_front", images[ImageKind.ID_FRONT], today=today, other_side=back)
    except ImageRejected as refused:
        store_step(submission, "document_front", "refused", {"intake_error": refused.code}, {"code": refused.code})
        return DocumentOutcome(intake_error=refused.code)
    return DocumentOutcome(front=front, back=back)


def _portraits(front_photo: bytes, reading: DocumentReading | None) -> list[tuple[str, Any]]:
    """Where to look for the document portrait: the rectified document first, then the photo."""
    photo = decode_image(front_photo).image
    found = []
    if reading is not None and reading.quad is not None:
        found.append(("rectified", rectify(photo, reading.quad, width_px=RECTIFIED_WIDTH)))
    found.append(("photo", photo))
    return found


def run_face(
    submission: Submission, images: dict[str, bytes], document: DocumentOutcome, selfie: Image.Image | None
) -> FaceOutcome | None:
    if selfie is None:
        return None
    if document.intake_error is not None:
        outcome = FaceOutcome(refusal="no_document")
    else:
        outcome = FaceOutcome(refusal="no_face")
        for source, portrait in _portraits(images[ImageKind.ID_FRONT], document.front):
            try:
                outcome = FaceOutcome(match=compare_faces(portrait, selfie), portrait_from=source)
                duplicates.face_templates_store(submission, duplicates.match_embeddings(outcome.match))
                break
            except FaceRefused as refused:
                outcome = FaceOutcome(refusal=f"{'portrait' if refused.image == 'a' else 'selfie'}_{refused.code}")
                if refused.image == "b":
                    break  # the selfie is the problem: another portrait will not help
    match = outcome.match
    summary = {
        "similarity": round(match.similarity, 2) if match else None,
        "threshold": match.threshold if match else None,
        "match": match.match if match else False,
        "refusal": outcome.refusal,
        "portrait_from": outcome.portrait_from,
    }
    step_outcome = ("matched" if match.match else "not_matched") if match else "refused"
    store_step(submission, "face", step_outcome, summary, match.as_json() if match else summary)
    return outcome


def run_selfie_face(submission: Submission, selfie: Image.Image | None) -> Face | FaceRefused | None:
    """Knowledge-Based (no portrait to match): the selfie's one usable face, kept in the project's
    1:N index like a matched selfie's (face duplicates); or why there is none. None without a selfie."""
    if selfie is None:
        return None
    try:
        face = single_face(selfie)
    except FaceRefused as refused:
        summary = {"refusal": refused.code}
        store_step(submission, "face", "refused", summary, summary)
        return refused
    duplicates.face_templates_store(submission, duplicates.selfie_embeddings(embed_face(selfie, face)))
    store_step(submission, "face", "detected", {"refusal": None, "score": round(face.score, 3)}, face.as_json())
    return face


def selfie_landmarks(face: FaceOutcome | Face | FaceRefused | None) -> tuple[tuple[float, float], ...] | None:
    """The selfie face's five landmarks: of the 1:1 match (ID document) or of the face found alone."""
    if isinstance(face, Face):
        return face.landmarks
    if isinstance(face, FaceOutcome) and face.match is not None:
        return face.match.faces[1].landmarks
    return None


def run_age(
    submission: Submission, selfie: Image.Image | None, landmarks: tuple[tuple[float, float], ...] | None
) -> AgeEstimateEvidence:
    """The selfie's apparent age (the document portrait is years old): a second opinion beside
    the birth date, which the policy's rules may use (Knowledge-Based: its check of the typed
    birth date). Without the model: "unavailable"."""
    if selfie is None or landmarks is None:
        return AgeEstimateEvidence()
    rgb = np.asarray(selfie.convert("RGB"))
    estimate = estimate_age(rgb, np.asarray(landmarks, dtype=np.float32))
    outcome = "estimated" if estimate.available else "unavailable"
    store_step(submission, "age", outcome, estimate.as_json(), estimate.as_json())
    return AgeEstimateEvidence(available=estimate.available, years=estimate.years)


UPLOADED_REASON = "selfie uploaded, not captured live: liveness cannot be performed"


def run_liveness(submission: Submission, selfie: Image.Image | None) -> LivenessEvidence:
    """Only a live Liveform capture with a verified challenge can pass (``check_liveness``): the
    frames filmed against the plan the server issued, checked at the time they arrived. An
    uploaded selfie is ``not_performed`` for ever."""
    if submission.selfie_capture != SelfieCapture.LIVE:
        live = None
        reason = "no selfie" if submission.selfie_capture == SelfieCapture.NONE else UPLOADED_REASON
    else:
        try:
            live = live_capture_load(submission)
        except (DecryptionError, BundleError):
            live = None
        reason = "no challenge frames stored"
    if live is None:
        summary = {"decision": "not_performed", "reason": reason}
        store_step(submission, "liveness", "not_performed", summary, summary)
        return LivenessEvidence(decision="not_performed", score=None)
    still = np.asarray(selfie.convert("RGB")) if selfie is not None else None  # decoded once, by the run
    result = check_liveness(still, live.frames, live.plan, now=live.received_at_ms, nonce=live.nonce_sent)
    summary = {**result.as_json(), "frames": len(live.frames), "camera_errors": list(live.camera_errors)}
    store_step(submission, "liveness", result.decision, summary, summary)
    return LivenessEvidence(decision=result.decision, score=round(result.score, 4))


def run_third_party(submission: Submission, document: DocumentEvidence) -> ThirdPartyEvidence:
    """The project's third-party data providers (``registry``) on the document's identity; no
    step when the project configured none. Names of matched fields only, never values."""
    results = third_party_results(submission.project, identity_query(document), now=timezone.now())
    if not results:
        return ThirdPartyEvidence()
    summary = {"results": [result.summary() for result in results]}
    store_step(submission, "third_party", overall_status(results), summary, summary)
    return third_party_evidence(results)


def run_address(submission: Submission, images: dict[str, bytes], document: DocumentOutcome) -> AddressEvidence:
    """Proof of address, run only for a project that requires it: the bill or statement read
    against the document's holder (the machine-read side's name; an unread document has no name,
    so no bill can match it), dated within 6 months of the submission day. Without an address
    image the step is ``missing`` and the evidence not submitted (the policy rejects it)."""
    data = images.get(ImageKind.ADDRESS)
    if data is None:
        summary = {"reason": "no proof of address image"}
        store_step(submission, "address", "missing", summary, summary)
        return AddressEvidence()
    primary = machine_side(document) if document.intake_error is None else None
    holder = (primary.fields if primary is not None else None) or DocumentFields()
    reading = read_proof_of_address(data, holder=holder, today=_submission_day(submission))
    summary = {
        "reject_code": reading.reject_code,
        "name_found": reading.name_found,
        "address_found": any(reading.address.values()),
        "within_6_months": reading.within_6_months,
        "lines_read": len(reading.lines_read),
        "timing_ms": reading.timing_ms,
    }
    store_step(submission, "address", "refused" if reading.reject_code else "accepted", summary, to_plain(reading))
    return address_evidence(reading)


Steps = tuple[DocumentEvidence, FaceEvidence | None, AgeEstimateEvidence, LivenessEvidence, AddressEvidence | None]


def document_steps(
    submission: Submission, images: dict[str, bytes], selfie: Image.Image | None, *, edited: tuple[str, ...],
    address: bool,
) -> Steps:  # fmt: skip
    """The ID-document pipeline: the document, its portrait against the selfie, the selfie's age and
    liveness, and the proof of address when the project requires it (``address``)."""
    document = run_document(submission, images)
    face = run_face(submission, images, document, selfie)
    age = run_age(submission, selfie, selfie_landmarks(face))
    liveness = run_liveness(submission, selfie)
    document_ev = document_evidence(
        document, claimed_country=submission.claimed_issuing_country, claimed_id_type=submission.claimed_id_type,
        edited=edited,
    )  # fmt: skip
    proof = run_address(submission, images, document) if address else None
    return document_ev, face_evidence(face), age, liveness, proof


def knowledge_steps(submission: Submission, selfie: Image.Image | None) -> Steps:
    """The Knowledge-Based pipeline (spec §6.3): no document; the selfie's face, apparent age and
    liveness, and the identity the person typed (``services.knowledge``)."""
    face = run_selfie_face(submission, selfie)
    age = run_age(submission, selfie, selfie_landmarks(face))
    liveness = run_liveness(submission, selfie)
    return knowledge_evidence(knowledge_load(submission)), selfie_face_evidence(face), age, liveness, None
