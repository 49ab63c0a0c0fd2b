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
3. the same prepared image unturned, in case the skew estimate followed something else;
4. the best of those with a median filter, for sensor noise;
5. the barcode alone: found as the largest block of dense contrast, cut out, turned upright by
   the skew of the cut-out alone (lines on the table or card no longer pull the estimate),
   enlarged ×2, its four corners pulled to a rectangle (a card held at a slant), and
   sharpened. Blur (focus or motion) with skew is what attempts 2 to 4 miss;
6. the same cut-out with a horizontal motion blur of a few lengths undone along its rows:
   a hand that moved across the bars smears them into their neighbours.

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
# The barcode cut-out. A PDF417 is the densest patch of strong contrast on a licence back:
# measured at 800 px, where its modules are a pixel or two, over windows of a few modules.
_LOCATE_LONG_SIDE = 800
_CONTRAST_WINDOW = 9
_DENSITY_WINDOW = 15
_DENSE_SHARE = 0.5  # of the densest spot's contrast
# Length over height of a licence's PDF417 block: 2.0 to 4.3 on the specimens. Blocks outside
# (an MRZ's lines, a whole page of print) are no barcode, and their cut-outs cost a passport
# whose MRZ did not verify half a second to two seconds for nothing (measured).
_BARCODE_ASPECTS = (1.8, 5.0)
_CUTOUT_MARGIN = 0.12  # of each side, so that the start and stop patterns stay whole
_CUTOUT_ENLARGEMENT = 2.0
# Fills the gaps between a cut-out's bars so that the barcode becomes one blob (a share of its
# width: a few modules), and the outline tolerances tried, finest first, to find its 4 corners.
_FILL_SHARE = 1 / 60
_OUTLINE_TOLERANCES = (0.01, 0.02, 0.04, 0.08)
# Unsharp mask: 1.5 px in the photo, twice the usual amount for focus blur of a pixel or more.
_SHARPEN_SIGMA = 3.0
_SHARPEN_AMOUNT = 2.0
# Motion blur lengths undone in the cut-out: 5, 4 and 6 px in the photo, in the order that
# rescued most on two specimen seeds; and the Wiener filter's noise-to-signal ratio, which
# keeps the zeros of a box's spectrum from blowing the noise up.
_MOTION_LENGTHS = (10, 8, 12)
_WIENER_NOISE = 0.01


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
    return next(_findings(image), [])


def read_aamva_barcode(image: ImageInput) -> tuple[DecodedBarcode, AamvaResult] | None:
    """The first PDF417 in the image whose payload is an AAMVA licence or ID card.

    An attempt whose only find is not AAMVA does not end the search: on a blurred photo
    zxing-cpp now and then decodes garbage that its error correction let through (measured:
    371 bytes read from a 309-byte licence), which a sharper attempt then reads right.
    """
    for found in _findings(image):
        for barcode in found:
            parsed = parse_aamva(barcode.raw)
            if parsed is not None:
                return barcode, parsed
    return None


def _findings(image: ImageInput) -> Iterator[list[DecodedBarcode]]:
    """What each attempt that finds anything finds, in the order of the attempts."""
    for attempt in _attempts(image):
        found = _read(attempt)
        if found:
            yield found


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
    yield from _cutout_attempts(prepared, scale)


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


# --- the barcode cut out ----------------------------------------------------------------------


def _cutout_attempts(prepared: Image.Image, scale: float) -> Iterator[_Attempt]:
    """The barcode alone, upright and enlarged: sharpened, then with motion blur undone."""
    gray = np.asarray(prepared)
    block = _densest_block(gray)
    if block is None or not _barcode_shaped(block):
        return
    cutout = _flattened(_upright_cutout(gray, block, scale))
    yield _sharpened(cutout)
    for length in _MOTION_LENGTHS:
        yield _motion_deblurred(cutout, length)


RotatedRect = tuple[Point, tuple[float, float], float]  # centre, size, degrees, as OpenCV's


def _densest_block(gray: np.ndarray) -> RotatedRect | None:
    """The rotated rectangle around the largest patch of dense contrast, in ``gray``'s pixels."""
    shrink = min(1.0, _LOCATE_LONG_SIDE / max(gray.shape))
    small = cv2.resize(gray, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA).astype(np.float32)
    mean = cv2.blur(small, (_CONTRAST_WINDOW, _CONTRAST_WINDOW))
    deviation = np.sqrt(np.maximum(cv2.blur(small * small, (_CONTRAST_WINDOW, _CONTRAST_WINDOW)) - mean * mean, 0))
    density = cv2.blur(deviation, (_DENSITY_WINDOW, _DENSITY_WINDOW))
    if density.max() <= 0:
        return None
    dense = (density > _DENSE_SHARE * density.max()).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(dense)
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))  # label 0 is the background
    ys, xs = np.nonzero(labels == largest)
    (x, y), (width, height), degrees = cv2.minAreaRect(np.column_stack((xs, ys)).astype(np.float32))
    return (x / shrink, y / shrink), (width / shrink, height / shrink), degrees


def _barcode_shaped(block: RotatedRect) -> bool:
    _, (width, height), _ = block
    low, high = _BARCODE_ASPECTS
    return low * min(width, height) <= max(width, height) <= high * min(width, height)


def _upright_cutout(gray: np.ndarray, block: RotatedRect, scale: float) -> _Attempt:
    """The block turned so that its bars stand upright, with a margin, enlarged.

    The turn is the skew of a square around the block: the block's own rectangle is outlined
    at 800 px from a blurred mask, a degree or more off, and zxing-cpp wants one or less.
    """
    (x, y), (width, height), degrees = block
    side = round(max(width, height) * (1 + 2 * _CUTOUT_MARGIN))
    around = cv2.getRectSubPix(gray, (side, side), (x, y))
    skew = estimate_skew_degrees(Image.fromarray(around))
    if 45 <= degrees % 180 < 135:  # OpenCV's width is the side nearer vertical
        width, height = height, width
    turn = -skew  # counter-clockwise, as OpenCV's
    if height > width:  # a barcode that stands: lay it down, so that motion blur runs along rows
        turn, width, height = turn + 90, height, width
    width, height = width * (1 + 2 * _CUTOUT_MARGIN), height * (1 + 2 * _CUTOUT_MARGIN) + _CUTOUT_MARGIN * width
    enlargement = min(_CUTOUT_ENLARGEMENT, WORK_LONG_SIDE / width)
    to_cutout = cv2.getRotationMatrix2D((x, y), turn, enlargement)
    to_cutout[:, 2] += (enlargement * width / 2 - x, enlargement * height / 2 - y)
    size = (round(enlargement * width), round(enlargement * height))
    pixels = cv2.warpAffine(gray, to_cutout, size, flags=cv2.INTER_CUBIC, borderValue=255)
    to_gray = cv2.invertAffineTransform(to_cutout)

    def to_input(point: Point) -> Point:
        gx, gy = to_gray @ (point[0], point[1], 1.0)
        return (float(gx) / scale, float(gy) / scale)

    return _Attempt(pixels, to_input=to_input, turned_degrees=turn)


def _flattened(cutout: _Attempt) -> _Attempt:
    """The cut-out with the barcode's four corners pulled to a rectangle, or as it is when they
    are not found. A card held at a slant makes the barcode a trapezoid whose edges differ by a
    degree or more, which no single turn brings within zxing-cpp's tolerance."""
    pixels = cutout.image
    corners = _barcode_corners(pixels)
    if corners is None:
        return cutout
    top_left, top_right, bottom_right, bottom_left = corners
    width = max(np.linalg.norm(top_right - top_left), np.linalg.norm(bottom_right - bottom_left))
    height = max(np.linalg.norm(bottom_left - top_left), np.linalg.norm(bottom_right - top_right))
    left, top = _CUTOUT_MARGIN * width, _CUTOUT_MARGIN * height
    rectangle = np.float32([[left, top], [left + width, top], [left + width, top + height], [left, top + height]])
    to_flat = cv2.getPerspectiveTransform(corners, rectangle)
    size = (round(width + 2 * left), round(height + 2 * top))
    flat = cv2.warpPerspective(pixels, to_flat, size, flags=cv2.INTER_CUBIC, borderValue=255)
    to_cutout = np.linalg.inv(to_flat)

    def to_input(point: Point) -> Point:
        x, y = cv2.perspectiveTransform(np.float32([[point]]), to_cutout)[0, 0]
        return cutout.to_input((float(x), float(y)))

    return _Attempt(flat, to_input=to_input, turned_degrees=cutout.turned_degrees)


def _barcode_corners(pixels: np.ndarray) -> np.ndarray | None:
    """Top-left, top-right, bottom-right and bottom-left corner of the largest blob of ink
    once the gaps between bars are filled, when its outline has four corners."""
    _, ink = cv2.threshold(pixels, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    side = max(3, round(pixels.shape[1] * _FILL_SHARE))
    square = cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    blob = cv2.morphologyEx(cv2.morphologyEx(ink, cv2.MORPH_CLOSE, square), cv2.MORPH_OPEN, square)
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    for tolerance in _OUTLINE_TOLERANCES:
        outline = cv2.approxPolyDP(hull, tolerance * cv2.arcLength(hull, True), True)
        if len(outline) == 4:
            return _clockwise_from_top_left(outline.reshape(4, 2).astype(np.float32))
    return None


def _clockwise_from_top_left(corners: np.ndarray) -> np.ndarray:
    """Ordered by x + y (top-left least, bottom-right most) and y - x (top-right least)."""
    sums, differences = corners.sum(axis=1), corners[:, 1] - corners[:, 0]
    order = [np.argmin(sums), np.argmin(differences), np.argmax(sums), np.argmax(differences)]
    return corners[order]


def _sharpened(cutout: _Attempt) -> _Attempt:
    pixels = cutout.image.astype(np.float32)
    detail = pixels - cv2.GaussianBlur(pixels, (0, 0), _SHARPEN_SIGMA)
    sharp = np.clip(pixels + _SHARPEN_AMOUNT * detail, 0, 255).astype(np.uint8)
    return _Attempt(sharp, cutout.to_input, cutout.turned_degrees)


def _motion_deblurred(cutout: _Attempt, length: int) -> _Attempt:
    """Each row Wiener-deconvolved by a box of ``length`` pixels: the bars run across rows, so
    the part of a motion along them does no harm, and the part across is undone here."""
    pixels = cutout.image.astype(np.float32)
    columns = pixels.shape[1]
    box = np.zeros(columns, np.float32)
    box[:length] = 1.0 / length
    box = np.roll(box, -(length // 2))  # centred, so that the bars do not shift
    blur = np.fft.rfft(box)
    mean = pixels.mean()
    spectrum = np.fft.rfft(pixels - mean, axis=1)
    restored = np.fft.irfft(spectrum * np.conj(blur) / (np.abs(blur) ** 2 + _WIENER_NOISE), n=columns, axis=1)
    return _Attempt(np.clip(restored + mean, 0, 255).astype(np.uint8), cutout.to_input, cutout.turned_degrees)
