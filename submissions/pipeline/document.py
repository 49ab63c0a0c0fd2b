"""Read one photographed identity document: MRZ or PDF417, capture quality, policy signals.

``read_document`` is the document engine's single entry point. It decodes the upload safely,
looks for a machine-readable zone first (passports, ID cards, visas) and for an AAMVA PDF417
when there is none (North American licence and ID card backs), measures capture quality on
the document itself, and turns what it found into named warnings for the policy.
"""

from __future__ import annotations

import base64
import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from PIL import Image

from submissions.pipeline.aamva import AamvaResult
from submissions.pipeline.barcode import DecodedBarcode, read_aamva_barcode
from submissions.pipeline.intake import decode_image
from submissions.pipeline.mrz import MrzResult, parse_mrz
from submissions.pipeline.mrz.layouts import ALPHABETS, LETTERS, layout_for
from submissions.pipeline.mrz_glyphs import ALPHABET
from submissions.pipeline.mrz_reader import MrzReading, read_mrz_text
from submissions.pipeline.quality import Quality, measure_quality
from submissions.pipeline.types import DocumentFields

# MRZ line length / document width, from the ICAO sizes: a TD3 MRZ line is 44 × 2.54 mm on a
# 125 mm page, a TD1 line 30 × 2.54 mm on an 85.6 mm card, TD2/MRV-B 36 × 2.54 mm on 105 mm.
_DOCUMENT_WIDTH_PER_MRZ_LINE = {44: 125 / 111.76, 36: 105 / 91.44, 30: 85.6 / 76.2}
# A PDF417 on a licence back spans about 80 % of the card's width.
_DOCUMENT_WIDTH_PER_BARCODE = 1.25
MAX_MRZ_CANDIDATES = 6  # groups × orientations × line lengths, most confident first


@dataclass(frozen=True)
class Warning:
    code: str
    confidence: float  # how sure the engine is that the condition holds, 0–1
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "confidence": round(self.confidence, 2), "detail": self.detail}


@dataclass(frozen=True, eq=False)
class DocumentReading:
    kind: str  # td3, td1, td2, mrva, mrvb, pdf417_back, unknown
    mrz: MrzResult | None
    barcode: DecodedBarcode | None
    aamva: AamvaResult | None
    quality: Quality
    warnings: tuple[Warning, ...]
    timing_ms: dict[str, float]

    @property
    def fields(self) -> DocumentFields | None:
        if self.mrz is not None:
            return self.mrz.fields
        return self.aamva.fields if self.aamva is not None else None

    def as_json(self, *, file: str = "") -> dict[str, Any]:
        return {
            "file": file,
            "kind": self.kind,
            "mrz": _mrz_json(self.mrz),
            "barcode": _barcode_json(self.barcode, self.aamva),
            "visual": None,
            "quality": self.quality.as_json(),
            "warnings": [warning.as_json() for warning in self.warnings],
            "timing_ms": {step: round(ms, 1) for step, ms in self.timing_ms.items()},
        }


def read_document(data: bytes, *, today: dt.date | None = None) -> DocumentReading:
    """Raises ``intake.ImageRejected`` for uploads that are not a usable image."""
    today = today or dt.datetime.now(dt.UTC).date()
    timing: dict[str, float] = {}
    with _timed(timing, "decode"):
        decoded = decode_image(data)
    image = decoded.image
    with _timed(timing, "mrz"):
        mrz, mrz_reading, image = _read_mrz(image, today)
    barcode = aamva = None
    if mrz is None or not mrz.valid:
        # A licence back has no MRZ, but its barcode rows can pass for lines of one: when the
        # MRZ does not verify, a readable AAMVA barcode is the better evidence.
        with _timed(timing, "barcode"):
            found = read_aamva_barcode(image)
        if found is not None:
            barcode, aamva = found
            mrz = mrz_reading = None
    with _timed(timing, "quality"):
        quality = measure_quality(image, region=_document_region(image, mrz_reading, barcode), scale=decoded.scale)
    kind = _kind(mrz, aamva)
    warnings = _warnings(kind, mrz, aamva, quality, today)
    timing["total"] = sum(timing.values())
    return DocumentReading(kind, mrz, barcode, aamva, quality, warnings, timing)


@contextmanager
def _timed(timing: dict[str, float], step: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timing[step] = (time.perf_counter() - started) * 1000


# --- MRZ ----------------------------------------------------------------------------------


def _read_mrz(image: Image.Image, today: dt.date) -> tuple[MrzResult | None, MrzReading | None, Image.Image]:
    """The best MRZ in the photo, and the photo as read: a portrait photo of a landscape
    document is read turned a quarter."""
    result, reading = _best_mrz(read_mrz_text(image), today)
    if result is None or not result.valid:
        turned = image.transpose(Image.Transpose.ROTATE_90)
        turned_result, turned_reading = _best_mrz(read_mrz_text(turned), today)
        if turned_result is not None and (result is None or _passed(turned_result) > _passed(result)):
            result, reading, image = turned_result, turned_reading, turned
    if result is None or not _plausible(result):
        return None, None, image
    return result, reading, image


def _plausible(result: MrzResult) -> bool:
    """Text cut from something else (a barcode, a pattern) passes at most a check by chance."""
    return result.valid or _passed(result) >= max(2, len(result.checks) - 2)


def _best_mrz(readings: list[MrzReading], today: dt.date) -> tuple[MrzResult | None, MrzReading | None]:
    best: tuple[MrzResult | None, MrzReading | None] = (None, None)
    for reading in readings[:MAX_MRZ_CANDIDATES]:
        result = _parse_reading(reading, today)
        if result is None:
            continue
        if result.valid:
            return result, reading
        if best[0] is None or _passed(result) > _passed(best[0]):
            best = (result, reading)
    return best


def _parse_reading(reading: MrzReading, today: dt.date) -> MrzResult | None:
    """Decode each cell within its position's alphabet, then let the check digits judge.

    Two-line zones of 44 or 36 are a visa or not by their first letter (V…); when that letter
    is in doubt both layouts are tried. A layout whose alphabets force a character the glyph
    plainly is not (a printed ``<`` read as a check digit) is contradicted and dropped, so a
    check digit is never invented.
    """
    results = []
    for first_char in _first_letters(reading):
        layout = layout_for(len(reading.lines), len(reading.lines[0]), first_char)
        if layout is None:
            continue
        alphabets = [[_sorted(ALPHABETS[name]) for name in row] for row in layout.alphabets]
        if _contradicted(reading, alphabets):
            continue
        result = parse_mrz(reading.constrained(alphabets), today=today)
        if result is not None:
            results.append(result)
    return max(results, key=lambda result: (result.valid, _passed(result)), default=None)


# The character a position's alphabet forces must not be far less likely than what the glyph
# most resembles: below this share the layout, not the glyph, is wrong.
CONTRADICTION_SHARE = 0.001


def _contradicted(reading: MrzReading, alphabets: list[list[str]]) -> bool:
    for line_scores, line_alphabets in zip(reading.scores, alphabets, strict=True):
        for scores, allowed in zip(line_scores, line_alphabets, strict=True):
            best_allowed = max(scores[ALPHABET.index(char)] for char in allowed)
            if best_allowed < CONTRADICTION_SHARE * scores.max():
                return True
    return False


def _first_letters(reading: MrzReading) -> list[str]:
    """The document code's first letter tells a visa (V) from a passport or card."""
    best = reading.best_char(0, 0, _sorted(LETTERS))
    other = reading.best_char(0, 0, _sorted(LETTERS - {"V"})) if best == "V" else "V"
    return [best, other]


def _sorted(chars: frozenset[str]) -> str:
    return "".join(sorted(chars))


def _passed(result: MrzResult) -> int:
    return sum(check.passed for check in result.checks)


# --- region, kind, warnings ------------------------------------------------------------------


def _document_region(
    image: Image.Image, reading: MrzReading | None, barcode: DecodedBarcode | None
) -> tuple[int, int, int, int] | None:
    """Roughly where the document is, from the zone that was read: enough for quality."""
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


def _warnings(
    kind: str, mrz: MrzResult | None, aamva: AamvaResult | None, quality: Quality, today: dt.date
) -> tuple[Warning, ...]:
    warnings = [Warning(f"quality_{code}", 0.8) for code in quality.problems]
    if kind == "unknown":
        warnings.append(Warning("unsupported_document", 0.9, "no machine-readable zone or PDF417 was found"))
        return tuple(warnings)
    if mrz is not None and not mrz.valid:
        failed = ", ".join(check.name for check in mrz.checks if not check.passed)
        warnings.append(Warning("mrz_check_digit_failed", 1.0, failed))
    source = mrz if mrz is not None else aamva
    assert source is not None  # a known kind was read from one of them
    # Dates read from an MRZ whose check digits pass are certain; otherwise they may be misread.
    trusted = 1.0 if aamva is not None or source.valid else 0.6
    fields = source.fields
    if fields.expiry_date is not None and fields.expiry_date < today:
        warnings.append(Warning("document_expired", trusted, fields.expiry_date.isoformat()))
    if fields.birth_date is None:
        warnings.append(Warning("birth_date_missing", trusted))
    for code in source.warnings:
        warnings.append(Warning(code, 0.7))
    return tuple(warnings)


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
