"""The MRZ as an anchor for the document's outline.

When the MRZ reader found the zone, its position and line length settle which outline holds
it and which way up the document is; on its own it gives the page's ICAO proportions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from submissions.pipeline.locate.quad import DocumentQuad, Point

# MRZ line length (44, 36 or 30 characters of 2.54 mm) -> (document width, document height)
# in MRZ line lengths, and the MRZ's centre above the bottom edge in the same unit.
MRZ_PAGE = {
    (44, False): (125 / 111.76, 88 / 111.76, 9.9 / 111.76),  # TD3 passport page
    (44, True): (120 / 111.76, 80 / 111.76, 9.9 / 111.76),  # MRV-A visa
    (36, False): (105 / 91.44, 74 / 91.44, 8.7 / 91.44),  # TD2 card, MRV-B visa
    (30, False): (85.6 / 76.2, 54 / 76.2, 9.3 / 76.2),  # TD1 card (three lines)
}


@dataclass(frozen=True)
class Anchor:
    """Where the MRZ reader found the zone, in the coordinates of the image being searched."""

    center: Point
    angle: float  # degrees the image is turned (counter-clockwise) to make the MRZ level and upright
    line_length: float  # pixels along one MRZ line
    characters: int  # per line: 44, 36 or 30
    visa: bool = False  # a "V" document: MRV-A pages are narrower than TD3 pages for 44 characters


def anchor_from_reading(reading: object) -> Anchor:
    """An ``Anchor`` from a ``mrz_reader.MrzReading`` (its ``region``, ``angle`` and ``lines``).

    The region is axis-aligned: the line length is its extent along the MRZ direction, less
    what the stacked lines add across it.
    """
    x, y, width, height = reading.region  # type: ignore[attr-defined]
    angle = float(reading.angle)  # type: ignore[attr-defined]
    lines: tuple[str, ...] = reading.lines  # type: ignore[attr-defined]
    theta = math.radians(angle)
    cos, sin = abs(math.cos(theta)), abs(math.sin(theta))
    # width ≈ L·cos + T·sin and height ≈ L·sin + T·cos, for the zone's length L and depth T.
    if abs(cos * cos - sin * sin) > 0.2:
        length = (width * cos - height * sin) / (cos * cos - sin * sin)
    else:
        length = max(width, height)
    return Anchor(
        center=(x + width / 2, y + height / 2),
        angle=angle,
        line_length=max(float(length), 1.0),
        characters=len(lines[0]),
        visa=lines[0][:1] == "V",
    )


def scaled_anchor(anchor: Anchor, factor: float) -> Anchor:
    """The anchor in an image ``factor`` times the size of the one it was found in."""
    return replace(
        anchor, center=(anchor.center[0] * factor, anchor.center[1] * factor), line_length=anchor.line_length * factor
    )


def page(anchor: Anchor) -> tuple[float, float, float]:
    """The ``MRZ_PAGE`` entry of the anchor's document (a TD3 page for an unknown length)."""
    return MRZ_PAGE.get((anchor.characters, anchor.visa and anchor.characters == 44), MRZ_PAGE[(44, False)])


def upright_axes(anchor: Anchor) -> tuple[np.ndarray, np.ndarray]:
    """The document's rightward and downward directions in the photo: the photo turned by
    ``angle`` counter-clockwise is upright, so (1, 0) and (0, 1) are turned back by it."""
    theta = math.radians(anchor.angle)
    return np.array([math.cos(theta), math.sin(theta)]), np.array([-math.sin(theta), math.cos(theta)])


def anchor_quad(anchor: Anchor) -> DocumentQuad:
    """The page the MRZ implies: its ICAO width and height, the zone centred near the bottom."""
    width_units, height_units, mrz_above_bottom = page(anchor)
    along, down = upright_axes(anchor)
    length = anchor.line_length
    bottom_middle = np.array(anchor.center) + down * mrz_above_bottom * length
    half_width = along * width_units * length / 2
    up = -down * height_units * length
    corners = np.array(
        [
            bottom_middle - half_width + up,
            bottom_middle + half_width + up,
            bottom_middle + half_width,
            bottom_middle - half_width,
        ]
    )
    return DocumentQuad(
        corners=tuple((float(x), float(y)) for x, y in corners),  # type: ignore[arg-type]
        confidence=0.3,
        method="anchor",
        upright=True,
    )
