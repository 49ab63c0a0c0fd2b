"""Capture quality of a document photo, with reasons a person can act on.

Measures are computed on the document region when it is known (else the whole frame), at a
fixed analysis width so that thresholds do not depend on the camera's resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

ANALYSIS_WIDTH = 1000
# Thresholds (tuned on generated specimens, see evaluate_documents): below MIN_SHARPNESS the
# MRZ's 2.5 mm glyphs smear into each other; glare above MAX_GLARE hides whole text lines.
MIN_SHARPNESS = 45.0
MAX_GLARE_FRACTION = 0.04
# Exposure is judged by the ends of the histogram, not its mean (documents are mostly light):
# too dark when even the brightest 1 % is dim, too bright when even the darkest 1 % (the ink)
# is washed out.
MIN_BRIGHT_LUMA = 90.0
MAX_DARK_LUMA = 150.0
MIN_DOCUMENT_WIDTH = 700  # pixels across the document in the original photo

ADVICE = {
    "too_blurry": "The photo is blurry. Hold the phone still and let it focus.",
    "glare": "There is glare on the document. Tilt it away from the light.",
    "too_dark": "The photo is too dark. Move to a brighter place.",
    "too_bright": "The photo is overexposed. Avoid direct light on the document.",
    "move_closer": "The document is too small in the photo. Move closer.",
}


@dataclass(frozen=True)
class Quality:
    sharpness: float  # variance of the Laplacian at the analysis width
    glare_fraction: float  # share of near-white, colourless pixels in bright blobs
    mean_luma: float  # 0–255
    dark_luma: float  # 1st percentile: the ink
    bright_luma: float  # 99th percentile: the paper
    document_width_px: int  # across the document in the original photo
    problems: tuple[str, ...]  # codes of ADVICE, most important first

    @property
    def acceptable(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, object]:
        return {
            "sharpness": round(self.sharpness, 1),
            "glare_fraction": round(self.glare_fraction, 4),
            "mean_luma": round(self.mean_luma, 1),
            "dark_luma": round(self.dark_luma, 1),
            "bright_luma": round(self.bright_luma, 1),
            "document_width_px": self.document_width_px,
            "problems": list(self.problems),
            "advice": [ADVICE[code] for code in self.problems],
        }


def measure_quality(
    image: Image.Image, *, region: tuple[int, int, int, int] | None = None, scale: float = 1.0
) -> Quality:
    """``region`` is (x, y, width, height) of the document in ``image``; ``scale`` is work/original."""
    gray = _analysis_gray(image, region)
    sharpness = float(cv2.Laplacian(gray, cv2.CV_64F).var())
    dark, bright = (float(value) for value in np.percentile(gray, [1, 99]))
    glare = _glare_fraction(image, region)
    width_in_image = region[2] if region else image.width
    document_width = round(width_in_image / scale) if scale else width_in_image
    problems = _problems(sharpness, glare, dark, bright, document_width)
    return Quality(sharpness, glare, float(gray.mean()), dark, bright, document_width, problems)


def _crop(image: Image.Image, region: tuple[int, int, int, int] | None) -> Image.Image:
    if region is None:
        return image
    x, y, width, height = region
    return image.crop((x, y, x + width, y + height))


def _analysis_gray(image: Image.Image, region: tuple[int, int, int, int] | None) -> np.ndarray:
    crop = _crop(image, region).convert("L")
    if crop.width != ANALYSIS_WIDTH:
        height = max(1, round(crop.height * ANALYSIS_WIDTH / crop.width))
        crop = crop.resize((ANALYSIS_WIDTH, height), Image.Resampling.BILINEAR)
    return np.asarray(crop)


def _glare_fraction(image: Image.Image, region: tuple[int, int, int, int] | None) -> float:
    """Specular highlights: clipped, colourless, brighter than the paper, in blobs (not thin
    white print). On paper that is itself white to the sensor, glare cannot be told apart."""
    hsv = np.asarray(_crop(image, region).convert("HSV"))
    paper = float(np.percentile(hsv[..., 2], 75))
    if paper >= 243:
        return 0.0
    bright = (hsv[..., 2] >= 250) & (hsv[..., 1] <= 25)
    # An opening removes white text strokes and thin lines; glare survives as a blob.
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))
    blobs = cv2.morphologyEx(bright.astype(np.uint8), cv2.MORPH_OPEN, kernel)
    return float(blobs.mean())


def _problems(sharpness: float, glare: float, dark: float, bright: float, document_width: int) -> tuple[str, ...]:
    problems = []
    if document_width < MIN_DOCUMENT_WIDTH:
        problems.append("move_closer")
    if sharpness < MIN_SHARPNESS:
        problems.append("too_blurry")
    if glare > MAX_GLARE_FRACTION:
        problems.append("glare")
    if bright < MIN_BRIGHT_LUMA:
        problems.append("too_dark")
    elif dark > MAX_DARK_LUMA and "too_blurry" not in problems:
        # Blur also lightens thin ink; then blur is the problem to fix first.
        problems.append("too_bright")
    return tuple(problems)
