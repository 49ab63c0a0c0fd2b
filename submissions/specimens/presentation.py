"""Documents presented to the camera as something other than themselves: a screen or a copy.

``photograph`` calls these on the document page, already shrunk close to its size in the
frame, and then photographs the result as in the clear condition:

* ``on_screen``: the document is shown on a phone or laptop display. It is resampled to the
  display's pixels, given the display's tone (a blue-ish white point, a changed gamma, black
  raised to the panel's glow) and drawn as vertical R, G, B subpixel stripes with a darker line
  between pixel rows. The stripes are averaged back to the page at a non-integer ratio, so they
  alias into moiré as a camera does. ``draw_bezel`` then puts the device around it.
* ``photocopied``: a grayscale (or nearly grayscale, for a faded colour copy) copy: fine
  security print blurred away, tones crushed towards black and white, toner grain and specks.

Randomness comes only from the ``random.Random`` given.
"""

from __future__ import annotations

import random

import cv2
import numpy as np

PRESENTATIONS = ("screen", "photocopy")
SUBPIXELS = 3  # vertical R, G, B stripes per display pixel
# Frame pixels per display pixel: a laptop a little closer than a phone's pixels, or a phone
# farther away; below about 1.15 the grid is lost in the camera's own resampling.
SCREEN_PITCH = (1.15, 3.0)
NEAR_GRAY_SHARE = 0.3  # colour copies with the colour nearly gone


def presented(
    page: np.ndarray, condition: str, rng: random.Random, *, frame_scale: float, settings: dict[str, float]
) -> np.ndarray:
    """The page as put in front of the camera: on a screen, photocopied, or (any other
    condition) itself. The settings used are added to ``settings``."""
    if condition == "screen":
        page, used = on_screen(page, rng, frame_scale=frame_scale)
    elif condition == "photocopy":
        page, used = photocopied(page, rng)
    else:
        return page
    settings.update(used)
    return page


def on_screen(page: np.ndarray, rng: random.Random, *, frame_scale: float) -> tuple[np.ndarray, dict[str, float]]:
    """``page`` (RGB, uint8) as a display shows it; ``frame_scale`` is frame pixels per page
    pixel once it is photographed. Returns the page (same size) and the settings used."""
    height, width = page.shape[:2]
    pitch = rng.uniform(*SCREEN_PITCH)
    per_pixel = pitch / frame_scale  # page pixels per display pixel
    columns, rows = max(8, round(width / per_pixel)), max(8, round(height / per_pixel))
    display = cv2.resize(page, (columns, rows), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    gamma = rng.uniform(0.85, 1.15)
    white = np.float32([rng.uniform(0.84, 0.93), rng.uniform(0.93, 0.99), 1.0])
    black = rng.uniform(0.06, 0.14)
    display = black + (1 - black) * np.power(display, gamma) * white
    crosstalk, row_gap = rng.uniform(0.15, 0.4), rng.uniform(0.55, 0.85)
    lit = np.repeat(np.repeat(display, SUBPIXELS, axis=0), SUBPIXELS, axis=1)
    lit *= _subpixel_mask(rows, columns, crosstalk, row_gap)
    seen = cv2.resize(lit, (width, height), interpolation=cv2.INTER_AREA)
    # The camera exposes for the panel: bring the masked-off light back to its brightness.
    seen /= (1 + 2 * crosstalk) / SUBPIXELS * (SUBPIXELS - 1 + row_gap) / SUBPIXELS
    settings = {
        "screen_pitch": round(pitch, 2),
        "screen_gamma": round(gamma, 2),
        "screen_white_red": round(float(white[0]), 2),
        "screen_black": round(black, 3),
        "screen_crosstalk": round(crosstalk, 2),
    }
    return np.clip(seen * 255, 0, 255).astype(np.uint8), settings


def _subpixel_mask(rows: int, columns: int, crosstalk: float, row_gap: float) -> np.ndarray:
    """Per-channel light of each subpixel: its own colour full, the others leak a little, and
    the last subpixel row of each display pixel is the darker gap between rows."""
    cell = np.full((SUBPIXELS, SUBPIXELS, 3), crosstalk, np.float32)
    for channel in range(3):
        cell[:, channel, channel] = 1.0
    cell[SUBPIXELS - 1] *= row_gap
    return np.tile(cell, (rows, columns, 1))


def draw_bezel(frame: np.ndarray, quad: list[tuple[float, float]], rng: random.Random) -> None:
    """The device around the displayed document: the unlit panel, then the body."""
    corners = np.float32(quad)
    centre = corners.mean(axis=0)
    panel = rng.randint(14, 30)
    body = rng.choice(((12, 12, 14), (40, 40, 44), (200, 200, 205)))
    for grow, colour in ((rng.uniform(1.15, 1.3), body), (rng.uniform(1.03, 1.1), (panel, panel, panel + 6))):
        outline = (centre + (corners - centre) * grow).astype(np.int32)
        cv2.fillPoly(frame, [outline], colour, cv2.LINE_AA)


def photocopied(page: np.ndarray, rng: random.Random) -> tuple[np.ndarray, dict[str, float]]:
    """``page`` (RGB, uint8) as a copier prints it. Returns the copy and the settings used."""
    pixels = page.astype(np.float32)
    gray = cv2.cvtColor(page, cv2.COLOR_RGB2GRAY).astype(np.float32)[..., None]
    colour = rng.uniform(0.08, 0.2) if rng.random() < NEAR_GRAY_SHARE else 0.0
    copy = gray + colour * (pixels - gray)
    blur = rng.uniform(0.7, 1.2)
    copy = cv2.GaussianBlur(copy, (0, 0), blur)
    low, high = rng.uniform(35, 70), rng.uniform(175, 215)
    copy = np.clip((copy - low) / (high - low), 0, 1) * 255
    grain = rng.uniform(4.0, 9.0)
    noise = np.random.default_rng(rng.getrandbits(64))
    copy += noise.normal(0, grain, copy.shape[:2]).astype(np.float32)[..., None]
    specks = noise.random(copy.shape[:2]) < rng.uniform(0.0005, 0.002)
    copy[specks] *= 0.3
    copy *= np.float32([1.0, 1.0, rng.uniform(0.96, 1.0)])  # copy paper, barely tinted
    settings = {
        "copy_colour": round(colour, 2),
        "copy_blur": round(blur, 2),
        "copy_low": round(low, 1),
        "copy_high": round(high, 1),
        "copy_grain": round(grain, 1),
    }
    return np.clip(copy, 0, 255).astype(np.uint8), settings
