"""Read one photographed identity document: MRZ or PDF417, printed fields, quality, signals.

``read_document`` is the document engine's single entry point. It decodes the upload safely,
looks for a machine-readable zone first (passports, ID cards, visas) and for an AAMVA PDF417
when there is none (North American licence and ID card backs), finds and rectifies the
document, reads its printed fields and checks them against the MRZ (or against the other
side's MRZ or barcode, for a card front), measures capture quality on the document itself,
and turns what it found into named warnings for the policy (``document_warnings``).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from submissions.pipeline.aamva import AamvaResult
from submissions.pipeline.barcode import DecodedBarcode, read_aamva_barcode
from submissions.pipeline.capture_cues import capture_cues
from submissions.pipeline.document_warnings import DocumentWarning, document_warnings
from submissions.pipeline.intake import decode_image
from submissions.pipeline.locate import DocumentQuad, anchor_from_reading, locate_document, rectify
from submissions.pipeline.mrz import MrzResult
from submissions.pipeline.mrz_choice import read_best_mrz
from submissions.pipeline.mrz_reader import MrzReading
from submissions.pipeline.quality import Quality, measure_quality
from submissions.pipeline.types import DocumentFields
from submissions.pipeline.visual import VisualReading, read_visual_zone

# MRZ line length / document width, from the ICAO sizes: a TD3 MRZ line is 44 × 2.54 mm on a
# 125 mm page, a TD1 line 30 × 2.54 mm on an 85.6 mm card, TD2/MRV-B 36 × 2.54 mm on 105 mm.
_DOCUMENT_WIDTH_PER_MRZ_LINE = {44: 125 / 111.76, 36: 105 / 91.44, 30: 85.6 / 76.2}
# A PDF417 on a licence back spans about 80 % of the card's width.
_DOCUMENT_WIDTH_PER_BARCODE = 1.25
# Pages whose MRZ shares the page with the printed fields, and where (as a share of the page's
# height) the machine-readable zone starts: ICAO 9303 zone heights of 23.2 mm on an 88 mm TD3
# page and an 80 mm MRV-A, 19 mm on 74 mm TD2 and MRV-B pages.
MRZ_TOP = {"td3": 1 - 23.2 / 88, "mrva": 1 - 23.2 / 80, "td2": 1 - 19 / 74, "mrvb": 1 - 19 / 74}
# Machine-readable names cut to fit: the printed name may go on where they stop.
TRUNCATION_WARNINGS = frozenset(
    {"name_truncated", "surname_truncated", "first_name_truncated", "middle_name_truncated"}
)
RECTIFIED_WIDTH = 1000  # pixels: 8 px/mm on a passport page, 11.7 on a card


@dataclass(frozen=True, eq=False)
class DocumentReading:
    kind: str  # td3, td1, td2, mrva, mrvb, pdf417_back, card_front, unknown
    mrz: MrzResult | None
    barcode: DecodedBarcode | None
    aamva: AamvaResult | None
    visual: VisualReading | None
    quad: DocumentQuad | None  # where the document is in the decoded photo (intake.decode_image(...).image)
    quality: Quality
    warnings: tuple[DocumentWarning, ...]
    timing_ms: dict[str, float]

    @property
    def fields(self) -> DocumentFields | None:
        """The machine-readable fields, or for a card front what it prints."""
        if self.mrz is not None:
            return self.mrz.fields
        if self.aamva is not None:
            return self.aamva.fields
        return self.visual.fields if self.kind == "card_front" and self.visual is not None else None

    @property
    def machine_readable(self) -> bool:
        return self.mrz is not None or self.aamva is not None

    def as_json(self, *, file: str = "") -> dict[str, Any]:
        return {
            "file": file,
            "kind": self.kind,
            "mrz": _mrz_json(self.mrz),
            "barcode": _barcode_json(self.barcode, self.aamva),
            "visual": self.visual.as_json() if self.visual is not None else None,
            "document_quad": [[round(x, 1), round(y, 1)] for x, y in self.quad.corners] if self.quad else None,
            "quality": self.quality.as_json(),
            "warnings": [warning.as_json() for warning in self.warnings],
            "timing_ms": {step: round(ms, 1) for step, ms in self.timing_ms.items()},
        }


def read_document(
    data: bytes, *, today: dt.date | None = None, other_side: DocumentReading | None = None, visual: bool = True
) -> DocumentReading:
    """Raises ``intake.ImageRejected`` for uploads that are not a usable image.

    ``other_side`` is the reading of the same document's other side (the back of a card whose
    front this is): a front's printed fields are then checked against its MRZ or barcode.
    ``visual=False`` skips the visual zone (OCR), for callers that only need the MRZ/PDF417.
    """
    today = today or dt.datetime.now(dt.UTC).date()
    timing: dict[str, float] = {}
    with _timed(timing, "decode"):
        decoded = decode_image(data)
    image = decoded.image
    with _timed(timing, "mrz"):
        mrz, mrz_reading, image = read_best_mrz(image, today)
    turned = image is not decoded.image  # read a quarter turn round: a portrait photo of a landscape page
    barcode = aamva = None
    if mrz is None or not mrz.valid:
        # A licence back has no MRZ, but its barcode rows can pass for lines of one: when the
        # MRZ does not verify, a readable AAMVA barcode is the better evidence.
        with _timed(timing, "barcode"):
            found = read_aamva_barcode(image)
        if found is not None:
            barcode, aamva = found
            mrz = mrz_reading = None
    kind = _kind(mrz, aamva)
    with _timed(timing, "locate"):
        quad = locate_document(image, anchor=anchor_from_reading(mrz_reading) if mrz_reading else None)
    visual_reading, compared_with = None, "mrz"
    if visual and quad is not None and (kind in MRZ_TOP or kind == "unknown"):
        machine = mrz or (other_side.mrz or other_side.aamva if other_side is not None else None)
        if machine is not None and machine is not mrz and other_side is not None and other_side.mrz is None:
            compared_with = "barcode"
        with _timed(timing, "visual"):
            page = np.asarray(rectify(image, quad, width_px=RECTIFIED_WIDTH).convert("RGB"))
            visual_reading = read_visual_zone(
                page,
                expected=machine.fields if machine is not None else None,
                names_truncated=machine is not None and bool(TRUNCATION_WARNINGS & set(machine.warnings)),
                text_bottom=MRZ_TOP.get(kind, 1.0),
                upright=quad.upright,
            )
        if kind == "unknown" and visual_reading.shows_identity:
            kind = "card_front"
    outline = _quad_box(image, quad) if quad is not None else None
    with _timed(timing, "quality"):
        quality = measure_quality(
            image, region=outline or _document_region(image, mrz_reading, barcode), scale=decoded.scale
        )
        # Only on the document's outline: a strip around the MRZ or the barcode's white box
        # has no colour and would pass for a photocopy.
        cues = capture_cues(image, outline)
    warnings = document_warnings(
        kind,
        mrz=mrz,
        aamva=aamva,
        quality=quality,
        today=today,
        visual=visual_reading,
        visual_compared_with=compared_with,
        cues=cues,
    )
    timing["total"] = sum(timing.values())
    if turned and quad is not None:
        quad = _unturned(quad, decoded.image.width)
    return DocumentReading(kind, mrz, barcode, aamva, visual_reading, quad, quality, warnings, timing)


def _unturned(quad: DocumentQuad, width: int) -> DocumentQuad:
    """The quad found on the photo turned by ``Transpose.ROTATE_90`` (a pixel at x, y goes to
    y, width - 1 - x), back in the photo's own coordinates; the corners keep their order."""
    corners = tuple((width - 1 - y, x) for x, y in quad.corners)
    return dataclasses.replace(quad, corners=corners)


@contextmanager
def _timed(timing: dict[str, float], step: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timing[step] = timing.get(step, 0.0) + (time.perf_counter() - started) * 1000


# --- region and kind -----------------------------------------------------------------------


def _quad_box(image: Image.Image, quad: DocumentQuad) -> tuple[int, int, int, int]:
    xs = [x for x, _ in quad.corners]
    ys = [y for _, y in quad.corners]
    return _clamped(image, (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, max(xs) - min(xs), max(ys) - min(ys))


def _document_region(
    image: Image.Image, reading: MrzReading | None, barcode: DecodedBarcode | None
) -> tuple[int, int, int, int] | None:
    """Roughly where the document is, from the zone that was read, when its outline was not found."""
    if reading is not None:
        x, y, width, height = reading.region
        per_line = _DOCUMENT_WIDTH_PER_MRZ_LINE.get(len(reading.lines[0]), 1.0)
        return _clamped(image, x + width / 2, y + height / 2, width * per_line, height)
    if barcode is not None:
        xs = [point[0] for point in barcode.position]
        ys = [point[1] for point in barcode.position]
        width = (max(xs) - min(xs)) * _DOCUMENT_WIDTH_PER_BARCODE
        return _clamped(image, sum(xs) / 4, sum(ys) / 4, width, max(ys) - min(ys))
    return None


def _clamped(image: Image.Image, cx: float, cy: float, width: float, height: float) -> tuple[int, int, int, int]:
    x0, y0 = max(0, int(cx - width / 2)), max(0, int(cy - height / 2))
    x1, y1 = min(image.width, int(cx + width / 2)), min(image.height, int(cy + height / 2))
    return x0, y0, max(1, x1 - x0), max(1, y1 - y0)


def _kind(mrz: MrzResult | None, aamva: AamvaResult | None) -> str:
    if mrz is not None:
        return mrz.kind.lower()
    return "pdf417_back" if aamva is not None else "unknown"


def _mrz_json(mrz: MrzResult | None) -> dict[str, Any] | None:
    if mrz is None:
        return None
    data = mrz.as_json()
    return {key: data[key] for key in ("kind", "lines", "valid", "repaired", "checks", "fields", "warnings")}


def _barcode_json(barcode: DecodedBarcode | None, aamva: AamvaResult | None) -> dict[str, Any] | None:
    if barcode is None or aamva is None:
        return None
    return {
        "format": barcode.format,
        "raw_base64": base64.b64encode(barcode.raw).decode("ascii"),
        "aamva": dict(aamva.elements),
        "version": aamva.version,
        "fields": aamva.fields.as_json(),
    }
