"""PDF417 decoding from a photo of a licence back, with zxing-cpp (ML.md Q2).

zxing-cpp must run with ``TextMode.Plain`` and its ``.bytes`` used: the default text mode
turns the AAMVA separators LF, RS and CR into the literal text ``<LF>`` (ML.md appendix C).

Attempts, cheapest first, stopping at the first that finds a barcode:

1. the image as given: a clean capture is read here, and only here;
2. grayscale, contrast stretched, brought to a size the detector likes (large frames
   down to 2000 px, small crops up ×2), and turned so that its dominant line direction is
   axis-aligned when it is skewed. zxing-cpp 3.1 tries 90°, 180° and 270° itself, but its
   PDF417 detector loses a barcode skewed by more than about 3° (measured), which a
   hand-held card photo often is;
3. the same prepared image unturned, in case the skew estimate followed something else.

Positions are given in the coordinates of the image passed in, whatever attempt read them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp
from PIL import Image

from submissions.pipeline.aamva import AamvaResult, parse_aamva

ImageInput = Image.Image | np.ndarray
Point = tuple[float, float]

WORK_LONG_SIDE = 2000
SMALL_LONG_SIDE = 800
# zxing-cpp reads PDF417 skewed up to about 3°; below this a turn cannot help.
MIN_DESKEW_DEGREES = 1.5
_ESTIMATE_LONG_SIDE = 640
_ANGLE_STEP_DEGREES = 0.25
_MIN_SPECTRUM_RADIUS = 4
_STRETCH_PERCENTILES = (1.0, 99.0)


@dataclass(frozen=True)
class DecodedBarcode:
    format: str
    raw: bytes
    position: tuple[Point, Point, Point, Point]  # top-left, top-right, bottom-right, bottom-left
    orientation: int  # degrees the barcode is turned in the image, clockwise positive


@dataclass(frozen=True)
class _Attempt:
    """An image for the decoder and how to map what it finds back to the input image."""

    image: ImageInput
    to_input: Callable[[Point], Point]
    turned_degrees: float = 0.0  # counter-clockwise turn applied to the input


def decode_pdf417(image: ImageInput) -> list[DecodedBarcode]:
    """Every distinct PDF417 in the image, from the first attempt that finds any."""
    for attempt in _attempts(image):
        found = _read(attempt)
        if found:
            return found
    return []


def read_aamva_barcode(image: ImageInput) -> tuple[DecodedBarcode, AamvaResult] | None:
    """The first PDF417 in the image whose payload is an AAMVA licence or ID card."""
    for barcode in decode_pdf417(image):
        parsed = parse_aamva(barcode.raw)
        if parsed is not None:
            return barcode, parsed
    return None


def _attempts(image: ImageInput) -> Iterator[_Attempt]:
    """Lazily, so that the costlier preparations are only made when the cheaper ones failed.

    A skewed photo is turned before the unturned prepared image is tried: a failing decode of
    a 1200 px photo costs about 90 ms, the skew estimate and turn together about 25 ms.
    """
    yield _Attempt(_decodable(image), to_input=lambda point: point)
    prepared, scale = _prepared(image)
    unturned = _Attempt(prepared, to_input=lambda point: (point[0] / scale, point[1] / scale))
    skew = estimate_skew_degrees(prepared)
    best = unturned
    if abs(skew) >= MIN_DESKEW_DEGREES:
        best = _turned(prepared, scale, skew)
        yield best
    yield unturned
    yield _denoised(best)


def _denoised(attempt: _Attempt) -> _Attempt:
    """Last try for a noisy photo: a 3x3 median removes sensor speckle that breaks the
    bars' edges, while keeping 3-pixel modules intact."""
    pixels = cv2.medianBlur(np.asarray(attempt.image.convert("L")), 3)
    return _Attempt(Image.fromarray(pixels), attempt.to_input, attempt.turned_degrees)


def _read(attempt: _Attempt) -> list[DecodedBarcode]:
    results = zxingcpp.read_barcodes(
        attempt.image, formats=zxingcpp.BarcodeFormat.PDF417, text_mode=zxingcpp.TextMode.Plain
    )
    decoded: list[DecodedBarcode] = []
    seen: set[bytes] = set()
    for result in results:
        raw = bytes(result.bytes)
        if raw in seen:
            continue
        seen.add(raw)
        decoded.append(_decoded(result, raw, attempt))
    return decoded


def _decoded(result: zxingcpp.Barcode, raw: bytes, attempt: _Attempt) -> DecodedBarcode:
    corners = result.position
    top_left, top_right, bottom_right, bottom_left = (
        _rounded(attempt.to_input((float(corner.x), float(corner.y))))
        for corner in (corners.top_left, corners.top_right, corners.bottom_right, corners.bottom_left)
    )
    return DecodedBarcode(
        format=result.format.name,
        raw=raw,
        position=(top_left, top_right, bottom_right, bottom_left),
        orientation=_normalised_degrees(result.orientation + attempt.turned_degrees),
    )


def _rounded(point: Point) -> Point:
    return (round(point[0], 1), round(point[1], 1))


def _normalised_degrees(degrees: float) -> int:
    """In (-180, 180]."""
    value = round(degrees) % 360
    return value - 360 if value > 180 else value


# --- preparation ----------------------------------------------------------------------------


def _decodable(image: ImageInput) -> ImageInput:
    """The image itself when zxing-cpp takes it (any PIL image; uint8 arrays of one or three
    channels), else its grayscale."""
    if isinstance(image, Image.Image):
        return image
    array = np.asarray(image)
    if array.dtype == np.uint8 and (array.ndim == 2 or (array.ndim == 3 and array.shape[2] == 3)):
        return array
    return _grayscale(array)


def _prepared(image: ImageInput) -> tuple[Image.Image, float]:
    """Grayscale, contrast stretched and resized, with the scale from input to it."""
    gray = _stretched(_grayscale(image))
    long_side = max(gray.shape)
    if long_side > WORK_LONG_SIDE:
        scale = WORK_LONG_SIDE / long_side
    elif long_side < SMALL_LONG_SIDE:
        scale = 2.0
    else:
        scale = 1.0
    prepared = Image.fromarray(gray)
    if scale != 1.0:
        size = (round(prepared.width * scale), round(prepared.height * scale))
        prepared = prepared.resize(size, Image.Resampling.BICUBIC if scale > 1 else Image.Resampling.LANCZOS)
    return prepared, scale


def _grayscale(image: ImageInput) -> np.ndarray:
    """Luma as uint8. Arrays with three or four channels are BGR(A), as zxing-cpp and OpenCV
    take them."""
    if isinstance(image, Image.Image):
        return np.asarray(image.convert("L"))
    array = np.asarray(image)
    if array.ndim == 2:
        return np.ascontiguousarray(np.clip(array, 0, 255).astype(np.uint8, copy=False))
    blue, green, red = (array[..., channel].astype(np.float32) for channel in range(3))
    return np.clip(0.114 * blue + 0.587 * green + 0.299 * red, 0, 255).astype(np.uint8)


def _stretched(gray: np.ndarray) -> np.ndarray:
    """Dark to 0 and light to 255: a faded or grey-on-grey print gets its contrast back."""
    # Percentiles from the 256-bin histogram: sorting a frame's pixels costs ten times more.
    cumulative = np.cumsum(np.bincount(gray.ravel(), minlength=256)) / gray.size
    low, high = (int(np.searchsorted(cumulative, percentile / 100.0)) for percentile in _STRETCH_PERCENTILES)
    if high - low < 1:
        return gray
    lookup = np.clip((np.arange(256, dtype=np.float32) - low) * (255.0 / (high - low)), 0, 255).astype(np.uint8)
    return lookup[gray]


# --- deskew ---------------------------------------------------------------------------------


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


def _turned(prepared: Image.Image, scale: float, skew_degrees: float) -> _Attempt:
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

    return _Attempt(turned, to_input=to_input, turned_degrees=turn)
