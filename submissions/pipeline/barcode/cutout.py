"""The barcode alone, cut out of the prepared image for what the whole-image attempts miss
(blur with skew): attempts 5 and 6 in ``decode``, sharpened and then with motion blur undone."""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np
from PIL import Image

from submissions.pipeline.barcode.attempt import Attempt, Point
from submissions.pipeline.barcode.deskew import estimate_skew_degrees
from submissions.pipeline.barcode.prepare import WORK_LONG_SIDE

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


def cutout_attempts(prepared: Image.Image, scale: float) -> Iterator[Attempt]:
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


def _upright_cutout(gray: np.ndarray, block: RotatedRect, scale: float) -> Attempt:
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

    return Attempt(pixels, to_input=to_input, turned_degrees=turn)


def _flattened(cutout: Attempt) -> Attempt:
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

    return Attempt(flat, to_input=to_input, turned_degrees=cutout.turned_degrees)


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


def _sharpened(cutout: Attempt) -> Attempt:
    pixels = cutout.image.astype(np.float32)
    detail = pixels - cv2.GaussianBlur(pixels, (0, 0), _SHARPEN_SIGMA)
    sharp = np.clip(pixels + _SHARPEN_AMOUNT * detail, 0, 255).astype(np.uint8)
    return Attempt(sharp, cutout.to_input, cutout.turned_degrees)


def _motion_deblurred(cutout: Attempt, length: int) -> Attempt:
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
    return Attempt(np.clip(restored + mean, 0, 255).astype(np.uint8), cutout.to_input, cutout.turned_degrees)
