"""The document read during the flow, for the OCR confirmation page (spec §6.3).

When the document's photos are taken, the flow reads them with the document engine itself
(``read_document``: the back without its visual zone, MRZ or barcode only, about 0.1 s; the
front with it, about 0.5 s), so the person can confirm or correct the fields before the selfie.
The run reads the stored images again in the worker: this reading only fills the page.

**Recognition score** (0–100, [INFER]: the spec names it without a definition). Each field the
page shows gets a confidence:

* 100 when it comes from a machine-readable zone that verifies (every MRZ check digit passes,
  after repair) or from a PDF417 barcode (error-corrected by design);
* 60 when it comes from an MRZ whose check digits fail, or only from the printed text of a card
  front (OCR with nothing to check it against);
* at most 50 when the printed text clearly says something else than the MRZ or barcode
  (the visual cross-check's ``mismatch``);
* 0 when it was not read.

The score is the mean of the seven fields' confidences. The page is skipped when the score is
at least 80 and every field was read: only a document whose MRZ or barcode verifies gets there.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from dataclasses import dataclass
from typing import Any

from submissions.evidence import DocumentOutcome, machine_side
from submissions.pipeline.document import DocumentReading, read_document
from submissions.pipeline.intake import ImageRejected

# The fields the confirmation page shows, in its order (``policy.evidence.IdentityFields`` names).
REVIEW_FIELDS = ("surname", "given_names", "birth_date", "document_number", "expiry_date", "nationality", "sex")
logger = logging.getLogger(__name__)
SKIP_SCORE = 80  # spec §6.3: "skipped when recognition score ≥ 80 and all fields read"
VERIFIED, UNVERIFIED, CONTRADICTED = 100, 60, 50


@dataclass(frozen=True)
class FieldsRead:
    values: dict[str, str]  # field -> what the engine read, as text (dates ISO); "" when not read
    confidences: dict[str, int]  # field -> 0–100
    score: int  # the recognition score

    @property
    def complete(self) -> bool:
        return all(self.values[name] for name in REVIEW_FIELDS)

    @property
    def skippable(self) -> bool:
        return self.complete and self.score >= SKIP_SCORE

    def to_session(self) -> dict[str, Any]:
        return {"values": self.values, "confidences": self.confidences, "score": self.score}

    @classmethod
    def from_session(cls, data: dict[str, Any]) -> FieldsRead:
        return cls(dict(data["values"]), dict(data["confidences"]), int(data["score"]))


NOTHING_READ = FieldsRead(dict.fromkeys(REVIEW_FIELDS, ""), dict.fromkeys(REVIEW_FIELDS, 0), 0)


def fields_read(front: DocumentReading, back: DocumentReading | None = None) -> FieldsRead:
    """The page's fields and their confidences from the engine's readings (pure)."""
    primary = machine_side(DocumentOutcome(front=front, back=back))
    assert primary is not None
    fields = primary.fields
    if fields is None:
        return NOTHING_READ
    verified = primary.aamva is not None or (primary.mrz is not None and primary.mrz.valid)
    base = VERIFIED if verified else UNVERIFIED
    contradicted = {c.field for c in front.visual.checks if c.status == "mismatch"} if front.visual else set()
    values: dict[str, str] = {}
    confidences: dict[str, int] = {}
    for name in REVIEW_FIELDS:
        value = getattr(fields, name)
        values[name] = value.isoformat() if isinstance(value, dt.date) else (value or "")
        confidence = base if values[name] else 0
        confidences[name] = min(confidence, CONTRADICTED) if name in contradicted else confidence
    return FieldsRead(values, confidences, round(statistics.fmean(confidences.values())))


def read_photos(front: bytes, back: bytes | None, *, today: dt.date) -> FieldsRead:
    """Read the document's photos; ``NOTHING_READ`` (manual entry) when the engine reads nothing."""
    try:
        back_reading = read_document(back, today=today, visual=False) if back is not None else None
        front_reading = read_document(front, today=today, other_side=back_reading)
    except ImageRejected:  # the photos passed the intake when taken: not expected, but not fatal
        return NOTHING_READ
    except Exception:  # noqa: BLE001 (an engine failure must not block the flow: the run reads again)
        logger.exception("the flow's document reading failed")
        return NOTHING_READ
    return fields_read(front_reading, back_reading)
