"""What a document reading means for the policy: named warnings, each with a confidence.

Every condition the policy can act on is one code here (the reference for operators is the
warnings table in README.md): capture quality, unsupported document, MRZ check digits, expiry,
missing birth date, visual zone against MRZ or barcode, screen or photocopy capture.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from submissions.pipeline.aamva import AamvaResult
from submissions.pipeline.capture_cues import CaptureCue
from submissions.pipeline.mrz import MrzResult
from submissions.pipeline.quality import Quality
from submissions.pipeline.visual import VisualReading

QUALITY_CONFIDENCE = 0.8
# Dates from an MRZ whose check digits fail may be misread: a warning built on them is less sure.
UNVERIFIED_DATE_CONFIDENCE = 0.6
PARSER_WARNING_CONFIDENCE = 0.7
# A visual zone that could not be compared is worth saying when most fields were unread.
UNREAD_SHARE = 0.5


@dataclass(frozen=True)
class DocumentWarning:
    code: str
    confidence: float  # how sure the engine is that the condition holds, 0–1
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "confidence": round(self.confidence, 2), "detail": self.detail}


def document_warnings(
    kind: str,
    *,
    mrz: MrzResult | None,
    aamva: AamvaResult | None,
    quality: Quality,
    today: dt.date,
    visual: VisualReading | None = None,
    visual_compared_with: str = "mrz",
    cues: Iterable[CaptureCue] = (),
) -> tuple[DocumentWarning, ...]:
    warnings = [DocumentWarning(f"quality_{code}", QUALITY_CONFIDENCE) for code in quality.problems]
    warnings += [DocumentWarning(cue.code, cue.confidence, cue.detail) for cue in cues]
    if visual is not None:
        warnings += _visual_warnings(visual, visual_compared_with)
    if kind in ("unknown", "card_front"):
        if kind == "unknown":
            detail = "no machine-readable zone, PDF417 or printed identity fields were found"
            warnings.append(DocumentWarning("unsupported_document", 0.9, detail))
        return tuple(warnings)
    if mrz is not None and not mrz.valid:
        failed = ", ".join(check.name for check in mrz.checks if not check.passed)
        warnings.append(DocumentWarning("mrz_check_digit_failed", 1.0, failed))
    source = mrz if mrz is not None else aamva
    assert source is not None  # a known kind was read from one of them
    trusted = 1.0 if aamva is not None or source.valid else UNVERIFIED_DATE_CONFIDENCE
    fields = source.fields
    if fields.expiry_date is not None and fields.expiry_date < today:
        warnings.append(DocumentWarning("document_expired", trusted, fields.expiry_date.isoformat()))
    if fields.birth_date is None:
        warnings.append(DocumentWarning("birth_date_missing", trusted))
    warnings += [DocumentWarning(code, PARSER_WARNING_CONFIDENCE) for code in source.warnings]
    return tuple(warnings)


def _visual_warnings(visual: VisualReading, compared_with: str) -> list[DocumentWarning]:
    if not visual.checks:
        return []
    mismatches = [check for check in visual.checks if check.status in ("mismatch", "missing")]
    if mismatches:
        code = "mrz_visual_mismatch" if compared_with == "mrz" else "barcode_front_mismatch"
        source = "MRZ" if compared_with == "mrz" else "barcode"
        detail = "; ".join(
            f"{check.field}: {source} {check.expected}, printed {check.printed or 'nowhere'}" for check in mismatches
        )
        return [DocumentWarning(code, max(check.confidence for check in mismatches), detail)]
    unread = [check.field for check in visual.checks if check.status == "unread"]
    if len(unread) > UNREAD_SHARE * len(visual.checks):
        return [DocumentWarning("visual_zone_unread", 0.5, ", ".join(unread))]
    return []
