"""Safe decoding of one uploaded image (G16): the only way bytes become pixels.

Only JPEG, PNG and WebP are opened, recognised by their magic bytes (never by name or
Content-Type). Pixel counts are checked from the header before anything is decoded, so a
small file that claims a huge canvas is refused without allocating it. EXIF orientation is
applied and then every piece of metadata is dropped.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000
MIN_SIDE = 200
# Work size for the readers: large enough for a 300-dpi-equivalent MRZ on a phone photo,
# small enough that every step stays fast on two cores.
WORK_LONG_SIDE = 2000

_MAGIC = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
)


class ImageRejected(ValueError):
    """The upload cannot be used; ``code`` is stable, ``message`` is for the person."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class DecodedImage:
    image: Image.Image  # RGB, upright, no metadata, at most WORK_LONG_SIDE on its long side
    format: str
    original_size: tuple[int, int]  # upright width, height before any resize
    scale: float  # work size / original size


def sniff_format(data: bytes) -> str | None:
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def decode_image(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> DecodedImage:
    if len(data) > max_bytes:
        raise ImageRejected("image_too_large", f"The image is larger than {max_bytes // (1024 * 1024)} MB.")
    image_format = sniff_format(data)
    if image_format is None:
        raise ImageRejected("unsupported_format", "Send a JPEG, PNG or WebP photo.")
    image = _open_checked(data, image_format, max_pixels)
    upright = _load_upright(image)
    if min(upright.size) < MIN_SIDE:
        raise ImageRejected("image_too_small", f"The image must be at least {MIN_SIDE} pixels on each side.")
    work, scale = _to_work_size(upright)
    return DecodedImage(image=work, format=image_format, original_size=upright.size, scale=scale)


def _open_checked(data: bytes, image_format: str, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[image_format])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("too_many_pixels", "The image has too many pixels.") from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise ImageRejected("corrupt_image", "The image file is damaged or incomplete.") from None
    width, height = image.size
    if width * height > max_pixels:
        raise ImageRejected("too_many_pixels", "The image has too many pixels.")
    return image


def _load_upright(image: Image.Image) -> Image.Image:
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)
        rgb = upright.convert("RGB")
    except (OSError, ValueError, SyntaxError):
        raise ImageRejected("corrupt_image", "The image file is damaged or incomplete.") from None
    # A fresh image carries no EXIF, ICC, XMP or text chunks of the upload.
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())


def _to_work_size(image: Image.Image) -> tuple[Image.Image, float]:
    long_side = max(image.size)
    if long_side <= WORK_LONG_SIDE:
        return image, 1.0
    scale = WORK_LONG_SIDE / long_side
    size = (round(image.width * scale), round(image.height * scale))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0), scale


def encode_jpeg(image: Image.Image, *, quality: int = 90) -> bytes:
    """Re-encoded bytes for storage: what is kept is what we decoded, never the upload."""
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()
