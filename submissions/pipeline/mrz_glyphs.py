"""OCR-B glyph templates for reading MRZ characters by correlation.

ICAO 9303 prints every MRZ in OCR-B at a fixed 2.54 mm pitch, so the 37 characters of its
alphabet can be recognised by comparing each character cell with templates rendered from
the OCR-B font (Debian's fonts-ocr-b), cut at the same pitch, in a few blur and weight
variants. Built once per process (about 0.1 s), then each cell costs one dot product.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
CELL_WIDTH, CELL_HEIGHT = 24, 32  # normalised cell, pixels
FONT_PATHS = (
    os.environ.get("IDCHECK_OCRB_FONT", ""),
    "/usr/share/fonts/opentype/ocr-b/OCRB.otf",
)
_RENDER_SIZE = 64  # font size used to draw the templates before normalising


class GlyphFontMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class GlyphModel:
    labels: np.ndarray  # (T,) index into ALPHABET for each template row
    templates: np.ndarray  # (T, D) unit-norm, zero-mean features


def _font_path() -> str:
    for path in FONT_PATHS:
        if path and os.path.exists(path):
            return path
    raise GlyphFontMissing("The OCR-B font is missing: apt-get install fonts-ocr-b (make run installs it).")


def cell_features(cells: np.ndarray) -> np.ndarray:
    """(N, CELL_HEIGHT, CELL_WIDTH) grayscale cells (ink dark) → (N, D) zero-mean unit vectors.

    A light blur first makes the correlation forgiving of one-pixel misalignments.
    """
    blurred = np.stack([cv2.GaussianBlur(cell, (0, 0), 1.0) for cell in cells]) if len(cells) else cells
    ink = 255.0 - blurred.reshape(len(cells), -1).astype(np.float32)
    ink -= ink.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(ink, axis=1, keepdims=True)
    return ink / np.maximum(norms, 1e-6)


def _render_cells(font: ImageFont.FreeTypeFont) -> list[np.ndarray]:
    """One cell per character, cut at the font's advance like a printed MRZ line."""
    advance = font.getlength("0")
    ascent, descent = font.getmetrics()
    cells = []
    for char in ALPHABET:
        canvas = Image.new("L", (int(advance * 3), ascent + descent), 255)
        ImageDraw.Draw(canvas).text((advance, 0), char, font=font, fill=0)
        cells.append(np.asarray(canvas)[:, int(advance) : int(2 * advance)])
    return cells


def _line_band(cells: list[np.ndarray]) -> tuple[int, int]:
    """Rows spanned by the capital letters and digits: the band a line crop is cut to."""
    stack = np.stack([cell for cell, char in zip(cells, ALPHABET, strict=True) if char != "<"])
    rows = np.where((stack < 128).any(axis=(0, 2)))[0]
    return int(rows[0]), int(rows[-1]) + 1


def _variants(cell: np.ndarray) -> list[np.ndarray]:
    """Blur, stroke-weight and offset variants: what printing, focus, JPEG and an imperfect
    pitch estimate do to a glyph cell."""
    kernel = np.ones((5, 5), np.uint8)
    weights = [cell, cv2.erode(cell, kernel), cv2.dilate(cell, kernel)]  # as printed, bolder, thinner
    variants = []
    for weighted in weights:
        for sigma in (0.0, 3.0, 6.0):
            blurred = cv2.GaussianBlur(weighted, (0, 0), sigma) if sigma else weighted
            for shift in (-0.08, 0.0, 0.08):
                variants.append(_shifted(blurred, shift))
    return variants


def _shifted(cell: np.ndarray, fraction: float) -> np.ndarray:
    """The cell moved sideways by ``fraction`` of its width, paper filling the gap."""
    dx = fraction * cell.shape[1]
    matrix = np.float32([[1, 0, dx], [0, 1, 0]])
    return cv2.warpAffine(cell, matrix, (cell.shape[1], cell.shape[0]), borderValue=255)


def normalise_cell(cell: np.ndarray) -> np.ndarray:
    return cv2.resize(cell, (CELL_WIDTH, CELL_HEIGHT), interpolation=cv2.INTER_AREA)


@lru_cache(maxsize=1)
def glyph_model() -> GlyphModel:
    font = ImageFont.truetype(_font_path(), _RENDER_SIZE)
    cells = _render_cells(font)
    top, bottom = _line_band(cells)
    labels, rows = [], []
    for index, cell in enumerate(cells):
        band = cell[top:bottom]
        for variant in _variants(band):
            rows.append(normalise_cell(variant))
            labels.append(index)
    return GlyphModel(labels=np.array(labels), templates=cell_features(np.stack(rows)))


def char_scores(cells: np.ndarray) -> np.ndarray:
    """(N, 37): each cell's best correlation with any variant of each character."""
    model = glyph_model()
    scores = cell_features(cells) @ model.templates.T  # (N, T), templates grouped by character
    return scores.reshape(len(cells), len(ALPHABET), -1).max(axis=2)
