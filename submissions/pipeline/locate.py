"""Find the identity document in a phone photo and straighten it.

``locate_document`` looks for the document's outline: straight edges are found at a working
size of ~640 px (line segments on the smoothed image), merged into lines, and every pair of
near-parallel lines crossed with a second pair makes a candidate quadrilateral. Candidates of
an identity document's proportions (cards 1.586, TD2/TD3 1.42, visas 1.42–1.5) are scored by
how much of their outline lies on an edge, and the best one is refined on the full-resolution
photo (each side re-fitted to the edge profile across it).

The MRZ, when the reader found one (an ``Anchor``), settles what edges alone cannot: which
candidate holds the zone, and which way up the document is (the MRZ is along the bottom). When
no outline is found the anchor's ICAO proportions give an approximate quad on their own.

``rectify`` warps the quad to an upright image of the document's proportions. Plain Python:
no Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image

Point = tuple[float, float]

WORK_SIZE = 640  # long side of the image the outline is searched in
# Width / height of the documents that carry an MRZ or a barcode (ISO/IEC 7810, ICAO 9303);
# perspective bends what is measured, hence the margin around them.
ID_ASPECTS = (85.6 / 54, 105 / 74, 125 / 88, 120 / 80)
ASPECT_RANGE = (1.28, 2.0)  # wider than any document: an outline missing its header is too
# How far (log ratio) a candidate's proportions may stray from a document's before its score
# falls off; a tilt of a few degrees alone changes them by ~3 %.
ASPECT_TOLERANCE = 0.06
MAX_STRETCH = 1.35  # an outline is stretched by at most this to the document's proportions
STRETCH_PENALTY = 0.6  # a side that was not seen is worth less than one that was
MIN_AREA_SHARE = 0.04  # of the photo: smaller outlines are not the document being shown
MAX_LINES = 28
MAX_CANDIDATES = 20
MAX_SIDE_SLANT = 7  # degrees between opposite sides: a tilted phone makes them converge this much  # best-covered outlines compared on their proportions
ACROSS_COSINE = math.cos(
    math.radians(25)
)  # an edge's gradient this far off a side's normal still counts  # strongest lines kept for the quadrilateral search
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


@dataclass(frozen=True)
class DocumentQuad:
    corners: tuple[Point, Point, Point, Point]  # TL, TR, BR, BL; upright when the orientation is known
    confidence: float  # 0–1
    method: str  # "edges" (outline found), "anchor" (from the MRZ alone)
    upright: bool = False  # the corners' order was set from an anchor, not guessed from the photo

    @property
    def aspect(self) -> float:
        """Width / height, the mean of opposite sides."""
        tl, tr, br, bl = (np.array(corner) for corner in self.corners)
        width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
        height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
        return float(width / max(height, 1e-6))


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


def locate_document(image: Image.Image, *, anchor: Anchor | None = None) -> DocumentQuad | None:
    """The document's outline in ``image``, or None when neither its edges nor an anchor show it."""
    half, factor = _reduced(image)
    scale = WORK_SIZE / max(half.shape[:2])
    small = cv2.resize(half, (round(half.shape[1] * scale), round(half.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    smooth = cv2.GaussianBlur(small, (0, 0), 1.2)
    thin = _edge_map(smooth)
    edges = _edges(smooth, thin)
    candidates = _candidate_quads(_strong_lines(thin), edges)
    work_anchor = _scaled_anchor(anchor, scale / factor) if anchor is not None else None
    best = _best_candidate(candidates, edges, work_anchor)
    if best is None:
        return _anchor_quad(anchor) if anchor is not None else None
    corners, score = best
    # Refined on the reduced photo: sub-pixel there is well within a pixel of the full size.
    corners = factor * _refined(cv2.cvtColor(half, cv2.COLOR_RGB2GRAY), corners / scale, step=1 / scale)
    return _finished(corners, min(1.0, score), "edges", anchor)


def _reduced(image: Image.Image) -> tuple[np.ndarray, int]:
    """The photo as RGB, halved when it is at least twice the working size, and the factor:
    PIL's 2x2 box reduction is the cheapest way out of PIL for a large photo."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    if max(rgb.size) >= 2 * WORK_SIZE:
        return np.asarray(rgb.reduce(2)), 2
    return np.asarray(rgb), 1


def rectify(image: Image.Image, quad: DocumentQuad, *, width_px: int = 1000) -> Image.Image:
    """The document cut out of ``image`` and warped flat: ``width_px`` wide, the quad's aspect."""
    height_px = max(1, round(width_px / quad.aspect))
    source = np.float32(quad.corners)
    target = np.float32([[0, 0], [width_px, 0], [width_px, height_px], [0, height_px]])
    homography = cv2.getPerspectiveTransform(source, target)
    rgb = np.asarray(image.convert("RGB"))
    flat = cv2.warpPerspective(rgb, homography, (width_px, height_px), flags=cv2.INTER_AREA)
    return Image.fromarray(flat)


# --- edges and lines ------------------------------------------------------------------------


@dataclass(frozen=True)
class Edges:
    """Edges at the working size, thickened by a pixel (an outline sampled a little off its
    edge still counts), and the gradient of each channel, looked up only where sampled."""

    mask: np.ndarray
    gx: np.ndarray  # (height, width, 3) int16
    gy: np.ndarray

    def directions(self, ys: np.ndarray, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The unit gradient at each point, of the channel that changes most there."""
        gx, gy = self.gx[ys, xs].astype(np.float32), self.gy[ys, xs].astype(np.float32)
        strongest = np.argmax(gx * gx + gy * gy, axis=-1)[..., None]
        gx = np.take_along_axis(gx, strongest, axis=-1)[..., 0]
        gy = np.take_along_axis(gy, strongest, axis=-1)[..., 0]
        magnitude = np.maximum(np.sqrt(gx * gx + gy * gy), 1e-6)
        return gx / magnitude, gy / magnitude


def _edges(smooth: np.ndarray, thin: np.ndarray) -> Edges:
    gx = cv2.Sobel(smooth, cv2.CV_16S, 1, 0, ksize=3)
    gy = cv2.Sobel(smooth, cv2.CV_16S, 0, 1, ksize=3)
    return Edges(cv2.dilate(thin, np.ones((3, 3), np.uint8)), gx, gy)


def _edge_map(smooth: np.ndarray) -> np.ndarray:
    """Edges of any channel: a document can differ from the table in colour, not brightness."""
    edges = np.zeros(smooth.shape[:2], np.uint8)
    for channel in cv2.split(smooth):
        edges |= cv2.Canny(channel, 20, 50)
    return edges


def _strong_lines(edges: np.ndarray) -> np.ndarray:
    """Up to MAX_LINES lines as (nx, ny, offset, support): unit normal, n·p = offset, and the
    length of the straight edge pieces on it, strongest first.

    The pieces are the long sides of each edge curve simplified to a polygon: cheaper than a
    Hough transform, and an edge broken by clutter still adds up on one line.
    """
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    min_length = 0.04 * max(edges.shape)
    pieces = []
    for contour in contours:
        if len(contour) < 2 or cv2.arcLength(contour, False) < 2 * min_length:
            continue
        polygon = cv2.approxPolyDP(contour, 1.5, False).reshape(-1, 2).astype(np.float64)
        steps = np.diff(polygon, axis=0)
        lengths = np.hypot(steps[:, 0], steps[:, 1])
        for index in np.flatnonzero(lengths >= min_length):
            pieces.append((*polygon[index], *polygon[index + 1], lengths[index]))
    return _merged_lines(sorted(pieces, key=lambda piece: -piece[4]))


def _merged_lines(pieces: list[tuple[float, float, float, float, float]]) -> np.ndarray:
    """Pieces, longest first, gathered onto lines: parallel within ~2.5° and both ends within 3 px."""
    lines = np.zeros((0, 4))
    for x0, y0, x1, y1, length in pieces:
        nx, ny = -(y1 - y0) / length, (x1 - x0) / length
        parallel = np.abs(lines[:, 0] * nx + lines[:, 1] * ny) > 0.999
        near = (
            np.maximum(
                np.abs(lines[:, 0] * x0 + lines[:, 1] * y0 - lines[:, 2]),
                np.abs(lines[:, 0] * x1 + lines[:, 1] * y1 - lines[:, 2]),
            )
            < 3
        )
        same = np.flatnonzero(parallel & near)
        if len(same):
            lines[same[0], 3] += length
        else:
            lines = np.vstack([lines, [nx, ny, nx * x0 + ny * y0, length]])
    return lines[np.argsort(-lines[:, 3])][:MAX_LINES]


# --- quadrilaterals ---------------------------------------------------------------------------


def _candidate_quads(lines: np.ndarray, edges: Edges) -> list[tuple[np.ndarray, float]]:
    """Every quadrilateral two pairs of near-parallel lines make that has an ID's proportions,
    with its score: how much of its outline lies on edges."""
    height, width = edges.mask.shape
    pairs = [
        (i, j)
        for i in range(len(lines))
        for j in range(i + 1, len(lines))
        if abs(lines[i, 0] * lines[j, 0] + lines[i, 1] * lines[j, 1]) > math.cos(math.radians(MAX_SIDE_SLANT))
    ]
    if len(pairs) < 2:
        return []
    first, second = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    a, b = np.meshgrid(np.arange(len(pairs)), np.arange(len(pairs)), indexing="ij")
    a, b = a.ravel(), b.ravel()
    upper = a < b
    a, b = a[upper], b[upper]
    # The two pairs roughly at right angles (perspective allows some shear).
    cross = np.abs(np.sum(lines[first[a], :2] * lines[first[b], :2], axis=1))
    a, b = a[cross < math.sin(math.radians(25))], b[cross < math.sin(math.radians(25))]
    if not len(a):
        return []
    sides = np.stack([first[a], first[b], second[a], second[b]], axis=1)  # top-ish, left-ish, bottom, right
    corners = np.stack(
        [
            _intersections(lines[sides[:, 0]], lines[sides[:, 1]]),
            _intersections(lines[sides[:, 1]], lines[sides[:, 2]]),
            _intersections(lines[sides[:, 2]], lines[sides[:, 3]]),
            _intersections(lines[sides[:, 3]], lines[sides[:, 0]]),
        ],
        axis=1,
    )  # (n, 4, 2): the corners in order round the quad
    plausible = _plausible(corners, width, height)
    corners = corners[plausible]
    if not len(corners):
        return []
    hits = _outline_coverage(corners, edges)
    score = _quad_scores(hits, np.abs(_signed_areas(corners)) / (width * height))
    coverage = hits.mean(axis=2).min(axis=1)
    return [(corners[i], float(score[i])) for i in np.argsort(-score)[:MAX_CANDIDATES] if coverage[i] > 0.35]


def _intersections(one: np.ndarray, other: np.ndarray) -> np.ndarray:
    determinant = one[:, 0] * other[:, 1] - one[:, 1] * other[:, 0]
    determinant = np.where(np.abs(determinant) < 1e-9, 1e-9, determinant)
    x = (one[:, 2] * other[:, 1] - one[:, 1] * other[:, 2]) / determinant
    y = (one[:, 0] * other[:, 2] - one[:, 2] * other[:, 0]) / determinant
    return np.stack([x, y], axis=1)


def _signed_areas(corners: np.ndarray) -> np.ndarray:
    x, y = corners[..., 0], corners[..., 1]
    return 0.5 * np.sum(x * np.roll(y, -1, axis=-1) - np.roll(x, -1, axis=-1) * y, axis=-1)


def _plausible(corners: np.ndarray, width: int, height: int) -> np.ndarray:
    """Convex, inside the photo (a little overhang allowed), large enough, of ID proportions."""
    margin = 0.03 * max(width, height)
    inside = np.all(
        (corners[..., 0] > -margin)
        & (corners[..., 0] < width + margin)
        & (corners[..., 1] > -margin)
        & (corners[..., 1] < height + margin),
        axis=1,
    )
    edges = np.roll(corners, -1, axis=1) - corners
    turns = edges[:, :, 0] * np.roll(edges, -1, axis=1)[:, :, 1] - edges[:, :, 1] * np.roll(edges, -1, axis=1)[:, :, 0]
    convex = np.all(turns > 0, axis=1) | np.all(turns < 0, axis=1)
    area = np.abs(_signed_areas(corners)) >= MIN_AREA_SHARE * width * height
    lengths = np.linalg.norm(edges, axis=2)
    one, two = (lengths[:, 0] + lengths[:, 2]) / 2, (lengths[:, 1] + lengths[:, 3]) / 2
    aspect = np.maximum(one, two) / np.maximum(np.minimum(one, two), 1e-6)
    # Opposite sides of a photographed rectangle differ little in length.
    even = (np.minimum(lengths[:, 0], lengths[:, 2]) > 0.8 * np.maximum(lengths[:, 0], lengths[:, 2])) & (
        np.minimum(lengths[:, 1], lengths[:, 3]) > 0.8 * np.maximum(lengths[:, 1], lengths[:, 3])
    )
    return inside & convex & area & even & (aspect >= ASPECT_RANGE[0]) & (aspect <= ASPECT_RANGE[1])


def _outline_coverage(corners: np.ndarray, edges: Edges, samples: int = 40) -> np.ndarray:
    """(n, 4, samples): whether each point along each side (corners. 3 % left out) is on an edge
    that runs the side's way, with the contrast the side mostly has (light inside, say).

    Table grain an overshooting outline crosses or runs along fails one test or the other: it
    crosses at any angle, and its stripes are light-dark-light, not one steady step.
    """
    t = np.linspace(0.03, 0.97, samples)
    start = corners[:, :, None, :]
    end = np.roll(corners, -1, axis=1)[:, :, None, :]
    points = start + (end - start) * t[None, None, :, None]
    xs = np.clip(np.round(points[..., 0]).astype(np.int32), 0, edges.mask.shape[1] - 1)
    ys = np.clip(np.round(points[..., 1]).astype(np.int32), 0, edges.mask.shape[0] - 1)
    direction = (end - start)[:, :, 0, :]
    direction = direction / np.maximum(np.linalg.norm(direction, axis=2, keepdims=True), 1e-9)
    # Across the side: its normal (the gradient of an edge along the side points this way or back).
    nx, ny = edges.directions(ys, xs)
    across = nx * -direction[:, :, None, 1] + ny * direction[:, :, None, 0]
    on_edge = (edges.mask[ys, xs] > 0) & (np.abs(across) > ACROSS_COSINE)
    polarity = np.sign(np.sum(np.where(on_edge, across, 0.0), axis=2, keepdims=True))
    return on_edge & (across * polarity > 0)


def _quad_scores(hits: np.ndarray, area: np.ndarray) -> np.ndarray:
    """Every side mostly on its edge; among those, the larger and better-covered wins."""
    coverage = hits.mean(axis=2)
    return coverage.mean(axis=1) * np.minimum(1.0, coverage.min(axis=1) / 0.6) * area**0.25


def _best_candidate(
    candidates: list[tuple[np.ndarray, float]], edges: Edges, anchor: Anchor | None
) -> tuple[np.ndarray, float] | None:
    """The outline whose edges and proportions fit best (``anchor`` in working-size pixels):
    with an anchor, among those that hold the MRZ, the one of the page's width and aspect.

    Proportions decide between outlines that share three sides: a table seam beside a side
    makes one too wide, and a card's header that vanishes against a table of its colour makes
    the outline below it too short, so each outline is also tried stretched to each aspect.
    """
    aspects = ID_ASPECTS if anchor is None else (_page(anchor)[0] / _page(anchor)[1],)
    best, best_score = None, 0.0
    for corners, score in candidates:
        for shape, shape_score in [(corners, score), *_stretched(corners, edges, aspects)]:
            fit = _misfit(shape, aspects, anchor)
            if fit is None:
                continue
            fitted = shape_score * math.exp(-((fit / ASPECT_TOLERANCE) ** 2))
            if fitted > best_score:
                best, best_score = (shape, fitted), fitted
    return best


def _misfit(corners: np.ndarray, aspects: tuple[float, ...], anchor: Anchor | None) -> float | None:
    """How far (log ratio) the outline's aspect, and with an anchor its width, are from the
    document's; None when it does not hold the anchor's MRZ."""
    aspect = min(abs(math.log(_aspect(corners) / expected)) for expected in aspects)
    if anchor is None:
        return aspect
    if cv2.pointPolygonTest(corners.astype(np.float32).reshape(-1, 1, 2), anchor.center, False) < 0:
        return None
    return max(aspect, abs(math.log(_long_side(corners) / (_page(anchor)[0] * anchor.line_length))))


def _stretched(corners: np.ndarray, edges: Edges, aspects: tuple[float, ...]) -> list[tuple[np.ndarray, float]]:
    """The outline with one side moved outwards to reach each aspect, scored on the other
    three sides (the moved one is the side that could not be seen)."""
    lengths = np.linalg.norm(np.roll(corners, -1, axis=0) - corners, axis=1)
    long_first = lengths[0] + lengths[2] >= lengths[1] + lengths[3]
    long, short = (lengths[0] + lengths[2]) / 2, (lengths[1] + lengths[3]) / 2
    if not long_first:
        long, short = short, long
    variants, moved = [], []
    for aspect in aspects:
        for side in range(4):
            moves_long_side = (side % 2 == 0) == long_first
            factor = (long / aspect) / short if moves_long_side else (short * aspect) / long
            if not 1.03 < factor < MAX_STRETCH:
                continue
            before, first, second, after = (corners[(side + k) % 4] for k in (-1, 0, 1, 2))
            shape = corners.copy()
            shape[side] = before + factor * (first - before)
            shape[(side + 1) % 4] = after + factor * (second - after)
            variants.append(shape)
            moved.append(side)
    if not variants:
        return []
    shapes = np.array(variants)
    hits = _outline_coverage(shapes, edges)
    hits[np.arange(len(moved)), moved] = True  # unseen, so neither for nor against
    height, width = edges.mask.shape
    scores = _quad_scores(hits, np.abs(_signed_areas(shapes)) / (width * height))
    return [(shape, STRETCH_PENALTY * float(score)) for shape, score in zip(shapes, scores, strict=True)]


def _aspect(corners: np.ndarray) -> float:
    lengths = np.linalg.norm(np.roll(corners, -1, axis=0) - corners, axis=1)
    one, two = (lengths[0] + lengths[2]) / 2, (lengths[1] + lengths[3]) / 2
    return float(max(one, two) / max(min(one, two), 1e-6))


def _long_side(corners: np.ndarray) -> float:
    lengths = np.linalg.norm(np.roll(corners, -1, axis=0) - corners, axis=1)
    return float(max(lengths[0] + lengths[2], lengths[1] + lengths[3]) / 2)


def _scaled_anchor(anchor: Anchor, factor: float) -> Anchor:
    return replace(
        anchor, center=(anchor.center[0] * factor, anchor.center[1] * factor), line_length=anchor.line_length * factor
    )


def _page(anchor: Anchor) -> tuple[float, float, float]:
    return MRZ_PAGE.get((anchor.characters, anchor.visa and anchor.characters == 44), MRZ_PAGE[(44, False)])


# --- refinement and order ---------------------------------------------------------------------


def _refined(gray: np.ndarray, corners: np.ndarray, *, step: float) -> np.ndarray:
    """Corners re-fitted at full resolution: across each side, the strongest step in brightness
    near it is the edge; a line through those points (outliers dropped) replaces the side."""
    lines = []
    for index in range(4):
        start, end = corners[index], corners[(index + 1) % 4]
        line = _fitted_side(gray, start, end, reach=2.0 * step + 2)
        if line is None:
            return corners
        lines.append(line)
    lines_array = np.array(lines)
    refined = np.stack([_intersections(lines_array[[i - 1]], lines_array[[i]])[0] for i in range(4)])
    # A refinement that moves a corner far has locked onto something else: keep the search's.
    if np.max(np.linalg.norm(refined - corners, axis=1)) > 4 * step + 4:
        return corners
    return refined


def _fitted_side(gray: np.ndarray, start: np.ndarray, end: np.ndarray, *, reach: float) -> np.ndarray | None:
    direction = (end - start) / max(np.linalg.norm(end - start), 1e-6)
    normal = np.array([-direction[1], direction[0]])
    along = np.linspace(0.08, 0.92, 48)
    across = np.arange(-reach, reach + 0.5, 0.5)
    base = start + (end - start) * along[:, None]
    points = base[:, None, :] + across[None, :, None] * normal
    profiles = cv2.remap(
        gray,
        points[..., 0].astype(np.float32),
        points[..., 1].astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    ).astype(np.float32)
    profiles = cv2.GaussianBlur(profiles, (1, 0), sigmaX=1.0, sigmaY=0.01) if profiles.shape[1] > 2 else profiles
    slope = np.abs(np.diff(profiles, axis=1))
    peak = np.argmax(slope, axis=1)
    strong = slope[np.arange(len(peak)), peak] >= 2.0
    if strong.sum() < 12:
        return None
    offsets = (across[peak] + across[peak + 1]) / 2
    found = base + offsets[:, None] * normal
    found, offsets = found[strong], offsets[strong]
    kept = np.abs(offsets - np.median(offsets)) <= 1.5 + np.median(np.abs(offsets - np.median(offsets))) * 2
    if kept.sum() < 10:
        return None
    vx, vy, x0, y0 = cv2.fitLine(found[kept].astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
    nx, ny = -vy, vx
    return np.array([nx, ny, nx * x0 + ny * y0], np.float64)


def _finished(corners: np.ndarray, confidence: float, method: str, anchor: Anchor | None) -> DocumentQuad:
    corners = _clockwise(corners)
    upright = anchor is not None
    start = _bottom_start(corners, anchor) if anchor is not None else _landscape_start(corners)
    ordered = np.roll(corners, -start, axis=0)
    return DocumentQuad(
        corners=tuple((float(x), float(y)) for x, y in ordered),  # type: ignore[arg-type]
        confidence=round(float(confidence), 3),
        method=method,
        upright=upright,
    )


def _clockwise(corners: np.ndarray) -> np.ndarray:
    """Clockwise as seen in the image (y grows downwards), the order TL, TR, BR, BL has."""
    return corners if _signed_areas(corners) > 0 else corners[::-1].copy()


def _landscape_start(corners: np.ndarray) -> int:
    """Without an anchor: the document is taken as landscape and the right way up, so the top
    left is the start of the long side whose middle is highest in the photo."""
    lengths = np.linalg.norm(np.roll(corners, -1, axis=0) - corners, axis=1)
    long_first = lengths[0] + lengths[2] >= lengths[1] + lengths[3]
    tops = [0, 2] if long_first else [1, 3]
    middles = {index: (corners[index][1] + corners[(index + 1) % 4][1]) / 2 for index in tops}
    return min(tops, key=lambda index: middles[index])


def _bottom_start(corners: np.ndarray, anchor: Anchor) -> int:
    """With an anchor: the bottom is the side the MRZ runs along and is nearest to. Its position,
    not the reader's angle, decides: a reading may have the zone the wrong way up, never in the
    wrong place. The top left is the corner two steps after the bottom side's start."""
    along = _upright_axes(anchor)[0]
    distances = []
    for index in range(4):
        start, end = corners[index], corners[(index + 1) % 4]
        side = (end - start) / max(np.linalg.norm(end - start), 1e-6)
        normal = np.array([-side[1], side[0]])
        parallel = abs(float(np.dot(side, along))) > math.cos(math.radians(45))
        distance = abs(float(np.dot(np.array(anchor.center) - start, normal)))
        distances.append(distance if parallel else math.inf)
    bottom = int(np.argmin(distances))  # the side from corner ``bottom`` runs BR -> BL
    return (bottom + 2) % 4


def _upright_axes(anchor: Anchor) -> tuple[np.ndarray, np.ndarray]:
    """The document's rightward and downward directions in the photo: the photo turned by
    ``angle`` counter-clockwise is upright, so (1, 0) and (0, 1) are turned back by it."""
    theta = math.radians(anchor.angle)
    return np.array([math.cos(theta), math.sin(theta)]), np.array([-math.sin(theta), math.cos(theta)])


def _anchor_quad(anchor: Anchor) -> DocumentQuad:
    """The page the MRZ implies: its ICAO width and height, the zone centred near the bottom."""
    width_units, height_units, mrz_above_bottom = _page(anchor)
    along, down = _upright_axes(anchor)
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
