"""A genuine submission's evidence, and small ways to change it, for the policy tests.

``genuine()`` scores exactly 86 (hand-computed in test_score.py): a verified passport (OCR 0.9),
no warnings, a selfie matching at 55.4 against the 39.4 threshold, liveness not performed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from policy.evidence import (
    DocumentEvidence,
    DuplicateMatch,
    Evidence,
    FaceEvidence,
    IdentityFields,
    RaisedWarning,
    Timestamps,
)

SUBMITTED = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
CREATED_AT = SUBMITTED - dt.timedelta(minutes=5)
FIELDS = IdentityFields(
    issuing_country="UTO",
    surname="ERIKSSON",
    given_names="ANNA MARIA",
    document_number="L898902C3",
    nationality="UTO",
    sex="F",
    birth_date=dt.date(1990, 1, 31),
    expiry_date=dt.date(2030, 1, 1),
)


def genuine() -> Evidence:
    return Evidence(
        timestamps=Timestamps(CREATED_AT, SUBMITTED, SUBMITTED),
        document=DocumentEvidence(kind="td3", id_type="passport", fields=FIELDS, mrz_valid=True, ocr_confidence=0.9),
        face=FaceEvidence(similarity=55.4, threshold=39.4, match=True),
    )


def with_document(evidence: Evidence, **changes: Any) -> Evidence:
    return dataclasses.replace(evidence, document=dataclasses.replace(evidence.document, **changes))


def with_fields(evidence: Evidence, **changes: Any) -> Evidence:
    return with_document(evidence, fields=dataclasses.replace(evidence.document.fields, **changes))


def with_warnings(evidence: Evidence, *warnings: tuple[str, float]) -> Evidence:
    return with_document(evidence, warnings=tuple(RaisedWarning(code, c) for code, c in warnings))


def change(evidence: Evidence, part: str, **changes: Any) -> Evidence:
    """Replace fields of one nested part: ``change(e, "network", checked=True)``."""
    return dataclasses.replace(evidence, **{part: dataclasses.replace(getattr(evidence, part), **changes)})


def match(submission_id: str, status: str = "approved", days_ago: float = 1, similarity: float | None = None):
    return DuplicateMatch(submission_id, status, SUBMITTED - dt.timedelta(days=days_ago), similarity)


def scored(ocr: float = 0.0, face_similarity: float | None = None, warnings=()) -> Evidence:
    """Evidence whose score is easy to hand-compute: 50 + 15 × ocr + face − warning losses."""
    evidence = with_document(genuine(), ocr_confidence=ocr)
    evidence = with_warnings(evidence, *warnings)
    face = None if face_similarity is None else FaceEvidence(similarity=face_similarity, threshold=39.4, match=True)
    return dataclasses.replace(evidence, face=face)
