"""The MRZ image reader finds and reads OCR-B lines in photos: rotated, upside down, blurred, JPEG."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from submissions.pipeline.mrz_glyphs import FONT_PATHS
from submissions.pipeline.mrz_reader import read_mrz_text

Box = tuple[int, int, int, int]  # left, top, right, bottom
TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
LETTERS, DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
TD3_ALPHABETS = [
    [LETTERS, LETTERS + "<"] + [LETTERS] * 3 + [LETTERS + "<"] * 39,
    [LETTERS + DIGITS + "<"] * 9
    + [DIGITS]
    + [LETTERS + "<"] * 3
    + [DIGITS] * 7
    + ["MFX<"]
    + [DIGITS] * 7
    + [LETTERS + DIGITS + "<"] * 14
    + [DIGITS + "<", DIGITS],
]


def _photo(
    lines: tuple[str, ...],
    *,
    angle: float = 0,
    blur: float = 0,
    quality: int = 90,
    scale: float = 0.8,
    page_size: tuple[int, int] = (1476, 1039),
    decorate: Callable[[Image.Image, list[Box]], Image.Image] | None = None,
) -> Image.Image:
    """A document page with other text and a picture, photographed on a green table;
    ``decorate`` may then mark the page, given the box of each MRZ line."""
    page = Image.new("RGB", page_size, (235, 228, 210))
    draw = ImageDraw.Draw(page)
    label_font = ImageFont.load_default(size=28)
    for row in range(6):
        draw.text((500, 100 + row * 60), f"Field {row}: VALUE {row * 37}", font=label_font, fill=(30, 30, 60))
    draw.rectangle((60, 120, 440, 560), fill=(180, 170, 160))
    mrz_font = ImageFont.truetype(next(path for path in FONT_PATHS if path), 40)
    top = page_size[1] - 70 * len(lines) - 60
    line_boxes = []
    for index, line in enumerate(lines):
        draw.text((60, top + index * 70), line, font=mrz_font, fill=(15, 15, 15))
        line_boxes.append(draw.textbbox((60, top + index * 70), line, font=mrz_font))
    if decorate is not None:
        page = decorate(page, line_boxes)
    turned = page.rotate(angle, expand=True, fillcolor=(90, 110, 80))
    turned = turned.resize((int(turned.width * scale), int(turned.height * scale)))
    frame = Image.new("RGB", (1600, 1200), (90, 110, 80))
    frame.paste(turned, (60, 60))
    if blur:
        frame = frame.filter(ImageFilter.GaussianBlur(blur))
    buffer = io.BytesIO()
    frame.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


@pytest.mark.parametrize(
    ("angle", "blur", "quality"),
    [(0, 0, 90), (4, 0, 70), (-6, 0, 55), (180, 0, 80), (3, 1.3, 55), (174, 0.8, 60)],
)
def test_it_reads_a_passport_mrz_exactly(angle, blur, quality):
    # when
    readings = read_mrz_text(_photo(TD3, angle=angle, blur=blur, quality=quality))
    # then: the position alphabets settle the O/0-style look-alikes
    assert readings, "no MRZ found"
    assert readings[0].constrained(TD3_ALPHABETS) == TD3


def test_it_reads_three_line_id_card_mrzs():
    readings = read_mrz_text(_photo(TD1, angle=-3, quality=75, scale=1.0, page_size=(1011, 638)))
    assert readings
    assert len(readings[0].lines) == 3
    assert readings[0].lines[1] == TD1[1]


def test_a_photo_without_an_mrz_gives_no_reading():
    page = _photo((), angle=2)
    assert read_mrz_text(page) == []
