"""Find the MRZ in a photo and read its characters (the image half of MRZ reading).

1. Locate (``mrz_locate``): groups of 2 or 3 long, parallel, evenly spaced text lines of
   equal length are MRZ candidates.
2. Rectify: the photo is rotated so the lines are level and each line is cut out.
3. Segment: MRZ lines are fixed-pitch (30, 36 or 44 characters), so once the first and
   last glyphs are found, every character cell follows from the pitch.
4. Recognise: each cell is compared with OCR-B templates (``mrz_glyphs``). Upside-down
   captures are read both ways; the orientation with the better correlation wins.

The text then goes to ``mrz.parse_mrz``, whose check digits accept, repair or refuse it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from submissions.pipeline.mrz_glyphs import (
    ALPHABET,
    cell_aspect,
    char_scores,
    normalise_cell,
)
from submissions.pipeline.mrz_locate import LineBox, candidate_groups

LINE_LENGTHS = {3: (30,), 2: (44, 36)}
# Blobs taller than this many times the line's letter height are not glyphs.
TALLEST_GLYPH = 1.4
# A blob this many glyph spacings beyond its neighbour at a line's end is not part of the line.
STRAY_GAP = 1.8
# A window's ink-to-paper range counts as at least this share of the whole line's range.
FLAT_MIN_SPAN = 0.25


@dataclass(frozen=True, eq=False)
class MrzReading:
    lines: tuple[str, ...]  # best character per cell, no constraint
    scores: tuple[np.ndarray, ...]  # per line, (length, 37) score of each ALPHABET character
    cells: tuple[np.ndarray, ...]  # per line, (length, CELL_HEIGHT, CELL_WIDTH) glyph cells
    confidence: float  # mean score of the best character per cell, 0–1
    angle: float  # degrees the photo was turned to level the MRZ
    region: tuple[int, int, int, int]  # x, y, width, height of the MRZ in the input image

    def constrained(self, alphabets: list[list[str]]) -> tuple[str, ...]:
        """The best character per cell among those its position allows (e.g. digits only)."""
        return tuple(
            "".join(self.best_char(line, position, allowed) for position, allowed in enumerate(line_alphabets))
            for line, line_alphabets in enumerate(alphabets)
        )

    def best_char(self, line: int, position: int, allowed: str) -> str:
        row = self.scores[line][position]
        indices = [ALPHABET.index(char) for char in allowed]
        return allowed[int(np.argmax(row[indices]))]


def read_mrz_text(image: Image.Image) -> list[MrzReading]:
    """Every plausible MRZ reading in the photo, most confident first (usually one)."""
    gray = np.asarray(image.convert("L"))
    readings = []
    for group in candidate_groups(gray):
        readings.extend(_read_group(gray, group))
    return sorted(readings, key=lambda reading: -reading.confidence)


# --- 2–4. rectify, segment, recognise ----------------------------------------------------


Box = tuple[int, int, int, int]  # x, y, width, height


@dataclass(frozen=True, eq=False)
class _Line:
    """One levelled MRZ line, analysed once and then cut at every candidate length."""

    padded: np.ndarray  # contrast-stretched, with a crop-width of replicated border on each side
    margin: int  # width of that border
    glyphs: list[Box]  # blobs of ink crossing the line's middle
    tall: list[Box]  # those as tall as letters and digits (not ``<``)


def _read_group(gray: np.ndarray, group: list[LineBox]) -> list[MrzReading]:
    """The group read both ways up (and at each plausible line length): the check digits,
    not the classifier's confidence, tell which one is right."""
    angle = float(np.mean([box.angle for box in group]))
    center = tuple(np.mean([box.center for box in group], axis=0))
    rotation = cv2.getRotationMatrix2D(center, angle, 1.0)
    level = cv2.warpAffine(
        gray, rotation, (gray.shape[1], gray.shape[0]), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    crops = [_line_crop(level, rotation, box) for box in group]
    if any(crop is None for crop in crops):
        return []
    upright = [_prepared(crop) for crop in crops]
    upside_down = [_prepared(np.rot90(crop, 2)) for crop in reversed(crops)]
    readings = []
    for length in _likely_lengths(upright, LINE_LENGTHS[len(group)]):
        for lines, turned in ((upright, angle), (upside_down, angle + 180)):
            reading = _recognise(lines, length, turned, _region(group))
            if reading is not None:
                readings.append(reading)
    return readings


def _prepared(crop: np.ndarray) -> _Line:
    glyphs = _glyph_boxes(_binarise(crop))
    tallest = max((box[3] for box in glyphs), default=0)
    margin = crop.shape[1]
    padded = cv2.copyMakeBorder(_stretch(crop), 0, 0, margin, margin, cv2.BORDER_REPLICATE)
    return _Line(padded, margin, glyphs, [box for box in glyphs if box[3] >= 0.6 * tallest])


def _likely_lengths(lines: list[_Line], lengths: tuple[int, ...]) -> tuple[int, ...]:
    """The line length(s) the glyph count supports: 44 and 36 differ by eight glyphs, more
    than blur merges or speckle adds, so counting decides unless the count sits in between."""
    if len(lengths) == 1:
        return lengths
    count = float(np.median([len(line.glyphs) for line in lines]))
    nearest = sorted(lengths, key=lambda length: abs(length - count))
    if abs(abs(nearest[0] - count) - abs(nearest[1] - count)) < 2:
        return tuple(nearest)
    return (nearest[0],)


def _line_crop(level: np.ndarray, rotation: np.ndarray, box: LineBox) -> np.ndarray | None:
    cx, cy = rotation @ np.array([box.center[0], box.center[1], 1.0])
    # Generous height: the glyphs must not be cut; blobs of the neighbouring lines that come
    # in are dropped later because they do not cross this line's middle.
    half_length, half_height = box.length / 2 + box.thickness, box.thickness * 1.4
    top, bottom = int(cy - half_height), int(cy + half_height)
    left, right = int(cx - half_length), int(cx + half_length)
    crop = level[max(top, 0) : bottom, max(left, 0) : right]
    return crop if crop.size and crop.shape[0] >= 8 else None


def _region(group: list[LineBox]) -> tuple[int, int, int, int]:
    xs = [box.center[0] for box in group]
    ys = [box.center[1] for box in group]
    length = max(box.length for box in group)
    thickness = max(box.thickness for box in group)
    x0, x1 = min(xs) - length / 2, max(xs) + length / 2
    y0, y1 = min(ys) - 2 * thickness, max(ys) + 2 * thickness
    return int(x0), int(y0), int(x1 - x0), int(y1 - y0)


def _recognise(lines: list[_Line], length: int, turned: float, region: tuple[int, int, int, int]) -> MrzReading | None:
    texts, line_scores, line_cells = [], [], []
    for line in lines:
        cells = _cells(line, length)
        if cells is None:
            return None
        scores = char_scores(cells)
        texts.append("".join(ALPHABET[index] for index in scores.argmax(axis=1)))
        line_scores.append(scores)
        line_cells.append(cells)
    confidence = float(np.mean([scores.max(axis=1).mean() for scores in line_scores]))
    return MrzReading(tuple(texts), tuple(line_scores), tuple(line_cells), confidence, turned, region)


def _cells(line: _Line, length: int) -> np.ndarray | None:
    """Cut a level line into ``length`` glyph cells, following the glyphs along the line."""
    glyphs = line.glyphs
    if len(glyphs) < length // 4:
        return None
    left = min(box[0] for box in glyphs)
    right = max(box[0] + box[2] for box in glyphs)
    rough_pitch = (right - left) / (length - 0.25)
    if rough_pitch < 3:
        return None
    first = min(glyphs, key=lambda box: box[0])
    last = max(glyphs, key=lambda box: box[0] + box[2])
    first_centre = first[0] + min(first[2], 0.8 * rough_pitch) / 2
    last_centre = last[0] + last[2] - min(last[2], 0.8 * rough_pitch) / 2
    pitch = (last_centre - first_centre) / (length - 1)
    centres = _snapped_centres(glyphs, first_centre, pitch, length)
    return np.stack([_cell(line, centre, pitch) for centre in centres])


def _glyph_boxes(ink: np.ndarray) -> list[Box]:
    """(x, y, width, height) of each blob of ink that crosses the line's middle: the glyphs.

    A blob far taller than the line's tall glyphs is no glyph but a card edge or a ruled
    sheet that the line ran into; taken for the first or last glyph it would set the whole
    line's pitch wrong."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    middle = ink.shape[0] / 2
    boxes = []
    for i in range(1, count):
        x, y, width, height, area = (int(value) for value in stats[i, :5])
        if y <= middle + 0.1 * ink.shape[0] and y + height >= middle - 0.1 * ink.shape[0] and area >= 6:
            boxes.append((x, y, width, height))
    if not boxes:
        return boxes
    # Most blobs are glyphs, and at least one in ten a letter or digit even in a line of ``<``.
    glyph_height = float(np.percentile([box[3] for box in boxes], 90))
    return _without_stray_ends([box for box in boxes if box[3] <= TALLEST_GLYPH * glyph_height])


def _without_stray_ends(boxes: list[Box]) -> list[Box]:
    """The glyphs without blobs lying off either end of the line: the glyphs of an MRZ line
    follow each other a pitch apart, so a blob two pitches past the last one is the paper's
    edge or a mark beside the zone, and would stretch the pitch over the whole line."""
    ordered = sorted(boxes, key=lambda box: box[0] + box[2] / 2)
    if len(ordered) < 4:
        return ordered
    centres = np.array([box[0] + box[2] / 2 for box in ordered])
    spacing = float(np.median(np.diff(centres)))
    start, end = 0, len(ordered)
    while end - start > 2 and centres[start + 1] - centres[start] > STRAY_GAP * spacing:
        start += 1
    while end - start > 2 and centres[end - 1] - centres[end - 2] > STRAY_GAP * spacing:
        end -= 1
    return ordered[start:end]


def _snapped_centres(glyphs: list[Box], first: float, pitch: float, length: int) -> list[float]:
    """Evenly spaced centres, each moved onto the glyph found near it.

    Perspective makes the pitch drift along a line; snapping every cell to its own glyph
    keeps the cells on the characters.
    """
    glyph_x = sorted(box[0] + box[2] / 2 for box in glyphs if box[2] <= 1.1 * pitch)
    centres, drift = [], 0.0
    for index in range(length):
        expected = first + index * pitch + drift
        nearest = min(glyph_x, key=lambda x: abs(x - expected), default=None)
        if nearest is not None and abs(nearest - expected) <= 0.35 * pitch:
            drift += 0.5 * (nearest - expected)  # follow a slow drift, not one odd blob
            expected = nearest
        centres.append(expected)
    return centres


def _cell(line: _Line, centre: float, pitch: float) -> np.ndarray:
    """The glyph at ``centre`` cut like the templates: its own height (for a short ``<``,
    the band of the tall glyphs around it, which follows perspective along the line), and
    ``cell_aspect`` times that height in width."""
    own = [box for box in line.tall if abs(box[0] + box[2] / 2 - centre) <= 0.35 * pitch]
    if own:
        top, bottom = own[0][1], own[0][1] + own[0][3]
    else:
        near = [box for box in line.tall if abs(box[0] + box[2] / 2 - centre) <= 3 * pitch] or line.tall
        top = int(np.median([box[1] for box in near]))
        bottom = int(np.median([box[1] + box[3] for box in near]))
    half = (bottom - top) * cell_aspect() / 2
    left = int(round(centre - half)) + line.margin
    return normalise_cell(line.padded[top:bottom, left : left + max(1, int(round(2 * half)))])


def _binarise(crop: np.ndarray) -> np.ndarray:
    _, ink = cv2.threshold(_flattened(crop), 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    # Drop specks: glyph strokes are at least a few pixels thick.
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))


def _flattened(crop: np.ndarray) -> np.ndarray:
    """The line with its lighting evened out: each pixel is placed between the darkest ink
    and the brightest paper within about two glyph pitches of it. Glare fades the glyphs it
    covers to a light grey that one threshold for the whole line would count as paper."""
    window = cv2.getStructuringElement(cv2.MORPH_RECT, (crop.shape[0], 2 * crop.shape[0] + 1))
    ink = cv2.erode(crop, window).astype(np.float32)
    paper = cv2.dilate(crop, window).astype(np.float32)
    # Where a window holds paper only, its small range would blow noise up into ink.
    span = np.maximum(paper - ink, FLAT_MIN_SPAN * float(crop.max() - crop.min()))
    return np.clip(255.0 - (paper - crop) * (255.0 / span), 0, 255).astype(np.uint8)


def _stretch(line: np.ndarray) -> np.ndarray:
    """Contrast-stretch a line so paper is white and ink black whatever the lighting."""
    low, high = np.percentile(line, [2, 98])
    if high - low < 10:
        return np.full_like(line, 255)
    return np.clip((line.astype(np.float32) - low) * (255.0 / (high - low)), 0, 255).astype(np.uint8)
