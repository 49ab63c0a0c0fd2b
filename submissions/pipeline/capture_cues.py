"""Was the document itself photographed, or a screen showing it, or a photocopy of it?

``capture_cues(image, region)`` measures the document region and returns named cues for the
policy, each with a confidence and a short detail:

* ``suspected_screen_capture``: a display's pixel grid. Its subpixel stripes and the dark
  lines between pixel rows are a fine 2-D periodic pattern that the camera's resampling
  aliases into moiré; in the spectrum of the document's luminance they stand out as sharp
  peaks far above their surroundings. Printed text, guilloches and paper texture spread their
  energy instead (a line of text is periodic along one axis only and only a few pixels tall).
* ``suspected_photocopy``: a document with no colour. Real identity documents carry tinted
  backgrounds, coloured print and portraits; a copy has one chromaticity everywhere (the
  copy paper's under the room's light). The spread of log-chromaticity over the document
  measures it, and is blind to light gradients, shadows and glare, which change brightness
  only.

Each confidence is a logistic function of one measure, fitted on labelled specimens (see
``manage.py evaluate_capture_cues``): it estimates the probability of the presentation at
equal odds. A cue is returned only from ``MIN_CONFIDENCE``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

MIN_CONFIDENCE = 0.5

TILE = 128  # pixels, for the spectrum: a screen grid repeats dozens of times within it
TILES_ACROSS = 4  # up to 4 x 4 tiles are averaged, which steadies the spectrum's noise
LOWEST_FREQUENCY = 0.06  # cycles per pixel: below it, layout and letters, not a grid
JPEG_BLOCK = 8  # pixels: JPEG's block edges make peaks on these axis-aligned frequencies
PEAK_BINS = 3  # a windowed peak spans about this many bins; smoothing over them steadies noise
SURROUNDINGS_BINS = 11  # the neighbourhood a peak is compared with

CHROMA_WIDTH = 320  # pixels: colour is measured on the document shrunk to this width
MIN_LUMA = 40  # darker pixels' chromaticity is mostly sensor noise
CHROMA_PERCENTILE = 75  # most of a real document is tinted or printed in colour
INNER = 0.15  # of the region's size trimmed off each side: a tilted document's box has table in its corners

# Logistic fits, confidence = 1 / (1 + exp(-(slope * measure + offset))), from
# ``manage.py evaluate_capture_cues DIR --fit`` on 320 specimens per condition (seed 2024).
SCREEN_FIT = (0.921, -7.814)  # measure: grid_peak, dB
PHOTOCOPY_FIT = (-1.5, 4.496)  # measure: chroma_spread, hundredths of log-chromaticity


@dataclass(frozen=True)
class CaptureCue:
    code: str  # suspected_screen_capture or suspected_photocopy
    confidence: float  # 0–1
    detail: str


@dataclass(frozen=True)
class CaptureMeasures:
    grid_peak: float  # dB above the surrounding spectrum
    chroma_spread: float  # hundredths of log-chromaticity


def capture_cues(image: Image.Image, region: tuple[int, int, int, int] | None = None) -> tuple[CaptureCue, ...]:
    """``region`` is the document's bounding box (x, y, width, height) in ``image``. Without it
    there are no cues: the table around a document has textures and colours of its own (on the
    specimens, measuring the whole photo flags a quarter of clear photos as screens)."""
    if region is None:
        return ()
    return cues_from(measure_capture(image, region))


def measure_capture(image: Image.Image, region: tuple[int, int, int, int] | None = None) -> CaptureMeasures:
    """The measures on the middle of ``region``, or of the whole photo without one."""
    rgb = np.asarray(image.crop(_inner_box(image.size, region)).convert("RGB"))
    return CaptureMeasures(grid_peak(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)), chroma_spread(rgb))


def cues_from(measures: CaptureMeasures) -> tuple[CaptureCue, ...]:
    peak, spread = measures.grid_peak, measures.chroma_spread
    cues = (
        CaptureCue("suspected_screen_capture", logistic(SCREEN_FIT, peak), f"pixel-grid peak {peak:.1f} dB"),
        CaptureCue("suspected_photocopy", logistic(PHOTOCOPY_FIT, spread), f"colour spread {spread:.2f}"),
    )
    return tuple(cue for cue in cues if cue.confidence >= MIN_CONFIDENCE)


def logistic(fit: tuple[float, float], measure: float) -> float:
    slope, offset = fit
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, slope * measure + offset))))


def _inner_box(size: tuple[int, int], region: tuple[int, int, int, int] | None) -> tuple[int, int, int, int]:
    """The middle of ``region`` (or of the photo) as a PIL box (left, top, right, bottom)."""
    width, height = size
    x, y, w, h = region if region is not None else (0, 0, width, height)
    left, right = max(0, round(x + w * INNER)), min(width, round(x + w * (1 - INNER)))
    top, bottom = max(0, round(y + h * INNER)), min(height, round(y + h * (1 - INNER)))
    if right - left < 16 or bottom - top < 16:
        return 0, 0, width, height
    return left, top, right, bottom


# --- screen: a periodic grid --------------------------------------------------------------


def grid_peak(gray: np.ndarray) -> float:
    """How far, in dB, the strongest fine periodic component of ``gray`` rises above the
    spectrum around it; 0 when ``gray`` is smaller than a tile."""
    power = _mean_power(gray)
    if power is None:
        return 0.0
    level = (10 * np.log10(power + 1e-9)).astype(np.float32)
    peaks = cv2.blur(level, (PEAK_BINS, PEAK_BINS))
    surroundings = cv2.blur(level, (SURROUNDINGS_BINS, SURROUNDINGS_BINS))
    return float(np.max(peaks - surroundings, where=_grid_band(), initial=0.0))


def _mean_power(gray: np.ndarray) -> np.ndarray | None:
    """The power spectrum averaged over tiles spread across ``gray`` (Welch), DC centred."""
    height, width = gray.shape
    if height < TILE or width < TILE:
        return None
    ys = np.linspace(0, height - TILE, num=min(TILES_ACROSS, height // TILE)).astype(int)
    xs = np.linspace(0, width - TILE, num=min(TILES_ACROSS, width // TILE)).astype(int)
    total = np.zeros((TILE, TILE), np.float32)
    for y in ys:
        for x in xs:
            tile = gray[y : y + TILE, x : x + TILE].astype(np.float32)
            spectrum = cv2.dft((tile - tile.mean()) * _window(), flags=cv2.DFT_COMPLEX_OUTPUT)
            total += spectrum[..., 0] ** 2 + spectrum[..., 1] ** 2
    return np.fft.fftshift(total / (len(ys) * len(xs)))


@functools.cache
def _window() -> np.ndarray:
    hann = np.hanning(TILE).astype(np.float32)
    return np.outer(hann, hann)


@functools.cache
def _grid_band() -> np.ndarray:
    """Frequencies where a screen grid shows: fine enough not to be layout or lettering, and
    off the lines where JPEG block edges put their own peaks."""
    frequencies = np.fft.fftshift(np.fft.fftfreq(TILE))
    fy, fx = np.meshgrid(frequencies, frequencies, indexing="ij")
    fine = np.hypot(fx, fy) >= LOWEST_FREQUENCY
    return fine & ~_on_block_line(fx) & ~_on_block_line(fy)


def _on_block_line(frequency: np.ndarray) -> np.ndarray:
    offset = np.abs(frequency * JPEG_BLOCK - np.round(frequency * JPEG_BLOCK)) / JPEG_BLOCK
    return offset <= 1.5 / TILE


# --- photocopy: no colour -------------------------------------------------------------------


def chroma_spread(rgb: np.ndarray) -> float:
    """How much the colour varies over ``rgb``: the ``CHROMA_PERCENTILE`` distance of the
    pixels' log-chromaticity (log R/G, log B/G) from their median, in hundredths."""
    height, width = rgb.shape[:2]
    if width > CHROMA_WIDTH:
        rgb = cv2.resize(
            rgb, (CHROMA_WIDTH, max(1, round(height * CHROMA_WIDTH / width))), interpolation=cv2.INTER_AREA
        )
    logs = cv2.log(rgb.astype(np.float32) + 1.0)
    bright = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) >= MIN_LUMA
    red, blue = (logs[..., 0] - logs[..., 1])[bright], (logs[..., 2] - logs[..., 1])[bright]
    if red.size < 100:
        return 0.0
    distance = np.hypot(red - np.median(red), blue - np.median(blue))
    return float(np.percentile(distance, CHROMA_PERCENTILE) * 100)
