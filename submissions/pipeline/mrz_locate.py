"""Find the lines of a machine-readable zone in a photo (the first step of ``mrz_reader``).

Dark-on-light text is isolated by a black-hat filter, characters are merged into lines by a
horizontal closing, and groups of 2 or 3 long, parallel, evenly spaced lines of equal length
are MRZ candidates (any rotation up to ±45°; the caller retries at 90° for portrait photos of
landscape documents).

A line that touches something beside it (the paper under the document, a cable, the card's
edge) merges with it into one shapeless blob that is no line at all; its partner lines are
still clean, so the missing line is looked for in the mask itself, parallel to them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

DETECT_WIDTH = 1200


@dataclass(frozen=True)
class LineBox:
    center: tuple[float, float]
    length: float
    thickness: float
    angle: float  # degrees, the line's direction in (-90, 90]


def candidate_groups(gray: np.ndarray) -> list[list[LineBox]]:
    """Groups of 3 or 2 stacked MRZ-like lines, in the photo's own pixels."""
    factor = DETECT_WIDTH / gray.shape[1]
    small = cv2.resize(gray, (DETECT_WIDTH, round(gray.shape[0] * factor)), interpolation=cv2.INTER_AREA)
    mask = _line_mask(small)
    boxes = _line_boxes(mask)
    groups = _group_lines(boxes)
    grouped = {id(box) for group in groups for box in group}
    loners = [box for box in boxes if id(box) not in grouped]
    partners = _merged_partners(mask, loners)
    if partners:
        groups += _group_lines(loners + partners)
    return [[_scaled(box, 1 / factor) for box in group] for group in groups]


def _line_mask(small: np.ndarray) -> np.ndarray:
    blackhat = cv2.morphologyEx(small, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 7)))
    _, ink = cv2.threshold(blackhat, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    # Merge the glyphs of a line (spaced up to a pitch apart, ``<`` runs included) but not
    # neighbouring lines (≈ 0.8 em apart vertically, which a 1-px-high kernel never bridges).
    lines = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (25, 1)))
    return cv2.morphologyEx(lines, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3)))


def _line_boxes(mask: np.ndarray) -> list[LineBox]:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    boxes = []
    for contour in contours:
        (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
        length, thickness = max(w, h), min(w, h)
        if thickness < 4 or length < 12 * thickness or length < mask.shape[1] * 0.15:
            continue
        direction = angle if w >= h else angle - 90
        boxes.append(LineBox((cx, cy), length, thickness, _fold(direction)))
    return boxes


def _fold(angle: float) -> float:
    while angle <= -90:
        angle += 180
    while angle > 90:
        angle -= 180
    return angle


def _scaled(box: LineBox, factor: float) -> LineBox:
    return LineBox(
        (box.center[0] * factor, box.center[1] * factor), box.length * factor, box.thickness * factor, box.angle
    )


def _axes(box: LineBox) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors along the line and across it (towards the next line down)."""
    theta = np.deg2rad(box.angle)
    return np.array([np.cos(theta), np.sin(theta)]), np.array([-np.sin(theta), np.cos(theta)])


# --- grouping ------------------------------------------------------------------------------


def _group_lines(boxes: list[LineBox]) -> list[list[LineBox]]:
    """Sets of 3 then 2 parallel lines of equal length, stacked at a steady spacing."""
    groups: list[list[LineBox]] = []
    used: set[int] = set()
    for size in (3, 2):
        for index, first in enumerate(boxes):
            if index in used:
                continue
            members = [i for i, other in enumerate(boxes) if i not in used and _same_line_family(first, other)]
            stack = _stacked_run(boxes, members, size)
            if stack:
                used.update(stack)
                groups.append([boxes[i] for i in stack])
    return groups


def _same_line_family(a: LineBox, b: LineBox) -> bool:
    angle_gap = abs(_fold(a.angle - b.angle))
    return angle_gap < 3 and abs(a.length - b.length) < 0.12 * max(a.length, b.length)


def _stacked_run(boxes: list[LineBox], members: list[int], size: int) -> list[int] | None:
    """``size`` members one above the other, each gap 1.2–2.8 line thicknesses."""
    if len(members) < size:
        return None
    along, normal = _axes(boxes[members[0]])
    ordered = sorted(members, key=lambda i: float(np.dot(boxes[i].center, normal)))
    for start in range(len(ordered) - size + 1):
        run = ordered[start : start + size]
        if _evenly_stacked([boxes[i] for i in run], normal, along):
            return run
    return None


def _evenly_stacked(run: list[LineBox], normal: np.ndarray, along: np.ndarray) -> bool:
    thickness = float(np.median([box.thickness for box in run]))
    for upper, lower in zip(run, run[1:], strict=False):
        gap = float(np.dot(np.subtract(lower.center, upper.center), normal))
        shift = abs(float(np.dot(np.subtract(lower.center, upper.center), along)))
        if not 1.2 * thickness <= gap <= 2.8 * thickness or shift > 0.1 * upper.length:
            return False
    return True


# --- lines merged with their surroundings ----------------------------------------------------

# Share of a lone line's length over which a parallel band must be solid to count as a line.
PARTNER_FILL = 0.9
_PARTNER_SAMPLES = 64


def _merged_partners(mask: np.ndarray, loners: list[LineBox]) -> list[LineBox]:
    """Lines parallel to a lone line, at MRZ spacing, that the mask holds but that merged with
    something beside them into a blob the box finder rejects."""
    partners: list[LineBox] = []
    for box in loners:
        for side in (-1, 1):
            partner = _partner_on_side(mask, box, side)
            if partner is not None and not any(_same_place(partner, other) for other in loners + partners):
                partners.append(partner)
    return partners


def _partner_on_side(mask: np.ndarray, box: LineBox, side: int) -> LineBox | None:
    """The first solid band past a gap on one side of ``box``, within MRZ line spacing."""
    fill = _band_fill(mask, box, side)
    offsets = np.arange(len(fill))
    gap = np.nonzero(fill < 0.3)[0]
    if not len(gap):
        return None
    solid = (fill >= PARTNER_FILL) & (offsets > gap[0])
    if not solid.any():
        return None
    start = int(np.argmax(solid))
    end = start
    while end + 1 < len(fill) and fill[end + 1] >= PARTNER_FILL:
        end += 1
    thickness = end - start + 1
    centre_offset = side * (start + end) / 2
    if not 0.6 * box.thickness <= thickness <= 1.5 * box.thickness or abs(centre_offset) > 2.8 * box.thickness:
        return None
    _, normal = _axes(box)
    centre = np.add(box.center, centre_offset * normal)
    return LineBox((float(centre[0]), float(centre[1])), box.length, float(thickness), box.angle)


def _band_fill(mask: np.ndarray, box: LineBox, side: int) -> np.ndarray:
    """Share of set mask pixels along the line's length, at each whole-pixel offset across it
    from the line's centre out to three thicknesses on one side."""
    along, normal = _axes(box)
    offsets = np.arange(0, int(3 * box.thickness) + 1)
    positions = np.linspace(-0.45 * box.length, 0.45 * box.length, _PARTNER_SAMPLES)
    points = np.asarray(box.center) + side * offsets[:, None, None] * normal + positions[None, :, None] * along
    xs = np.clip(np.round(points[..., 0]).astype(int), 0, mask.shape[1] - 1)
    ys = np.clip(np.round(points[..., 1]).astype(int), 0, mask.shape[0] - 1)
    return (mask[ys, xs] > 0).mean(axis=1)


def _same_place(a: LineBox, b: LineBox) -> bool:
    return float(np.hypot(a.center[0] - b.center[0], a.center[1] - b.center[1])) < 0.5 * max(a.thickness, b.thickness)
