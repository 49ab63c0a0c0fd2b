"""Simulated phone captures of a flat document lying on a cluttered table.

The document is warped into a 1600 x 1200 (or 1200 x 1600) frame with an in-plane rotation and
a perspective tilt, at a scale where it spans 45-80 % of the frame's width (and at least
``MIN_DOCUMENT_PX``), over a textured table with a few objects and a soft shadow. Then the
condition is applied:

* ``clear``: rotation within ±3°, mild perspective, even light, blur σ ≤ 0.4, noise σ ≤ 2,
  JPEG quality 88-95;
* ``harsh``: one to three of blur (σ 0.8-1.4), a glare blob (never over more than one MRZ
  line), skew of 3-6° either way (sometimes also turned 90° or upside down), an uneven
  illumination gradient, noise σ 4-8, JPEG quality 50-60 and slight motion blur. The ones
  applied are returned as ``name:value`` strings;
* ``screen`` and ``photocopy``: the document shown on a display, or a grayscale copy of it
  (see ``presentation``), photographed as in the clear condition.

Randomness comes only from the ``random.Random`` given, so a capture is reproducible.
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass

import cv2
import numpy as np

from submissions.pipeline.quality import MIN_DOCUMENT_WIDTH
from submissions.specimens import presentation

LANDSCAPE = (1600, 1200)
PORTRAIT = (1200, 1600)
# The pipeline asks people to move closer below quality.MIN_DOCUMENT_WIDTH: specimens stay above it
# (so in a portrait frame the document spans at least 60 % of the width, not 45 %).
MIN_DOCUMENT_PX = MIN_DOCUMENT_WIDTH + 20
CONDITIONS = ("clear", "harsh", *presentation.PRESENTATIONS)
HARSH = ("blur", "glare", "skew", "illumination", "noise", "jpeg", "motion")
TABLES = (
    ((122, 84, 52), "wood"),
    ((158, 118, 78), "wood"),
    ((92, 62, 42), "wood"),
    ((196, 196, 190), "plain"),
    ((62, 64, 70), "plain"),
    ((44, 88, 66), "cloth"),
    ((70, 86, 120), "cloth"),
    ((210, 200, 178), "cloth"),
)


@dataclass(frozen=True)
class Capture:
    jpeg: bytes
    size: tuple[int, int]  # width, height
    quad: tuple[tuple[float, float], ...]  # the document's top-left, top-right, bottom-right, bottom-left
    degradations: tuple[str, ...]  # harsh degradations applied, as "name:value"
    settings: dict[str, float]  # every capture parameter, for the record


def photograph(
    document: np.ndarray,
    *,
    condition: str,
    rng: random.Random,
    mrz_boxes: tuple[tuple[int, int, int, int], ...] = (),
    barcode_box: tuple[int, int, int, int] | None = None,
) -> Capture:
    """A JPEG capture of ``document`` (RGB, uint8) in ``condition`` (one of ``CONDITIONS``)."""
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}")
    chosen = set(rng.sample(HARSH, rng.randint(1, 3))) if condition == "harsh" else set()
    applied: list[str] = []
    settings: dict[str, float] = {}

    # Geometry: in-plane angle (counter-clockwise as seen in the image), quarter turns, tilt.
    quarter = 0
    if "skew" in chosen:
        skew = rng.choice((-1, 1)) * rng.uniform(3.0, 6.0)
        turn = rng.random()
        quarter = 180 if turn < 0.3 else rng.choice((90, 270)) if turn < 0.5 else 0
        applied.append(f"skew:{skew:.1f}")
        if quarter:
            applied.append(f"rotate:{quarter}")
        tilt = rng.uniform(0.02, 0.06)
    else:
        skew = rng.uniform(-3.0, 3.0)
        tilt = rng.uniform(0.0, 0.025)
    frame_w, frame_h = PORTRAIT if rng.random() < (0.7 if quarter in (90, 270) else 0.25) else LANDSCAPE
    height, width = document.shape[:2]
    angle = math.radians(skew + quarter)
    quad = _place(rng, width, height, angle, tilt, frame_w, frame_h)
    scale = math.dist(quad[0], quad[1]) / width
    settings.update(rotation=round(skew + quarter, 2), tilt=round(tilt, 3), scale=round(scale, 3))

    # The document itself: shrink it close to its final size first (area resampling keeps thin
    # strokes), then add glare on its surface before the warp.
    page = document
    local = 1.0
    if scale < 0.9:
        local = scale * 1.1
        page = cv2.resize(document, (round(width * local), round(height * local)), interpolation=cv2.INTER_AREA)
    if "glare" in chosen:
        page = page.copy()
        where, peak = _glare(page, rng, [_scaled(box, local) for box in mrz_boxes], _scaled(barcode_box, local))
        applied.append(f"glare:{where}")
        settings["glare_peak"] = round(peak, 2)
    page = presentation.presented(page, condition, rng, frame_scale=scale / local, settings=settings)

    frame = _table(rng, frame_w, frame_h)
    _shadow(frame, quad, rng)
    if condition == "screen":
        presentation.draw_bezel(frame, quad, rng)
    source = np.float32([[0, 0], [page.shape[1], 0], [page.shape[1], page.shape[0]], [0, page.shape[0]]])
    homography = cv2.getPerspectiveTransform(source, np.float32(quad))
    cv2.warpPerspective(
        page, homography, (frame_w, frame_h), dst=frame, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT
    )

    # Light.
    if "illumination" in chosen:
        low = rng.uniform(0.45, 0.7)
        frame = _gradient(frame, rng, low)
        applied.append(f"illumination:{low:.2f}")
    else:
        gain = rng.uniform(0.96, 1.04)
        frame = cv2.multiply(frame, (rng.uniform(0.97, 1.03) * gain, gain, rng.uniform(0.97, 1.03) * gain, 0))

    # Optics and sensor.
    if "blur" in chosen:
        sigma = rng.uniform(0.8, 1.4)
        applied.append(f"blur:{sigma:.2f}")
    else:
        sigma = rng.uniform(0.0, 0.4)
    if sigma >= 0.15:
        frame = cv2.GaussianBlur(frame, (0, 0), sigma)
    settings["blur_sigma"] = round(sigma, 2)
    if "motion" in chosen:
        length = rng.randint(3, 5)
        direction = rng.uniform(0, 180)
        frame = cv2.filter2D(frame, -1, _motion_kernel(length, direction))
        applied.append(f"motion:{length}@{direction:.0f}")
    noise = rng.uniform(4.0, 8.0) if "noise" in chosen else rng.uniform(0.5, 2.0)
    if "noise" in chosen:
        applied.append(f"noise:{noise:.1f}")
    settings["noise_sigma"] = round(noise, 2)
    frame = _add_noise(frame, rng, noise)
    quality = rng.randint(50, 60) if "jpeg" in chosen else rng.randint(88, 95)
    if "jpeg" in chosen:
        applied.append(f"jpeg:{quality}")
    settings["jpeg_quality"] = quality

    ok, encoded = cv2.imencode(".jpg", cv2.cvtColor(frame, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    order = {name: index for index, name in enumerate(HARSH)}
    applied.sort(key=lambda item: order.get(item.split(":")[0], order["skew"]))
    return Capture(
        jpeg=encoded.tobytes(),
        size=(frame_w, frame_h),
        quad=tuple((round(x, 1), round(y, 1)) for x, y in quad),
        degradations=tuple(applied),
        settings=settings,
    )


def _scaled(box: tuple[int, int, int, int] | None, factor: float) -> tuple[int, int, int, int] | None:
    if box is None:
        return None
    return tuple(round(value * factor) for value in box)  # type: ignore[return-value]


def _place(
    rng: random.Random, width: int, height: int, angle: float, tilt: float, frame_w: int, frame_h: int
) -> list[tuple[float, float]]:
    """Corners (TL, TR, BR, BL of the document) in the frame: rotated, tilted, scaled, moved."""
    cos, sin = math.cos(angle), math.sin(angle)
    span_w = abs(width * cos) + abs(height * sin)
    span_h = abs(width * sin) + abs(height * cos)
    fraction = rng.uniform(max(0.45, min(0.8, MIN_DOCUMENT_PX / frame_w)), 0.80)
    scale = min(fraction * frame_w / span_w, 0.86 * frame_h / span_h)
    # Keystone: the edge farther from the camera looks shorter (sign picks which edge).
    tilt_x, tilt_y = rng.uniform(-tilt, tilt), rng.uniform(-tilt, tilt)
    corners = []
    for u, v in ((-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)):
        x = u * width * (1 + 2 * tilt_y * v)
        y = v * height * (1 + 2 * tilt_x * u)
        x += rng.uniform(-0.3, 0.3) * tilt * width
        y += rng.uniform(-0.3, 0.3) * tilt * height
        # Image y grows downwards: a counter-clockwise turn on screen is a clockwise one in these axes.
        corners.append((scale * (x * cos + y * sin), scale * (-x * sin + y * cos)))
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    margin_x, margin_y = 0.02 * frame_w, 0.02 * frame_h
    low_x, high_x = margin_x - min(xs), frame_w - margin_x - max(xs)
    low_y, high_y = margin_y - min(ys), frame_h - margin_y - max(ys)
    cx = rng.uniform(low_x, high_x) if high_x > low_x else (low_x + high_x) / 2
    cy = rng.uniform(low_y, high_y) if high_y > low_y else (low_y + high_y) / 2
    return [(x + cx, y + cy) for x, y in corners]


def _glare(
    page: np.ndarray,
    rng: random.Random,
    mrz_boxes: list[tuple[int, int, int, int] | None],
    barcode_box: tuple[int, int, int, int] | None,
) -> tuple[str, float]:
    """A soft white ellipse on the document; over the MRZ it covers at most one line."""
    height, width = page.shape[:2]
    boxes = [box for box in mrz_boxes if box is not None]
    mrz_top = min((box[1] for box in boxes), default=height)
    if boxes and rng.random() < 0.5:
        index = rng.randrange(len(boxes))
        left, top, right, bottom = boxes[index]
        cap = bottom - top
        gaps = [boxes[index + 1][1] - bottom] if index + 1 < len(boxes) else []
        gaps += [top - boxes[index - 1][3]] if index > 0 else []
        room = min(gaps, default=cap)  # white space to the neighbouring lines
        centre_y = (top + bottom) / 2 + rng.uniform(-0.15, 0.15) * cap
        radius_y = (cap / 2 + room * 0.5) / 1.0
        radius_x = rng.uniform(0.08, 0.2) * width
        centre_x = rng.uniform(left + radius_x * 0.5, right - radius_x * 0.5)
        peak = rng.uniform(0.5, 0.72)
        where = f"mrz_line_{index + 1}"
    else:
        radius_x, radius_y = rng.uniform(0.08, 0.22) * width, rng.uniform(0.06, 0.14) * height
        centre_x = rng.uniform(radius_x * 0.5, width - radius_x * 0.5)
        bottom_limit = mrz_top - radius_y * 1.2
        centre_y = rng.uniform(min(radius_y * 0.6, bottom_limit), max(radius_y * 0.6, bottom_limit))
        peak = rng.uniform(0.7, 0.95)
        where = "visual_zone"
        if barcode_box is not None:
            left, top, right, bottom = barcode_box
            if top - radius_y < centre_y < bottom + radius_y:
                peak = min(peak, 0.5)
                where = "barcode"
    x0, x1 = max(0, int(centre_x - 2 * radius_x)), min(width, int(centre_x + 2 * radius_x) + 1)
    y0, y1 = max(0, int(centre_y - 2 * radius_y)), min(height, int(centre_y + 2 * radius_y) + 1)
    if x1 <= x0 or y1 <= y0:
        return where, peak
    ys, xs = np.ogrid[y0:y1, x0:x1]
    distance = ((xs - centre_x) / radius_x) ** 2 + ((ys - centre_y) / radius_y) ** 2
    alpha = (peak * np.exp(-2.5 * distance)).astype(np.float32)[..., None]
    region = page[y0:y1, x0:x1].astype(np.float32)
    page[y0:y1, x0:x1] = (region + (255.0 - region) * alpha).astype(np.uint8)
    return where, peak


def _table(rng: random.Random, width: int, height: int) -> np.ndarray:
    """A table top (wood, plain or cloth) with a few everyday objects on it."""
    colour, texture = rng.choice(TABLES)
    base = np.array(colour, np.float32) * rng.uniform(0.85, 1.15)
    # Texture at a quarter of the size (cheap), then scaled up.
    small_w, small_h = width // 4, height // 4
    coarse = np.array([[rng.random() for _ in range(width // 64)] for _ in range(height // 64)], np.float32)
    blotches = cv2.resize(cv2.GaussianBlur(coarse, (0, 0), 1.2), (small_w, small_h), interpolation=cv2.INTER_CUBIC)
    light = 0.9 + 0.2 * blotches
    if texture == "wood":
        direction = rng.choice((0.0, math.pi / 2)) + rng.uniform(-0.15, 0.15)
        ys, xs = np.mgrid[0:small_h, 0:small_w].astype(np.float32)
        across = xs * math.cos(direction) + ys * math.sin(direction)
        period = rng.uniform(6, 14)
        rings = 0.5 + 0.5 * np.sin((across + 18 * blotches) / period * math.tau)
        streak_count = int(math.hypot(small_w, small_h)) + 2
        streaks = np.array([rng.random() for _ in range(streak_count)], np.float32)
        streaks = np.interp(np.abs(across).ravel(), np.arange(streak_count), streaks).reshape(across.shape)
        plank = rng.uniform(90, 160)
        seams = np.exp(-((((across + plank / 2) % plank) - plank / 2) ** 2) / 0.5)
        light = light * (0.9 + 0.08 * rings**3 + 0.06 * streaks) * (1 - 0.35 * seams)
    small = np.clip(light[..., None] * base, 0, 255).astype(np.uint8)
    frame = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    if texture == "cloth":
        frame = cv2.multiply(frame, _weave(width, height), dtype=cv2.CV_8U)
    for _ in range(rng.randint(3, 7)):
        _object(frame, rng)
    return frame


@functools.cache
def _weave(width: int, height: int) -> np.ndarray:
    """A fine cloth weave as a per-pixel gain (3 channels), built once per frame size."""
    weave = (
        np.sin(np.arange(width, dtype=np.float32) * 1.3)[None, :]
        * np.sin(np.arange(height, dtype=np.float32) * 1.3)[:, None]
    )
    gain = 0.96 + 0.04 * weave
    return cv2.merge([gain, gain, gain])


def _object(frame: np.ndarray, rng: random.Random) -> None:
    height, width = frame.shape[:2]
    kind = rng.choice(("keyboard", "mug", "pen", "paper", "phone", "keys", "note", "coin", "cable"))
    cx, cy = rng.uniform(0, width), rng.uniform(0, height)
    angle = rng.uniform(0, 180)

    def box(w: float, h: float, x: float = cx, y: float = cy, turn: float = angle) -> np.ndarray:
        return cv2.boxPoints(((x, y), (w, h), turn)).astype(np.int32)

    if kind == "keyboard":
        w, h = rng.uniform(0.5, 0.9) * width, rng.uniform(0.18, 0.3) * height
        shade = rng.choice(((40, 40, 44), (215, 215, 220), (90, 90, 96)))
        key = tuple(min(255, c + 30) if c < 128 else c - 25 for c in shade)
        cv2.fillPoly(frame, [box(w, h)], shade, cv2.LINE_AA)
        rows, cols = 5, 15
        rad = math.radians(angle)
        for row in range(rows):
            for col in range(cols):
                u = (col + 0.5) / cols - 0.5
                v = (row + 0.5) / rows - 0.5
                x = cx + u * w * math.cos(rad) - v * h * math.sin(rad)
                y = cy + u * w * math.sin(rad) + v * h * math.cos(rad)
                cv2.fillPoly(frame, [box(w / cols * 0.8, h / rows * 0.75, x, y)], key, cv2.LINE_AA)
    elif kind == "mug":
        radius = int(rng.uniform(0.06, 0.1) * width)
        colour = tuple(rng.randint(40, 230) for _ in range(3))
        cv2.circle(frame, (int(cx), int(cy)), radius, colour, -1, cv2.LINE_AA)
        cv2.circle(frame, (int(cx), int(cy)), int(radius * 0.8), (60, 40, 30), -1, cv2.LINE_AA)
    elif kind == "pen":
        colour = rng.choice(((20, 30, 120), (10, 10, 10), (160, 20, 20), (230, 230, 230)))
        cv2.fillPoly(frame, [box(rng.uniform(0.2, 0.3) * width, 0.012 * width)], colour, cv2.LINE_AA)
    elif kind == "paper":
        w, h = rng.uniform(0.25, 0.45) * width, rng.uniform(0.3, 0.5) * height
        cv2.fillPoly(frame, [box(w, h)], (238, 238, 232), cv2.LINE_AA)
        rad = math.radians(angle)
        for line in range(12):
            v = (line + 1) / 14 - 0.5
            x = cx - v * h * math.sin(rad)
            y = cy + v * h * math.cos(rad)
            cv2.fillPoly(frame, [box(w * rng.uniform(0.5, 0.8), 3, x, y)], (150, 150, 160), cv2.LINE_AA)
    elif kind == "phone":
        cv2.fillPoly(frame, [box(0.1 * width, 0.2 * width)], (18, 18, 22), cv2.LINE_AA)
        cv2.fillPoly(frame, [box(0.088 * width, 0.18 * width)], (35, 45, 70), cv2.LINE_AA)
    elif kind == "note":
        colour = rng.choice(((250, 235, 110), (250, 170, 190), (160, 220, 250), (180, 240, 160)))
        side = rng.uniform(0.08, 0.12) * width
        cv2.fillPoly(frame, [box(side, side)], colour, cv2.LINE_AA)
    elif kind == "coin":
        for _ in range(rng.randint(1, 4)):
            centre = (int(cx + rng.uniform(-40, 40)), int(cy + rng.uniform(-40, 40)))
            radius = int(rng.uniform(0.012, 0.02) * width)
            cv2.circle(frame, centre, radius, rng.choice(((190, 160, 90), (170, 170, 175))), -1, cv2.LINE_AA)
            cv2.circle(frame, centre, radius, (110, 100, 80), 1, cv2.LINE_AA)
    elif kind == "cable":
        points = [(cx, cy)]
        heading = math.radians(angle)
        for _ in range(30):
            heading += rng.uniform(-0.35, 0.35)
            points.append((points[-1][0] + 40 * math.cos(heading), points[-1][1] + 40 * math.sin(heading)))
        colour = rng.choice(((20, 20, 20), (235, 235, 235)))
        cv2.polylines(frame, [np.array(points, np.int32)], False, colour, int(0.006 * width), cv2.LINE_AA)
    else:  # keys
        colour = (170, 160, 120)
        cv2.circle(frame, (int(cx), int(cy)), int(0.025 * width), colour, 4, cv2.LINE_AA)
        cv2.fillPoly(frame, [box(0.08 * width, 0.018 * width, cx + 0.05 * width, cy)], colour, cv2.LINE_AA)


def _shadow(frame: np.ndarray, quad: list[tuple[float, float]], rng: random.Random) -> None:
    """A soft shadow a little offset from the document (mask drawn at a quarter of the size)."""
    height, width = frame.shape[:2]
    offset = np.array([rng.uniform(-12, 12), rng.uniform(4, 16)])
    mask = np.zeros((height // 4, width // 4), np.float32)
    cv2.fillPoly(mask, [((np.array(quad) + offset) / 4).astype(np.int32)], 1.0, cv2.LINE_AA)
    mask = cv2.GaussianBlur(mask, (0, 0), 4)
    gain = cv2.resize(1.0 - 0.45 * mask, (width, height), interpolation=cv2.INTER_LINEAR)
    frame[:] = cv2.multiply(frame, cv2.merge([gain, gain, gain]), dtype=cv2.CV_8U)


def _gradient(frame: np.ndarray, rng: random.Random, low: float) -> np.ndarray:
    """Uneven light: brightness falls from about 1.05 to ``low`` along a random direction."""
    height, width = frame.shape[:2]
    direction = rng.uniform(0, math.tau)
    ys, xs = np.mgrid[0:height:8, 0:width:8].astype(np.float32)
    along = (xs / width - 0.5) * math.cos(direction) + (ys / height - 0.5) * math.sin(direction)
    along = (along - along.min()) / max(float(along.max() - along.min()), 1e-6)
    gain = cv2.resize(1.05 - (1.05 - low) * along**1.3, (width, height), interpolation=cv2.INTER_LINEAR)
    return cv2.multiply(frame, cv2.merge([gain, gain, gain]), dtype=cv2.CV_8U)


def _motion_kernel(length: int, direction: float) -> np.ndarray:
    kernel = np.zeros((length * 2 + 1, length * 2 + 1), np.float32)
    dx, dy = math.cos(math.radians(direction)), math.sin(math.radians(direction))
    centre = length
    for step in np.linspace(-length / 2, length / 2, length * 4):
        kernel[round(centre + step * dy), round(centre + step * dx)] = 1.0
    return kernel / kernel.sum()


def _add_noise(frame: np.ndarray, rng: random.Random, sigma: float) -> np.ndarray:
    """Luminance noise, like a phone sensor after its own processing.

    OpenCV's generator is seeded from ``rng`` (it is per thread, and much faster than numpy's).
    """
    noise = np.empty(frame.shape[:2], np.float32)
    cv2.setRNGSeed(rng.getrandbits(31))
    cv2.randn(noise, 0.0, sigma)
    return cv2.add(frame, cv2.merge([noise, noise, noise]), dtype=cv2.CV_8U)
