"""How far a barcode is skewed, and the prepared image turned back by it: zxing-cpp's PDF417
detector loses a barcode skewed by more than about 3°, as a hand-held card photo often is."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from submissions.pipeline.barcode.attempt import Attempt, Point

# zxing-cpp reads PDF417 skewed up to about 3°; below this a turn cannot help.
MIN_DESKEW_DEGREES = 1.5
_ESTIMATE_LONG_SIDE = 640
_ANGLE_STEP_DEGREES = 0.25
_MIN_SPECTRUM_RADIUS = 4


def estimate_skew_degrees(image: Image.Image) -> float:
    """How far the image's dominant line structure is turned from the axes, counter-clockwise,
    in [-45, 45).

    A PDF417 is hundreds of parallel bar edges, which put the energy of the 2-D spectrum on a
    line through its centre, perpendicular to the bars; the direction along which the
    spectrum is strongest (folded modulo 90°: bars and rows both count) is the skew. Spatial
    gradients were tried first and overestimate the angle by half again on bars two or three
    pixels wide, where a finite difference no longer measures the direction of the edge.
    """
    small = np.asarray(_downscaled(image, _ESTIMATE_LONG_SIDE), dtype=np.float32)
    height, width = small.shape
    radius = min(height, width) // 2 - 1
    if radius < _MIN_SPECTRUM_RADIUS:
        return 0.0
    window = np.outer(np.hanning(height), np.hanning(width))  # no seam lines from the borders
    spectrum = np.abs(np.fft.fftshift(np.fft.fft2((small - small.mean()) * window)))
    angles = np.radians(np.arange(0.0, 180.0, _ANGLE_STEP_DEGREES))
    # Skip the lowest frequencies: lighting and the card's outline, not bars.
    radii = np.arange(max(_MIN_SPECTRUM_RADIUS, radius // 10), radius)
    # Equal spatial frequencies lie on an ellipse when the image is not square.
    rows = height // 2 - np.outer(np.sin(angles), radii) * (height / min(height, width))
    columns = width // 2 + np.outer(np.cos(angles), radii) * (width / min(height, width))
    inside = (rows >= 0) & (rows <= height - 1) & (columns >= 0) & (columns <= width - 1)
    samples = spectrum[
        np.clip(np.rint(rows), 0, height - 1).astype(int), np.clip(np.rint(columns), 0, width - 1).astype(int)
    ]
    energy = np.where(inside, samples, 0.0).sum(axis=1)
    strongest = math.degrees(float(angles[int(np.argmax(energy))]))  # rows grow downwards: counter-clockwise
    return (strongest + 45.0) % 90.0 - 45.0


def _downscaled(image: Image.Image, long_side: int) -> Image.Image:
    if max(image.size) <= long_side:
        return image
    scale = long_side / max(image.size)
    return image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BILINEAR)


def turned(prepared: Image.Image, scale: float, skew_degrees: float) -> Attempt:
    """The prepared image turned by minus the skew (so the barcode is upright or at a right
    angle, which zxing-cpp handles), with the map from its corners back to the input."""
    turn = -skew_degrees  # counter-clockwise, as PIL's rotate
    turned = prepared.rotate(turn, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
    radians = math.radians(turn)
    cos, sin = math.cos(radians), math.sin(radians)
    source_centre = (prepared.width / 2, prepared.height / 2)
    turned_centre = (turned.width / 2, turned.height / 2)

    def to_input(point: Point) -> Point:
        # Undo the turn about the centres (y grows downwards), then the scale.
        dx, dy = point[0] - turned_centre[0], point[1] - turned_centre[1]
        x = source_centre[0] + cos * dx - sin * dy
        y = source_centre[1] + sin * dx + cos * dy
        return (x / scale, y / scale)

    return Attempt(turned, to_input=to_input, turned_degrees=turn)
