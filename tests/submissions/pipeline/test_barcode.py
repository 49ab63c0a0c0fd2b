"""PDF417 decoding from card photos: both writers, the usual degradations, exact payload bytes."""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import cv2
import numpy as np
import pdf417gen
import pytest
import zxingcpp
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from submissions.pipeline.barcode import DecodedBarcode, decode_pdf417, estimate_skew_degrees, read_aamva_barcode
from tests.submissions.pipeline.aamva_samples import (
    USA_V1_ELEMENTS,
    USA_V1_FIELDS,
    USA_V8_ELEMENTS,
    USA_V8_FIELDS,
    aamva_payload,
)

VIRGINIA_PAYLOAD = aamva_payload(USA_V8_ELEMENTS, version=8, jurisdiction_elements=(("ZVA", "01"), ("ZVB", "A")))
CALIFORNIA_PAYLOAD = aamva_payload(USA_V1_ELEMENTS, version=1, iin="636014")
VIRGINIA_FIELDS = USA_V8_FIELDS
CALIFORNIA_FIELDS = USA_V1_FIELDS
CARD = (226, 232, 240)
TABLE = (96, 84, 72)
BARCODE_AT = (120, 210)


def _pdf417gen_barcode(payload: bytes) -> Image.Image:
    return pdf417gen.render_image(pdf417gen.encode(payload, columns=13, security_level=5), scale=3).convert("L")


def _zxing_barcode(payload: bytes) -> Image.Image:
    return Image.fromarray(
        np.asarray(zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.PDF417).to_image(scale=3))
    )


WRITERS = {"pdf417gen": (_pdf417gen_barcode, VIRGINIA_PAYLOAD), "zxing": (_zxing_barcode, CALIFORNIA_PAYLOAD)}
FIELDS = {VIRGINIA_PAYLOAD: VIRGINIA_FIELDS, CALIFORNIA_PAYLOAD: CALIFORNIA_FIELDS}


def _card_back(barcode: Image.Image) -> Image.Image:
    """The barcode on a card with printed lines above it, the way a licence back looks."""
    card = Image.new("RGB", (barcode.width + 240, barcode.height + 330), CARD)
    draw = ImageDraw.Draw(card)
    for line in range(6):
        draw.text(
            (30, 24 + 26 * line), "CLASS C   END NONE   RSTR NONE   DD 0123456789  ISS 08/15/2022", fill=(50, 50, 70)
        )
    card.paste(barcode.convert("RGB"), BARCODE_AT)
    return card


def _turned(degrees: float) -> Callable[[Image.Image], Image.Image]:
    return lambda card: card.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=TABLE)


def _jpeg(quality: int) -> Callable[[Image.Image], Image.Image]:
    def compress(card: Image.Image) -> Image.Image:
        buffer = io.BytesIO()
        card.save(buffer, format="JPEG", quality=quality)
        return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")

    return compress


def _blurred(card: Image.Image) -> Image.Image:
    return card.filter(ImageFilter.GaussianBlur(0.6))


def _low_contrast(card: Image.Image) -> Image.Image:
    """Grey on grey (6 % of the contrast), which zxing-cpp reads only once stretched."""
    return ImageEnhance.Contrast(card).enhance(0.06)


def _hand_held(card: Image.Image) -> Image.Image:
    return _jpeg(60)(_blurred(_turned(4)(card)))


DEGRADATIONS: dict[str, tuple[Callable[[Image.Image], Image.Image], int]] = {
    "clean": (lambda card: card, 0),
    "turned-4-ccw": (_turned(4), -4),
    "turned-4-cw": (_turned(-4), 4),
    "blur-0.6": (_blurred, 0),
    "jpeg-60": (_jpeg(60), 0),
    "turned-15": (_turned(15), -15),
    "upside-down": (_turned(180), 180),
    "low-contrast": (_low_contrast, 0),
    "turned-blurred-jpeg": (_hand_held, -4),
}


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("degradation", DEGRADATIONS)
def test_it_reads_the_exact_payload_and_the_aamva_fields(writer, degradation):
    # given
    make_barcode, payload = WRITERS[writer]
    degrade, orientation = DEGRADATIONS[degradation]
    photo = degrade(_card_back(make_barcode(payload)))
    # when
    found = read_aamva_barcode(photo)
    # then
    assert found is not None
    barcode, aamva = found
    assert (barcode.format, barcode.raw) == ("PDF417", payload)
    # zxing-cpp's own orientation of a barely skewed symbol is a degree or two off
    assert abs(barcode.orientation - orientation) <= 2
    assert aamva.fields == FIELDS[payload]
    assert aamva.warnings == ()


def test_a_clean_capture_is_read_on_the_first_attempt_with_its_corners(monkeypatch):
    # given
    barcode = _pdf417gen_barcode(VIRGINIA_PAYLOAD)
    photo = _card_back(barcode)
    calls = _count_decoder_calls(monkeypatch)
    # when
    decoded = decode_pdf417(photo)
    # then: pdf417gen leaves a 20 px quiet zone around the symbol
    assert calls == [photo]
    assert [item.raw for item in decoded] == [VIRGINIA_PAYLOAD]
    x, y = BARCODE_AT
    expected = ((x + 20, y + 20), (x + barcode.width - 20, y + 20))
    expected += ((x + barcode.width - 20, y + barcode.height - 21), (x + 20, y + barcode.height - 21))
    _assert_corners_near(decoded[0], expected, tolerance=1.5)


def test_the_corners_of_a_skewed_barcode_are_in_the_photo_coordinates():
    # given: the clean card, and the same card turned 15° counter-clockwise
    card = _card_back(_pdf417gen_barcode(VIRGINIA_PAYLOAD))
    upright = decode_pdf417(card)[0]
    photo = _turned(15)(card)
    # when
    decoded = decode_pdf417(photo)
    # then
    expected = tuple(_turned_point(corner, 15, card.size, photo.size) for corner in upright.position)
    _assert_corners_near(decoded[0], expected, tolerance=4.0)
    assert decoded[0].orientation == -15


def test_a_faded_large_frame_is_read_shrunk_and_stretched_with_corners_in_frame_coordinates(monkeypatch):
    # given: a 3000 px frame whose faded barcode zxing-cpp misses until its contrast is stretched
    card = _low_contrast(_blurred(_card_back(_pdf417gen_barcode(VIRGINIA_PAYLOAD))))
    frame = Image.new("RGB", (3000, 2000), TABLE)
    frame.paste(card, (900, 600))
    upright = decode_pdf417(_card_back(_pdf417gen_barcode(VIRGINIA_PAYLOAD)))[0]
    calls = _count_decoder_calls(monkeypatch)
    # when
    decoded = decode_pdf417(frame)
    # then: the second attempt read a 2000 x 1333 image
    assert [item.raw for item in decoded] == [VIRGINIA_PAYLOAD]
    assert [getattr(image, "size", None) for image in calls] == [(3000, 2000), (2000, 1333)]
    expected = tuple((x + 900, y + 600) for x, y in upright.position)
    _assert_corners_near(decoded[0], expected, tolerance=3.0)


def test_a_faded_small_crop_is_read_enlarged_with_corners_in_crop_coordinates(monkeypatch):
    # given: a barcode alone, two pixels a module
    crop = pdf417gen.render_image(pdf417gen.encode(CALIFORNIA_PAYLOAD, columns=13, security_level=5), scale=2)
    upright = decode_pdf417(crop)[0]
    faded = _low_contrast(crop)
    calls = _count_decoder_calls(monkeypatch)
    # when
    decoded = decode_pdf417(faded)
    # then
    assert [item.raw for item in decoded] == [CALIFORNIA_PAYLOAD]
    assert [getattr(image, "size", None) for image in calls] == [crop.size, (crop.width * 2, crop.height * 2)]
    _assert_corners_near(decoded[0], upright.position, tolerance=1.5)


@pytest.mark.parametrize(
    "as_array",
    [
        pytest.param(lambda photo: np.asarray(photo)[:, :, ::-1], id="bgr"),
        pytest.param(lambda photo: np.asarray(photo.convert("L")), id="gray"),
        pytest.param(lambda photo: np.asarray(photo.convert("RGBA")), id="four-channels"),
    ],
)
def test_it_reads_numpy_arrays(as_array):
    # given
    photo = as_array(_turned(-6)(_card_back(_zxing_barcode(CALIFORNIA_PAYLOAD))))
    # when
    decoded = decode_pdf417(photo)
    # then
    assert [(item.raw, abs(item.orientation - 6) <= 1) for item in decoded] == [(CALIFORNIA_PAYLOAD, True)]


def test_two_copies_of_a_payload_count_once_and_two_payloads_twice():
    # given
    first, second = _pdf417gen_barcode(VIRGINIA_PAYLOAD), _pdf417gen_barcode(CALIFORNIA_PAYLOAD)
    sheet = Image.new("RGB", (first.width + 80, first.height * 3 + 160), CARD)
    sheet.paste(first, (40, 40))
    sheet.paste(first, (40, first.height + 80))
    both = sheet.copy()
    both.paste(second, (40, 2 * first.height + 120))
    # when
    copies, distinct = decode_pdf417(sheet), decode_pdf417(both)
    # then
    assert [item.raw for item in copies] == [VIRGINIA_PAYLOAD]
    assert sorted(item.raw for item in distinct) == sorted([VIRGINIA_PAYLOAD, CALIFORNIA_PAYLOAD])


def test_a_photo_without_a_barcode_gives_nothing(monkeypatch):
    # given
    card = Image.new("RGB", (900, 560), CARD)
    ImageDraw.Draw(card).text((40, 40), "NOT A LICENCE BACK", fill=(0, 0, 0))
    calls = _count_decoder_calls(monkeypatch)
    # when
    decoded, aamva = decode_pdf417(card), read_aamva_barcode(card)
    # then: as given, prepared (the blank card has no skew to correct), then denoised, per
    # call; the densest block, a line of text, is too long for a barcode to be cut out
    assert (decoded, aamva) == ([], None)
    assert len(calls) == 6


def test_a_hand_held_photo_blurred_across_the_bars_is_read_from_the_barcode_cut_out(monkeypatch):
    # given: two pixels a module, turned 4°, a 5 px horizontal motion and some focus blur,
    # which none of the whole-image attempts reads
    card = _card_back(pdf417gen.render_image(pdf417gen.encode(VIRGINIA_PAYLOAD, columns=13, security_level=5), scale=2))
    upright = decode_pdf417(card)[0]
    moved = Image.fromarray(cv2.blur(np.asarray(_turned(4)(card)), (5, 1)))
    photo = _jpeg(90)(moved.filter(ImageFilter.GaussianBlur(0.8)))
    calls = _count_decoder_calls(monkeypatch)
    # when
    found = read_aamva_barcode(photo)
    # then: read on the sixth attempt, the cut-out with a 5 px motion undone (10 px once enlarged)
    assert found is not None
    barcode, aamva = found
    assert (barcode.raw, barcode.orientation, aamva.fields) == (VIRGINIA_PAYLOAD, -4, VIRGINIA_FIELDS)
    assert len(calls) == 6
    # zxing-cpp puts one corner of the restored stop pattern a few modules out
    expected = tuple(_turned_point(corner, 4, card.size, photo.size) for corner in upright.position)
    _assert_corners_near(barcode, expected, tolerance=10.0)


def test_a_licence_is_read_though_an_earlier_attempt_finds_only_another_pdf417():
    # given: a boarding pass read on the first attempt, and a licence turned 15° beside it that
    # only the turned attempt reads
    licence = _turned(15)(_card_back(_pdf417gen_barcode(VIRGINIA_PAYLOAD)))
    boarding_pass = _pdf417gen_barcode(b"BOARDING PASS M1DOE/JOHN").convert("RGB")
    sheet = Image.new("RGB", (licence.width + boarding_pass.width + 60, licence.height + 40), TABLE)
    sheet.paste(licence, (20, 20))
    sheet.paste(boarding_pass, (licence.width + 40, 20))
    # when
    decoded, found = decode_pdf417(sheet), read_aamva_barcode(sheet)
    # then
    assert [item.raw for item in decoded] == [b"BOARDING PASS M1DOE/JOHN"]
    assert found is not None
    assert (found[0].raw, found[1].fields) == (VIRGINIA_PAYLOAD, VIRGINIA_FIELDS)


def test_a_pdf417_that_is_not_aamva_is_decoded_but_not_read_as_a_licence():
    # given
    photo = _card_back(_pdf417gen_barcode(b"BOARDING PASS M1DOE/JOHN"))
    # when
    decoded, aamva = decode_pdf417(photo), read_aamva_barcode(photo)
    # then
    assert ([item.raw for item in decoded], aamva) == ([b"BOARDING PASS M1DOE/JOHN"], None)


@pytest.mark.parametrize("degrees", [-30.0, -12.5, -4.0, 0.0, 3.0, 7.5, 20.0, 44.0])
def test_it_estimates_the_skew_of_a_barcode(degrees):
    # given
    photo = _turned(degrees)(_card_back(_zxing_barcode(CALIFORNIA_PAYLOAD))).convert("L")
    # when
    skew = estimate_skew_degrees(photo)
    # then
    assert abs(skew - degrees) <= 0.5


def test_the_skew_of_a_small_image_is_estimated_at_its_own_size_and_of_a_blank_one_is_zero():
    # given: 276 x 141 px, below the size the estimate shrinks to
    turned = _turned(-9)(_zxing_barcode(CALIFORNIA_PAYLOAD).convert("RGB")).convert("L")
    photo = turned.reduce(2)
    # when
    skews = [estimate_skew_degrees(image) for image in (photo, Image.new("L", (8, 8), 128))]
    # then
    assert abs(skews[0] + 9) <= 1.0
    assert skews[1] == 0.0


def _count_decoder_calls(monkeypatch) -> list[object]:
    calls: list[object] = []
    read_barcodes = zxingcpp.read_barcodes

    def counting(image, **options):
        calls.append(image)
        return read_barcodes(image, **options)

    monkeypatch.setattr(zxingcpp, "read_barcodes", counting)
    return calls


def _turned_point(point, degrees: float, size: tuple[int, int], turned_size: tuple[int, int]) -> tuple[float, float]:
    """Where PIL's ``rotate(degrees, expand=True)`` puts a point (counter-clockwise on screen)."""
    radians = math.radians(degrees)
    dx, dy = point[0] - size[0] / 2, point[1] - size[1] / 2
    x = turned_size[0] / 2 + math.cos(radians) * dx + math.sin(radians) * dy
    y = turned_size[1] / 2 - math.sin(radians) * dx + math.cos(radians) * dy
    return (x, y)


def _assert_corners_near(barcode: DecodedBarcode, expected, *, tolerance: float) -> None:
    distances = [math.dist(found, wanted) for found, wanted in zip(barcode.position, expected, strict=True)]
    assert max(distances) <= tolerance, (barcode.position, expected)


def test_a_noisy_photo_is_read_after_denoising():
    # given: sensor noise (sigma 70) that breaks the bars' edges for the plain attempts
    card = _card_back(_pdf417gen_barcode(VIRGINIA_PAYLOAD))
    noise = np.random.default_rng(5).normal(0, 70, card.size[::-1])
    noisy = Image.fromarray(np.clip(np.asarray(card.convert("L")).astype(float) + noise, 0, 255).astype(np.uint8))
    # when
    decoded = decode_pdf417(noisy)
    # then
    assert [item.raw for item in decoded] == [VIRGINIA_PAYLOAD]
