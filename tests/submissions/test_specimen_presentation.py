"""Specimens shown on a screen or photocopied, then photographed: the screen and photocopy conditions."""

from __future__ import annotations

import io
import json
import random
from collections import Counter

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from submissions.specimens import DEFAULT_CONDITIONS
from submissions.specimens.photograph import CONDITIONS, photograph
from submissions.specimens.presentation import draw_bezel, on_screen, photocopied


def _page(width: int = 600, height: int = 400) -> np.ndarray:
    """A pale green page with a red band and black text-like bars."""
    page = np.full((height, width, 3), (225, 240, 215), np.uint8)
    page[40:90] = (200, 40, 40)
    for row in range(150, height - 40, 30):
        page[row : row + 10, 40 : width - 40] = (15, 15, 20)
    return page


def test_the_new_conditions_are_selectable_but_not_made_by_default():
    assert CONDITIONS == ("clear", "harsh", "screen", "photocopy")
    assert DEFAULT_CONDITIONS == ("clear", "harsh")


def test_on_screen_keeps_the_size_and_is_reproducible():
    first, settings = on_screen(_page(), random.Random(3), frame_scale=0.8)
    again, _ = on_screen(_page(), random.Random(3), frame_scale=0.8)
    assert first.shape == _page().shape
    assert np.array_equal(first, again)
    assert set(settings) >= {"screen_pitch", "screen_black", "screen_white_red"}


def test_on_screen_has_a_blue_white_point_a_raised_black_and_a_subpixel_pattern():
    # given
    page = _page()

    # when
    shown, settings = on_screen(page, random.Random(5), frame_scale=0.8)

    # then: the black bars are lifted, the white page is bluer, and columns repeat in colour
    bars = shown[150:160, 60:540].astype(float)
    paper = shown[100:140, 60:540].astype(float)
    assert bars.mean() > page[150:160, 60:540].mean() + 5
    assert (
        paper[..., 2].mean() - paper[..., 0].mean() > page[100:140, 60:540, 2].mean() - page[100:140, 60:540, 0].mean()
    )
    assert paper[..., 0].mean(axis=0).std() > 3  # the red light varies from column to column
    assert 1.15 <= settings["screen_pitch"] <= 3.0


def test_photocopied_is_gray_with_crushed_tones_and_reproducible():
    # given: a seed whose copy has no colour left (most copies)
    seeds = [seed for seed in range(20) if photocopied(_page(), random.Random(seed))[1]["copy_colour"] == 0.0]

    # when
    copy, settings = photocopied(_page(), random.Random(seeds[0]))

    # then
    assert np.array_equal(copy, photocopied(_page(), random.Random(seeds[0]))[0])
    channels = copy.astype(float)
    assert np.abs(channels[..., 0] - channels[..., 1]).max() <= 1  # no colour left
    assert (copy[..., 1] >= 250).mean() > 0.3  # the pale page is printed white
    assert copy[45:85, 100:500, 1].mean() < 120  # the red band is dark gray
    assert settings["copy_low"] < settings["copy_high"]


def test_some_copies_keep_a_trace_of_colour():
    shares = [photocopied(_page(), random.Random(seed))[1]["copy_colour"] for seed in range(40)]
    assert 0 < sum(share > 0 for share in shares) < 40
    assert all(share <= 0.2 for share in shares)


def test_draw_bezel_puts_a_dark_panel_and_a_body_around_the_document():
    # given
    frame = np.full((400, 600, 3), 200, np.uint8)
    quad = [(200.0, 150.0), (400.0, 150.0), (400.0, 250.0), (200.0, 250.0)]

    # when
    draw_bezel(frame, quad, random.Random(1))

    # then: just outside the document the unlit panel, far away the table
    assert frame[145, 300].max() <= 40
    assert frame[10, 10].tolist() == [200, 200, 200]


@pytest.mark.parametrize("condition", ["screen", "photocopy"])
def test_photograph_records_the_presentation_settings(condition):
    capture = photograph(_page(1000, 640), condition=condition, rng=random.Random(2))
    prefix = "screen_" if condition == "screen" else "copy_"
    assert any(key.startswith(prefix) for key in capture.settings)
    assert capture.degradations == ()
    assert Image.open(io.BytesIO(capture.jpeg)).size == capture.size


def test_clear_and_harsh_captures_are_unchanged_by_the_new_conditions():
    # The presentations draw from the random generator only when asked for: the clear capture
    # of a page is the same bytes whatever else exists, so benchmark sets stay as they were.
    capture = photograph(_page(1000, 640), condition="clear", rng=random.Random(2))
    assert not any(key.startswith(("screen_", "copy_")) for key in capture.settings)
    assert capture.jpeg == photograph(_page(1000, 640), condition="clear", rng=random.Random(2)).jpeg


def test_make_specimens_takes_the_new_conditions(tmp_path):
    # when
    stdout = io.StringIO()
    call_command(
        "make_specimens",
        str(tmp_path),
        "--count",
        "4",
        "--seed",
        "9",
        "--kinds",
        "td3,td2",
        "--conditions",
        "screen,photocopy",
        "--today",
        "2026-11-25",
        stdout=stdout,
    )

    # then
    labels = [json.loads(line) for line in (tmp_path / "labels.jsonl").read_text().splitlines()]
    assert Counter(row["condition"] for row in labels) == {"screen": 2, "photocopy": 2}
    assert {row["file"] for row in labels} == {path.name for path in tmp_path.glob("*.jpg")}
    assert "screen" in stdout.getvalue()
    assert "photocopy" in stdout.getvalue()


def test_make_specimens_rejects_an_unknown_condition(tmp_path):
    with pytest.raises(CommandError, match="choose from clear,harsh,screen,photocopy"):
        call_command("make_specimens", str(tmp_path), "--count", "1", "--conditions", "hologram")
