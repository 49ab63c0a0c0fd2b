"""Uploads become pixels only through decode_image (G16): type by magic bytes, pixel caps, no metadata."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from submissions.pipeline.intake import WORK_LONG_SIDE, ImageRejected, decode_image, encode_jpeg, sniff_format


def _jpeg(size=(800, 600), *, exif_orientation: int | None = None, gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((20, 20, 220), (0, 0, size[0] // 2, size[1] // 4))  # blue block at the top left
    exif = Image.Exif()
    if exif_orientation:
        exif[0x0112] = exif_orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), quality=95)
    return buffer.getvalue()


def _png_bomb(width: int, height: int) -> bytes:
    """A 1-bit PNG of zero rows: tiny on disk, huge once decoded (RELIABILITY.md E3)."""
    raw = zlib.compress(b"".join(b"\x00" + b"\x00" * ((width + 7) // 8) for _ in range(height)), 9)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_it_decodes_a_jpeg_and_drops_its_metadata():
    # when
    decoded = decode_image(_jpeg(gps=True, exif_orientation=1))
    # then
    assert (decoded.format, decoded.original_size, decoded.scale) == ("JPEG", (800, 600), 1.0)
    assert decoded.image.mode == "RGB"
    assert dict(decoded.image.getexif()) == {}
    assert decoded.image.info == {}
    stored = Image.open(io.BytesIO(encode_jpeg(decoded.image)))
    assert dict(stored.getexif()) == {}


def test_it_turns_the_photo_upright_from_exif():
    # given: orientation 6 means "rotate 90° clockwise to view"
    decoded = decode_image(_jpeg(exif_orientation=6))
    # then: the landscape frame became portrait and the blue block moved to the top right
    assert decoded.original_size == (600, 800)
    red, _, blue = decoded.image.getpixel((580, 20))
    assert blue > 150
    assert red < 80


def test_it_shrinks_large_photos_to_the_work_size():
    decoded = decode_image(_jpeg((4000, 3000)))
    assert decoded.image.size == (WORK_LONG_SIDE, 1500)
    assert decoded.original_size == (4000, 3000)
    assert decoded.scale == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"GIF89a" + b"\x00" * 100, "unsupported_format"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "unsupported_format"),
        (b"%PDF-1.7\n", "unsupported_format"),
        (b"", "unsupported_format"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "corrupt_image"),
        (b"\x89PNG\r\n\x1a\n" + b"garbage", "corrupt_image"),
    ],
)
def test_it_refuses_what_is_not_a_usable_image(data, code):
    with pytest.raises(ImageRejected) as refused:
        decode_image(data)
    assert refused.value.code == code


def test_a_truncated_jpeg_is_refused():
    data = _jpeg((1200, 900))
    with pytest.raises(ImageRejected) as refused:
        decode_image(data[: len(data) // 2])
    assert refused.value.code == "corrupt_image"


@pytest.mark.parametrize(("width", "height"), [(10000, 9500), (20000, 20000)])
def test_decompression_bombs_are_refused_before_decoding(width, height):
    bomb = _png_bomb(width, height)
    assert len(bomb) < 100_000
    with pytest.raises(ImageRejected) as refused:
        decode_image(bomb)
    assert refused.value.code == "too_many_pixels"


def test_oversized_files_and_tiny_images_are_refused():
    with pytest.raises(ImageRejected) as too_big:
        decode_image(_jpeg(), max_bytes=1000)
    assert too_big.value.code == "image_too_large"
    with pytest.raises(ImageRejected) as too_small:
        decode_image(_jpeg((150, 150)))
    assert too_small.value.code == "image_too_small"


def test_webp_and_png_are_recognised_by_their_bytes():
    image = Image.new("RGB", (300, 300), (1, 2, 3))
    for name in ("PNG", "WEBP"):
        buffer = io.BytesIO()
        image.save(buffer, format=name)
        assert sniff_format(buffer.getvalue()) == name
        assert decode_image(buffer.getvalue()).format == name
