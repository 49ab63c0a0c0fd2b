"""The ARGOS score (0–100) from the evidence, with its per-check breakdown (pure).

Each check turns one part of the evidence into a value from 0 (no support) to 1 (full support);
its contribution is ``weight × value`` rounded to 2 decimals, and the score is the sum of the
contributions rounded half up to a whole number, so the breakdown always adds up to the score.

| check | weight | value | why this weight |
|---|---|---|---|
| ``document_read`` | 15 | OCR confidence of the fields read (0–1); 1 for a verified MRZ/barcode whose confidence was not measured, 0.5 for unverified, 0 when no document was read | reading the data is the precondition of everything else, but a low OCR confidence is a weak fraud signal |
| ``mrz_integrity`` | 15 | 1 when the MRZ check digits (or a PDF417 barcode) verify, 0.5 for a card front with nothing machine-verifiable, 0 when check digits fail or nothing was read | check digits are the strongest deterministic sign that the data is genuine and correctly read |
| ``visual_consistency`` | 15 | 1 − the highest confidence of ``mrz_visual_mismatch`` / ``barcode_front_mismatch`` / ``visual_zone_unread``; 0 when nothing was read | a printed zone that disagrees with the MRZ is the classic altered document |
| ``capture_authenticity`` | 10 | 1 − the highest confidence of ``suspected_screen_capture`` / ``suspected_photocopy`` | presentation attacks on the document; the cues are simple measures (docs/document-engine.md), so less weight than the MRZ |
| ``image_quality`` | 5 | 1 − 0.25 per distinct ``quality_*`` warning, at least 0 | poor captures explain misreads; they are not fraud in themselves |
| ``face_match`` | 25 | 0 without a selfie, a refusal or a similarity below the face threshold; else ``min(1, 0.5 + (similarity − threshold) / 40)`` | the selfie–portrait match is what ties the document to the person; passing just at the threshold earns half, 20 points above it earns all |
| ``liveness`` | 10 | the liveness score (0–1) when passed (1 if no score), else 0 | proves a live person; selfies uploaded through the API are ``not_performed`` and cannot earn it |
| ``data_entry`` | 5 | 1 − 0.5 per field the user edited on the confirmation page, at least 0 | hand-corrected data is less trustworthy than data read by the engine |

The weights add up to 100. A genuine passport with a clear selfie uploaded through the API
(no liveness) scores about 85: above the Conservative threshold (70) with room for one weak
check. A document that cannot be read at all scores at most 35 (capture, quality, face).

**Knowledge-Based** evidence (no document: the person typed their identity, spec §6.3) has its
own three checks, since nothing typed can be verified by reading it:

| check | weight | value | why this weight |
|---|---|---|---|
| ``selfie_face`` | 30 | 1 when the selfie shows one usable face, else 0 | without a face nothing ties the data to a person |
| ``liveness`` | 50 | 1 when the live challenge passed, else 0 (the engine's pass already weighs its score against its own threshold; genuine challenges score 0.4–0.7) | the only proof that a live person is behind the typed data: a selfie chosen from a file (no challenge) scores at most 50, under the Conservative threshold, so a person reviews it |
| ``age_consistency`` | 20 | 1 when the apparent age is within 5 years of the typed birth date's, 0.5 within 10 years or when no estimate is available, else 0 | the one cross-check of typed data against the face |
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from policy.evidence import Evidence, full_years

WEIGHTS = {
    "document_read": 15,
    "mrz_integrity": 15,
    "visual_consistency": 15,
    "capture_authenticity": 10,
    "image_quality": 5,
    "face_match": 25,
    "liveness": 10,
    "data_entry": 5,
}
VISUAL_WARNINGS = ("mrz_visual_mismatch", "barcode_front_mismatch", "visual_zone_unread")
CAPTURE_WARNINGS = ("suspected_screen_capture", "suspected_photocopy")
QUALITY_PENALTY = 0.25
EDIT_PENALTY = 0.5
FACE_FULL_MARGIN = 40.0  # similarity points above the threshold, doubled: 20 above it earns the full weight


@dataclass(frozen=True)
class ScoreLine:
    check: str
    value: float  # 0–1
    weight: int
    contribution: float  # weight × value, 2 decimals
    threshold: float | None = None  # what ``measure`` was compared with, when anything was
    measure: float | None = None  # the raw measurement (similarity, OCR confidence…)
    detail: str = ""


@dataclass(frozen=True)
class Score:
    value: int
    lines: tuple[ScoreLine, ...]


def round_half_up(number: float) -> int:
    return int(Decimal(str(round(number, 6))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def clamp_score(number: float) -> int:
    return max(0, min(100, round_half_up(number)))


KNOWLEDGE_WEIGHTS = {"selfie_face": 30, "liveness": 50, "age_consistency": 20}
AGE_CLOSE_YEARS, AGE_FAR_YEARS = 5.0, 10.0


def compute_score(evidence: Evidence) -> Score:
    if evidence.knowledge_based:
        return _knowledge_score(evidence)
    parts = [
        _document_read(evidence),
        _mrz_integrity(evidence),
        _visual_consistency(evidence),
        _capture_authenticity(evidence),
        _image_quality(evidence),
        _face_match(evidence),
        _liveness(evidence),
        _data_entry(evidence),
    ]
    return _lines(parts, WEIGHTS)


Part = tuple[str, float, float | None, float | None, str]


def _lines(parts: list[Part], weights: dict[str, int]) -> Score:
    lines = []
    for check, raw, threshold, measure, detail in parts:
        value = max(0.0, min(1.0, raw))
        weight = weights[check]
        lines.append(ScoreLine(check, round(value, 4), weight, round(weight * value, 2), threshold, measure, detail))
    return Score(clamp_score(sum(line.contribution for line in lines)), tuple(lines))


def _knowledge_score(evidence: Evidence) -> Score:
    return _lines([_selfie_face(evidence), _live_person(evidence), _age_consistency(evidence)], KNOWLEDGE_WEIGHTS)


def _live_person(evidence: Evidence) -> Part:
    liveness = evidence.liveness
    passed = liveness.decision == "passed"
    return ("liveness", 1.0 if passed else 0.0, None, liveness.score, f"liveness {liveness.decision}")


def _selfie_face(evidence: Evidence) -> Part:
    face = evidence.face
    if face is None:
        return ("selfie_face", 0.0, None, None, "no selfie")
    if face.refusal is not None:
        return ("selfie_face", 0.0, None, None, f"selfie refused: {face.refusal}")
    return ("selfie_face", 1.0, None, None, "one usable face")


def _age_consistency(evidence: Evidence) -> Part:
    birth, estimate = evidence.document.fields.birth_date, evidence.age_estimate
    if birth is None or not estimate.available or estimate.years is None:
        return ("age_consistency", 0.5, None, None, "no apparent age from the selfie")
    typed = full_years(birth, evidence.timestamps.reference_date)
    gap = abs(estimate.years - typed)
    value = 1.0 if gap <= AGE_CLOSE_YEARS else 0.5 if gap <= AGE_FAR_YEARS else 0.0
    return ("age_consistency", value, AGE_FAR_YEARS, round(gap, 1), f"apparent age {estimate.years:.1f}, typed {typed}")


def _document_read(evidence: Evidence) -> Part:
    document = evidence.document
    if not evidence.document.was_read:
        return ("document_read", 0.0, None, None, "no document was read")
    if document.ocr_confidence is not None:
        confidence = document.ocr_confidence
        return ("document_read", confidence, None, confidence, f"OCR confidence {confidence:.2f}")
    if document.dates_verified:
        return ("document_read", 1.0, None, None, "machine-readable data verified; OCR confidence not measured")
    return ("document_read", 0.5, None, None, "OCR confidence not measured")


def _mrz_integrity(evidence: Evidence) -> Part:
    document = evidence.document
    failures = document.check_digit_failures
    if not evidence.document.was_read:
        return ("mrz_integrity", 0.0, None, None, "no document was read")
    if document.dates_verified:
        return ("mrz_integrity", 1.0, None, 0.0, "check digits verify" if document.mrz_valid else "barcode read")
    if document.mrz_valid is False:
        detail = f"check digits fail: {', '.join(failures)}" if failures else "check digits fail"
        return ("mrz_integrity", 0.0, None, float(len(failures)), detail)
    return ("mrz_integrity", 0.5, None, None, "no machine-readable zone to verify")


def _highest(evidence: Evidence, codes: tuple[str, ...]) -> tuple[float, str]:
    found = [(c, code) for code in codes if (c := evidence.document.warning(code)) is not None]
    if not found:
        return 0.0, ""
    confidence, code = max(found)
    return confidence, f"{code} at confidence {confidence:.2f}"


def _visual_consistency(evidence: Evidence) -> Part:
    if not evidence.document.was_read:
        return ("visual_consistency", 0.0, None, None, "no document was read")
    confidence, detail = _highest(evidence, VISUAL_WARNINGS)
    return ("visual_consistency", 1.0 - confidence, None, confidence, detail or "printed fields agree")


def _capture_authenticity(evidence: Evidence) -> Part:
    confidence, detail = _highest(evidence, CAPTURE_WARNINGS)
    return ("capture_authenticity", 1.0 - confidence, None, confidence, detail or "no screen or photocopy cue")


def _image_quality(evidence: Evidence) -> Part:
    codes = sorted({w.code for w in evidence.document.warnings if w.code.startswith("quality_")})
    value = max(0.0, 1.0 - QUALITY_PENALTY * len(codes))
    return ("image_quality", value, None, float(len(codes)), ", ".join(codes) or "no quality warning")


def _face_match(evidence: Evidence) -> Part:
    face = evidence.face
    if face is None:
        return ("face_match", 0.0, None, None, "no selfie")
    if face.refusal is not None or face.similarity is None:
        return ("face_match", 0.0, face.threshold, None, f"face refused: {face.refusal or 'no similarity'}")
    similarity = face.similarity
    if not face.match:
        detail = f"similarity {similarity:.1f} below threshold {face.threshold:.1f}"
        return ("face_match", 0.0, face.threshold, similarity, detail)
    value = min(1.0, 0.5 + (similarity - face.threshold) / FACE_FULL_MARGIN)
    return ("face_match", value, face.threshold, similarity, f"similarity {similarity:.1f}")


def _liveness(evidence: Evidence) -> Part:
    liveness = evidence.liveness
    if liveness.decision != "passed":
        return ("liveness", 0.0, None, liveness.score, f"liveness {liveness.decision}")
    value = 1.0 if liveness.score is None else liveness.score
    return ("liveness", value, None, liveness.score, "liveness passed")


def _data_entry(evidence: Evidence) -> Part:
    edited = evidence.document.edited_fields
    value = max(0.0, 1.0 - EDIT_PENALTY * len(edited))
    detail = f"edited by the user: {', '.join(edited)}" if edited else "no field edited"
    return ("data_entry", value, None, float(len(edited)), detail)
