"""Capture quality: each problem is named with advice, clean captures pass."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from submissions.pipeline.quality import ADVICE, measure_quality


def _document(width: int = 1200, height: int = 760) -> Image.Image:
    """A card-like image with rows of small dark text on a light background."""
    image = Image.new("RGB", (width, height), (236, 232, 220))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(10, width // 50))
    for row in range(12):
        draw.text(
            (40, 30 + row * (height // 13)),
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<< 7408122F12",
            fill=(20, 20, 25),
            font=font,
        )
    return image


def test_a_clean_capture_has_no_problems():
    quality = measure_quality(_document())
    assert quality.problems == ()
    assert quality.acceptable
    assert quality.document_width_px == 1200


def test_blur_is_named():
    blurred = _document().filter(ImageFilter.GaussianBlur(4))
    quality = measure_quality(blurred)
    assert quality.problems == ("too_blurry",)
    assert quality.sharpness < measure_quality(_document()).sharpness / 5


def test_glare_is_named_but_white_print_is_not():
    image = _document()
    ImageDraw.Draw(image).ellipse((300, 200, 600, 450), fill=(255, 255, 255))
    assert measure_quality(image).problems == ("glare",)


def test_exposure_problems_are_named():
    dark = _document().point(lambda value: value // 5)
    bright = _document().point(lambda value: value // 3 + 170)
    assert "too_dark" in measure_quality(dark).problems
    assert "too_bright" in measure_quality(bright).problems


def test_a_small_document_asks_to_move_closer():
    # given: the document fills 400 px of a photo shown at half its original size
    frame = Image.new("RGB", (1000, 800), (90, 90, 90))
    frame.paste(_document(400, 253), (300, 270))
    # when
    quality = measure_quality(frame, region=(300, 270, 400, 253), scale=0.5)
    # then: 800 px in the original photo is enough; at scale 1.0 it is not
    assert quality.document_width_px == 800
    assert "move_closer" not in quality.problems
    assert "move_closer" in measure_quality(frame, region=(300, 270, 400, 253)).problems


def test_advice_is_given_for_every_problem():
    quality = measure_quality(_document().filter(ImageFilter.GaussianBlur(4)))
    assert quality.as_json()["advice"] == [ADVICE["too_blurry"]]
