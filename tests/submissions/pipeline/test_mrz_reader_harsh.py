"""Harsh captures the MRZ reader must survive: glare fading part of a line, and a line
touching the ruled paper the document lies on."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from submissions.pipeline import mrz_locate, mrz_reader
from submissions.pipeline.mrz_reader import read_mrz_text
from tests.submissions.pipeline.test_mrz_reader import TD3, TD3_ALPHABETS, Box, _photo


def _glare_over_second_line(page: Image.Image, lines: list[Box]) -> Image.Image:
    """A soft white ellipse over an eighth of line 2, fading its ink to a light grey."""
    left, top, right, bottom = lines[1]
    width = right - left
    alpha = Image.new("L", page.size, 0)
    ImageDraw.Draw(alpha).ellipse(
        (left + 0.5 * width, top - 0.3 * (bottom - top), left + 0.62 * width, bottom + 0.3 * (bottom - top)),
        fill=140,
    )
    alpha = alpha.filter(ImageFilter.GaussianBlur(6))
    return Image.composite(Image.new("RGB", page.size, (255, 255, 255)), page, alpha)


def _lined_paper_after_second_line(page: Image.Image, lines: list[Box]) -> Image.Image:
    """A sheet of ruled paper sticking out beside line 2's end, its rules almost touching it."""
    _, top, right, bottom = lines[1]
    draw = ImageDraw.Draw(page)
    for index in range(12):
        x = right + 8 + index * 12
        draw.line((x, top - 10, x, bottom + 120), fill=(70, 70, 80), width=3)
    return page


def test_it_reads_a_line_partly_faded_by_glare():
    # given: glare lifts the ink under it from near black to a light grey
    photo = _photo(TD3, angle=2, quality=60, decorate=_glare_over_second_line)
    # when
    readings = read_mrz_text(photo)
    # then
    assert readings, "no MRZ found"
    assert readings[0].constrained(TD3_ALPHABETS) == TD3


def test_glyphs_faded_by_glare_are_still_found_as_ink():
    # given: a line crop, one stroke black on paper, one light grey on glare-brightened paper
    crop = np.full((40, 200), 230, np.uint8)
    crop[10:30, 20:30] = 20
    crop[:, 100:] = 250
    crop[10:30, 150:160] = 190
    # when
    boxes = mrz_reader._glyph_boxes(mrz_reader._binarise(crop))
    # then
    assert sorted(boxes) == [(21, 11, 10, 20), (151, 11, 10, 20)]


def test_it_finds_a_line_that_merged_with_the_paper_beside_it():
    # given: line 2 and the paper's rules become one blob in the line finder
    photo = _photo(TD3, angle=-2, quality=80, decorate=_lined_paper_after_second_line)
    # when
    readings = read_mrz_text(photo)
    # then
    assert readings, "no MRZ found"
    assert readings[0].constrained(TD3_ALPHABETS) == TD3


def test_a_partner_line_is_looked_for_only_past_a_gap_and_at_mrz_spacing():
    # given: a 10-px-thick line, a solid band 25 px below it (2.5 thicknesses) and nothing above
    mask = np.zeros((200, 600), np.uint8)
    mask[95:105, 100:500] = 255
    mask[120:130, 100:560] = 255
    mask[120:200, 500:560] = 255  # the band's end is lost in a blob
    line = mrz_locate.LineBox((300.0, 100.0), 400.0, 10.0, 0.0)
    # when
    below = mrz_locate._partner_on_side(mask, line, 1)
    above = mrz_locate._partner_on_side(mask, line, -1)
    # then
    assert below == mrz_locate.LineBox((300.0, 124.5), 400.0, 10.0, 0.0)
    assert above is None


def test_blobs_off_the_ends_of_a_line_are_not_taken_for_glyphs():
    # given: six glyphs a 20-px pitch apart, a card edge 50 px before them and a mark 45 px after
    glyphs = [(100 + 20 * index, 10, 12, 20) for index in range(6)]
    edge, mark = (50, 10, 10, 20), (245, 12, 10, 18)
    # when
    kept = mrz_reader._without_stray_ends([mark, *glyphs, edge])
    # then
    assert kept == glyphs


def test_a_blob_much_taller_than_the_letters_is_not_a_glyph():
    # given: a line of 10-px-high letters, and the ruled sheet beside it crossing the crop
    ink = np.zeros((30, 200), np.uint8)
    for index in range(6):
        ink[10:20, 20 + 20 * index : 28 + 20 * index] = 1
    ink[0:30, 150:153] = 1
    # when
    boxes = mrz_reader._glyph_boxes(ink)
    # then
    assert boxes == [(20 + 20 * index, 10, 8, 10) for index in range(6)]
