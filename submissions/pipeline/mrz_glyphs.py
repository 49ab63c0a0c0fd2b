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
from pathlib import Path

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
    # Cell width / glyph height (advance / cap height of OCR-B). Cells are cut this wide
    # around each glyph, so a glyph fills its cell the same way in templates and photos.
    cell_aspect: float


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


def _ink_rows(cell: np.ndarray) -> tuple[int, int]:
    rows = np.where((cell < 128).any(axis=1))[0]
    return int(rows[0]), int(rows[-1]) + 1


def _glyph_crop(cell: np.ndarray, char: str, cap_band: tuple[int, int], aspect: float) -> np.ndarray:
    """A glyph cut the way the reader cuts one: its own height (the cap band for the short
    ``<``), and ``aspect`` times that height in width, centred on the advance."""
    top, bottom = cap_band if char == "<" else _ink_rows(cell)
    half = (bottom - top) * aspect / 2
    centre = cell.shape[1] / 2
    padded = cv2.copyMakeBorder(cell, 0, 0, cell.shape[1], cell.shape[1], cv2.BORDER_CONSTANT, value=255)
    left = int(round(centre - half)) + cell.shape[1]
    return padded[top:bottom, left : left + max(1, int(round(2 * half)))]


def _variants(cell: np.ndarray) -> list[np.ndarray]:
    """Blur, stroke-weight and offset variants: what printing, focus, JPEG and an imperfect
    pitch estimate do to a glyph cell."""
    kernel = np.ones((5, 5), np.uint8)
    weights = [cell, cv2.erode(cell, kernel), cv2.dilate(cell, kernel)]  # as printed, bolder, thinner
    variants = []
    for weighted in weights:
        for degraded in (weighted, _through_low_resolution(weighted, 16), cv2.GaussianBlur(weighted, (0, 0), 5.0)):
            for shift in (-0.08, 0.0, 0.08):
                variants.append(_shifted(degraded, shift))
    return variants


def _shifted(cell: np.ndarray, fraction: float) -> np.ndarray:
    """The cell moved sideways by ``fraction`` of its width, paper filling the gap."""
    dx = fraction * cell.shape[1]
    matrix = np.float32([[1, 0, dx], [0, 1, 0]])
    return cv2.warpAffine(cell, matrix, (cell.shape[1], cell.shape[0]), borderValue=255)


def normalise_cell(cell: np.ndarray) -> np.ndarray:
    shrinking = cell.shape[0] >= CELL_HEIGHT
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(cell, (CELL_WIDTH, CELL_HEIGHT), interpolation=interpolation)


def _through_low_resolution(cell: np.ndarray, height: int) -> np.ndarray:
    """The glyph as a phone photo renders it: ``height`` pixels tall, then scaled back up."""
    width = max(1, round(cell.shape[1] * height / cell.shape[0]))
    small = cv2.resize(cell, (width, height), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (cell.shape[1], cell.shape[0]), interpolation=cv2.INTER_LINEAR)


@lru_cache(maxsize=1)
def cell_aspect() -> float:
    """Cell width / glyph height (OCR-B's advance over its cap height)."""
    font = ImageFont.truetype(_font_path(), _RENDER_SIZE)
    cap_band = _ink_rows(_render_cells(font)[ALPHABET.index("H")])
    return font.getlength("0") / (cap_band[1] - cap_band[0])


@lru_cache(maxsize=1)
def glyph_model() -> GlyphModel:
    """The template set: what reads glyphs before a discriminant is trained, and part of
    what the discriminant is trained on."""
    cells, labels = template_training_cells()
    return GlyphModel(labels=labels, templates=cell_features(cells), cell_aspect=cell_aspect())


def template_scores(cells: np.ndarray) -> np.ndarray:
    """(N, 37): each cell's best correlation with any variant of each character's template."""
    model = glyph_model()
    scores = cell_features(cells) @ model.templates.T  # (N, T), templates grouped by character
    return scores.reshape(len(cells), len(ALPHABET), -1).max(axis=2)


@dataclass(frozen=True)
class Discriminant:
    """Linear discriminant (LDA) over cell features, trained on glyphs cut from photographed
    specimens by this very reader (``manage.py train_mrz_glyphs``): it learns which details
    separate O from Q or E from F under blur and perspective, where plain templates hesitate."""

    weights: np.ndarray  # (D, 37)
    bias: np.ndarray  # (37,)


MODEL_PATH = Path(__file__).with_name("mrz_glyphs.npz")


@lru_cache(maxsize=1)
def discriminant() -> Discriminant | None:
    if not MODEL_PATH.exists():
        return None
    with np.load(MODEL_PATH) as data:
        return Discriminant(weights=data["weights"].astype(np.float32), bias=data["bias"].astype(np.float32))


def char_scores(cells: np.ndarray) -> np.ndarray:
    """(N, 37) probabilities of each character per cell (template similarity before training)."""
    model = discriminant()
    if model is None:
        return template_scores(cells)
    logits = cell_features(cells) @ model.weights + model.bias
    logits -= logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits)
    return probabilities / probabilities.sum(axis=1, keepdims=True)


def fit_discriminant(features: np.ndarray, labels: np.ndarray, *, shrinkage: float = 0.05) -> Discriminant:
    """Shared-covariance LDA with shrinkage toward the identity (features are unit vectors)."""
    classes = len(ALPHABET)
    dims = features.shape[1]
    means = np.stack([features[labels == k].mean(axis=0) for k in range(classes)])
    centred = features - means[labels]
    covariance = centred.T @ centred / len(features)
    covariance = (1 - shrinkage) * covariance + shrinkage * np.trace(covariance) / dims * np.eye(dims)
    precision_means = np.linalg.solve(covariance, means.T)  # (D, 37)
    bias = -0.5 * np.einsum("kd,dk->k", means, precision_means)
    return Discriminant(weights=precision_means.astype(np.float32), bias=bias.astype(np.float32))


def template_training_cells() -> tuple[np.ndarray, np.ndarray]:
    """The rendered template cells and their labels, to train on beside photographed glyphs."""
    font = ImageFont.truetype(_font_path(), _RENDER_SIZE)
    cells = _render_cells(font)
    cap_band = _ink_rows(cells[ALPHABET.index("H")])
    aspect = cell_aspect()
    rows, labels = [], []
    for index, (cell, char) in enumerate(zip(cells, ALPHABET, strict=True)):
        for variant in _variants(_glyph_crop(cell, char, cap_band, aspect)):
            rows.append(normalise_cell(variant))
            labels.append(index)
    return np.stack(rows), np.array(labels)
