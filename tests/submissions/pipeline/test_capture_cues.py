"""Capture cues: a photo of a screen or of a photocopy is named, a photo of the document is not."""

from __future__ import annotations

import datetime as dt
import io
import random

import numpy as np
import pytest
from django.core.management import call_command
from PIL import Image

from submissions.pipeline.capture_cues import (
    MIN_CONFIDENCE,
    CaptureMeasures,
    capture_cues,
    chroma_spread,
    cues_from,
    grid_peak,
    logistic,
)
from submissions.specimens import CONDITIONS, compose_document, make_specimens
from submissions.specimens.photograph import photograph

TODAY = dt.date(2026, 11, 25)
SEED = 11
SPECIMENS = (("td3", 1), ("td1", 2), ("dl_back", 3))


def _photo(kind: str, index: int, condition: str) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A specimen photographed in ``condition``, and the document's bounding box in it."""
    side = compose_document(kind, index, seed=SEED, today=TODAY).sides[0]
    capture = photograph(
        np.asarray(side.page.image),
        condition=condition,
        rng=random.Random(f"{SEED}:{index}:photo:{kind}:{condition}"),
        mrz_boxes=side.page.mrz_boxes,
        barcode_box=side.page.barcode_box,
    )
    corners = np.array(capture.quad)
    (left, top), (right, bottom) = corners.min(axis=0), corners.max(axis=0)
    return Image.open(io.BytesIO(capture.jpeg)).convert("RGB"), (
        int(left),
        int(top),
        int(right - left),
        int(bottom - top),
    )


def _codes(kind: str, index: int, condition: str) -> set[str]:
    image, region = _photo(kind, index, condition)
    return {cue.code for cue in capture_cues(image, region)}


@pytest.mark.parametrize(("kind", "index"), SPECIMENS)
def test_a_photo_of_a_screen_is_flagged_as_a_screen_capture(kind, index):
    assert _codes(kind, index, "screen") == {"suspected_screen_capture"}


@pytest.mark.parametrize(("kind", "index"), SPECIMENS)
def test_a_photo_of_a_photocopy_is_flagged_as_a_photocopy(kind, index):
    assert _codes(kind, index, "photocopy") == {"suspected_photocopy"}


@pytest.mark.parametrize(("kind", "index"), SPECIMENS)
def test_a_clear_photo_of_the_document_has_no_cue(kind, index):
    assert _codes(kind, index, "clear") == set()


def test_each_cue_has_a_confidence_above_the_threshold_and_a_detail():
    # given
    image, region = _photo("td3", 1, "screen")

    # when
    (cue,) = capture_cues(image, region)

    # then
    assert MIN_CONFIDENCE <= cue.confidence <= 1
    assert cue.detail.startswith("pixel-grid peak ")
    assert cue.detail.endswith(" dB")


def test_without_a_region_nothing_is_claimed():
    image, _ = _photo("td3", 1, "screen")
    assert capture_cues(image, None) == ()


# --- the measures ---------------------------------------------------------------------------


def _texture(seed: int = 0, size: int = 512) -> np.ndarray:
    """Random shading: paper grain and print without any periodic structure."""
    return np.random.default_rng(seed).normal(128, 20, (size, size)).astype(np.float32)


def _grating(frequency: float, size: int = 512, angle: float = 0.0, amplitude: float = 12.0) -> np.ndarray:
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    along = xs * np.cos(angle) + ys * np.sin(angle)
    return amplitude * np.sin(2 * np.pi * frequency * along)


def test_grid_peak_rises_for_a_fine_periodic_pattern():
    plain = grid_peak(np.clip(_texture(), 0, 255).astype(np.uint8))
    faint = grid_peak(np.clip(_texture() + _grating(0.37, angle=0.05, amplitude=6), 0, 255).astype(np.uint8))
    strong = grid_peak(np.clip(_texture() + _grating(0.37, angle=0.05, amplitude=20), 0, 255).astype(np.uint8))
    assert plain < 4
    assert plain < faint < strong
    assert strong > 12


def test_grid_peak_ignores_layout_scale_periods_and_jpeg_block_lines():
    plain = grid_peak(np.clip(_texture(), 0, 255).astype(np.uint8))
    coarse = grid_peak(np.clip(_texture() + _grating(0.03), 0, 255).astype(np.uint8))
    blocks = grid_peak(np.clip(_texture() + _grating(0.25), 0, 255).astype(np.uint8))  # every 4 px, axis-aligned
    assert coarse == pytest.approx(plain, abs=2)
    assert blocks == pytest.approx(plain, abs=2)


def test_grid_peak_is_zero_when_the_region_is_smaller_than_a_tile():
    assert grid_peak(np.zeros((64, 400), np.uint8)) == 0.0


def test_chroma_spread_is_zero_for_gray_and_large_for_colour():
    gray = np.repeat(np.linspace(60, 250, 300 * 400).reshape(300, 400, 1), 3, axis=2).astype(np.uint8)
    colour = gray.copy()
    colour[:150, :, 0] = np.clip(colour[:150, :, 0] * 0.7, 0, 255)  # a cyan-ish half
    colour[150:, :, 2] = np.clip(colour[150:, :, 2] * 0.7, 0, 255)  # a yellow-ish half
    assert chroma_spread(gray) == pytest.approx(0.0, abs=0.5)
    assert chroma_spread(colour) > 20


def test_chroma_spread_ignores_a_colour_cast_and_brightness_changes():
    # given: the same gray document under warm light, darker on one side
    gray = np.repeat(np.linspace(60, 250, 300 * 400).reshape(300, 400, 1), 3, axis=2).astype(np.float32)
    lit = gray * np.float32([1.08, 1.0, 0.9]) * np.linspace(0.6, 1.0, 400, dtype=np.float32)[None, :, None]

    # then
    assert chroma_spread(np.clip(lit, 0, 255).astype(np.uint8)) < 1.5


def test_chroma_spread_skips_dark_pixels():
    assert chroma_spread(np.zeros((200, 200, 3), np.uint8)) == 0.0


def test_logistic_is_one_half_at_the_fitted_midpoint():
    assert logistic((2.0, -10.0), 5.0) == pytest.approx(0.5)
    assert logistic((2.0, -10.0), 100.0) == pytest.approx(1.0)
    assert logistic((2.0, -10.0), -100.0) == pytest.approx(0.0)


def test_cues_from_names_only_what_is_confident():
    assert cues_from(CaptureMeasures(grid_peak=5.0, chroma_spread=8.0)) == ()
    codes = [cue.code for cue in cues_from(CaptureMeasures(grid_peak=20.0, chroma_spread=0.5))]
    assert codes == ["suspected_screen_capture", "suspected_photocopy"]


def test_evaluate_capture_cues_prints_the_rate_per_condition(tmp_path):
    # given
    make_specimens(tmp_path, count=4, seed=9, kinds=("td3",), conditions=CONDITIONS, today=TODAY)

    # when
    stdout = io.StringIO()
    call_command("evaluate_capture_cues", str(tmp_path), "--fit", stdout=stdout)

    # then
    lines = stdout.getvalue().splitlines()
    assert "100%  4/4 photos" in lines
    assert any(line.startswith("screen") and line.endswith("detection") for line in lines)
    assert any(line.startswith("clear") and line.endswith("false positives") for line in lines)
    assert any(line.startswith("suspected_photocopy: chroma_spread fit") for line in lines)
