"""The document locator on fixed-seed specimen photos: corners, orientation, rectification."""

from __future__ import annotations

import datetime as dt
import io
import math
import random
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from submissions.pipeline.locate import Anchor, DocumentQuad, anchor_from_reading, locate_document, rectify
from submissions.pipeline.mrz_reader import read_mrz_text
from submissions.specimens import compose_document
from submissions.specimens.photograph import photograph

TODAY = dt.date(2026, 11, 25)
SEED = 31


def capture(kind: str, index: int, condition: str = "clear", side: int = 0) -> tuple[Image.Image, np.ndarray]:
    """A specimen photo made as make_specimens makes it, and its labelled corners (TL, TR, BR, BL)."""
    document = compose_document(kind, index, seed=SEED, today=TODAY)
    page = document.sides[side].page
    shot = photograph(
        np.asarray(page.image),
        condition=condition,
        rng=random.Random(f"{SEED}:{index}:photo:{document.sides[side].kind}"),
        mrz_boxes=page.mrz_boxes,
        barcode_box=page.barcode_box,
    )
    return Image.open(io.BytesIO(shot.jpeg)).convert("RGB"), np.array(shot.quad)


def upside_down(image: Image.Image, quad: np.ndarray) -> tuple[Image.Image, np.ndarray]:
    """The photo turned 180°: the document's corners move with it and keep their names."""
    return image.rotate(180), np.array([(image.width - x, image.height - y) for x, y in quad])


def worst_corner_px(quad: DocumentQuad, truth: np.ndarray, *, shift: int = 0) -> float:
    return float(np.linalg.norm(np.roll(np.array(quad.corners), -shift, axis=0) - truth, axis=1).max())


def first_anchor(image: Image.Image) -> Anchor:
    readings = read_mrz_text(image)
    assert readings, "the MRZ reader found no zone"
    return anchor_from_reading(readings[0])


@pytest.mark.parametrize(
    ("kind", "index", "side"),
    [("td3", 1, 0), ("td1", 2, 0), ("td1", 2, 1), ("td2", 3, 0), ("mrva", 4, 0), ("mrvb", 5, 0), ("dl_back", 6, 1)],
)
def test_clear_photos_are_located_within_a_percent_of_the_width(kind, index, side):
    image, truth = capture(kind, index, side=side)
    width = np.linalg.norm(truth[1] - truth[0])
    has_mrz = side == 0 and kind != "dl_back"
    # when: with the MRZ anchor where there is an MRZ, as document.py has it
    quad = locate_document(image, anchor=first_anchor(image) if has_mrz else None)
    # then: landscape and the right way up, so even without an anchor the order is the label's
    assert quad is not None
    assert quad.upright == has_mrz
    assert quad.method == "edges"
    assert worst_corner_px(quad, truth) <= 0.01 * width
    assert 0 < quad.confidence <= 1


def test_an_upside_down_passport_comes_back_upright_with_its_mrz_anchor():
    image, truth = upside_down(*capture("td3", 1))
    # when
    quad = locate_document(image, anchor=first_anchor(image))
    # then: TL is the document's top left, now at the bottom right of the photo
    assert quad is not None
    assert quad.upright
    assert worst_corner_px(quad, truth) <= 8
    assert quad.corners[0][0] > image.width / 2
    assert quad.corners[0][1] > image.height / 2


def test_without_an_anchor_an_upside_down_passport_is_outlined_but_taken_as_upright():
    image, truth = upside_down(*capture("td3", 1))
    # when
    quad = locate_document(image)
    # then: the same outline, its corners named as if the photo were the right way up
    assert quad is not None
    assert not quad.upright
    assert worst_corner_px(quad, truth, shift=2) <= 8


def test_the_rectified_upside_down_passport_is_upright_with_the_mrz_along_the_bottom():
    image, _ = upside_down(*capture("td3", 1))
    quad = locate_document(image, anchor=first_anchor(image))
    # when
    flat = rectify(image, quad, width_px=1000)
    # then: 125 x 88 mm at 1000 px wide, and the MRZ reads level and upright in its lower part
    assert flat.width == 1000
    assert abs(flat.height - 1000 * 88 / 125) <= 12
    reading = read_mrz_text(flat)[0]
    assert abs(reading.angle) < 1.5
    x, y, width, height = reading.region
    assert y > 0.65 * flat.height


def test_rectify_keeps_the_quads_proportions():
    image = Image.new("RGB", (800, 600), "white")
    quad = DocumentQuad(((100.0, 100.0), (500.0, 100.0), (500.0, 350.0), (100.0, 350.0)), 1.0, "edges")
    assert rectify(image, quad, width_px=320).size == (320, 200)


def test_with_no_outline_the_anchor_alone_gives_the_page_around_the_mrz():
    blank = Image.new("RGB", (1600, 1200), (120, 90, 60))
    anchor = Anchor(center=(800.0, 900.0), angle=0.0, line_length=700.0, characters=44)
    # when
    quad = locate_document(blank, anchor=anchor)
    # then: a TD3 page (125 mm for a 111.76 mm line) with the zone near its bottom edge
    assert quad is not None
    assert quad.method == "anchor"
    assert quad.upright
    (tl_x, tl_y), (tr_x, _), (_, br_y), _ = quad.corners
    assert tr_x - tl_x == pytest.approx(700 * 125 / 111.76, rel=0.01)
    assert tl_y < 900 < br_y
    assert br_y - 900 < 0.15 * (br_y - tl_y)
    assert quad.aspect == pytest.approx(125 / 88, rel=0.01)


def test_an_upside_down_anchor_puts_the_fallback_page_above_the_mrz():
    blank = Image.new("RGB", (1600, 1200), (120, 90, 60))
    anchor = Anchor(center=(800.0, 300.0), angle=180.0, line_length=700.0, characters=44)
    quad = locate_document(blank, anchor=anchor)
    tl, _, br, _ = quad.corners
    # The page's top left is at the photo's bottom right, the bottom edge just above the zone.
    assert tl[0] > br[0]
    assert tl[1] > 300 > br[1]


def test_a_photo_without_a_document_or_anchor_has_no_quad():
    assert locate_document(Image.new("RGB", (1600, 1200), (120, 90, 60))) is None


def test_an_anchor_is_built_from_an_mrz_reading():
    reading = SimpleNamespace(region=(100, 200, 600, 60), angle=0.0, lines=("V<UTO" + "<" * 39, "1" * 44))
    anchor = anchor_from_reading(reading)
    assert anchor == Anchor(center=(400.0, 230.0), angle=0.0, line_length=600.0, characters=44, visa=True)


def test_a_turned_reading_gives_the_line_length_not_its_bounding_box():
    # A 600-px zone 30 px deep, turned 5°: its axis-aligned box is wider than the zone is long.
    theta = math.radians(5)
    box_w = 600 * math.cos(theta) + 30 * math.sin(theta)
    box_h = 600 * math.sin(theta) + 30 * math.cos(theta)
    reading = SimpleNamespace(region=(0, 0, box_w, box_h), angle=5.0, lines=("I" * 30,) * 3)
    assert anchor_from_reading(reading).line_length == pytest.approx(600, rel=0.01)
