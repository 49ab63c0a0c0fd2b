"""The photo made ready for the decoder: as it is when zxing-cpp takes it, else grayscale with
its contrast stretched, at a size the detector likes, and median-filtered for sensor noise."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from submissions.pipeline.barcode.attempt import Attempt, ImageInput

WORK_LONG_SIDE = 2000
SMALL_LONG_SIDE = 800
_STRETCH_PERCENTILES = (1.0, 99.0)


def decodable(image: ImageInput) -> ImageInput:
    """The image itself when zxing-cpp takes it (any PIL image; uint8 arrays of one or three
    channels), else its grayscale."""
    if isinstance(image, Image.Image):
        return image
    array = np.asarray(image)
    if array.dtype == np.uint8 and (array.ndim == 2 or (array.ndim == 3 and array.shape[2] == 3)):
        return array
    return _grayscale(array)


def prepared_gray(image: ImageInput) -> tuple[Image.Image, float]:
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


def denoised(attempt: Attempt) -> Attempt:
    """Last try for a noisy photo: a 3x3 median removes sensor speckle that breaks the
    bars' edges, while keeping 3-pixel modules intact."""
    pixels = cv2.medianBlur(np.asarray(attempt.image.convert("L")), 3)
    return Attempt(Image.fromarray(pixels), attempt.to_input, attempt.turned_degrees)
