"""How well an outline fits: its sides on edges, its proportions a document's, and with an
anchor its width the MRZ's page and the zone inside it. ``best_candidate`` picks the outline."""

from __future__ import annotations

import math

import cv2
import numpy as np

from submissions.pipeline.locate.anchor import Anchor, page
from submissions.pipeline.locate.edges import Edges
from submissions.pipeline.locate.quad import signed_areas

# Width / height of the documents that carry an MRZ or a barcode (ISO/IEC 7810, ICAO 9303);
# perspective bends what is measured, hence the margin around them.
ID_ASPECTS = (85.6 / 54, 105 / 74, 125 / 88, 120 / 80)
# How far (log ratio) a candidate's proportions may stray from a document's before its score
# falls off; a tilt of a few degrees alone changes them by ~3 %.
ASPECT_TOLERANCE = 0.06
MAX_STRETCH = 1.35  # an outline is stretched by at most this to the document's proportions
STRETCH_PENALTY = 0.6  # a side that was not seen is worth less than one that was
# An edge's gradient this far off a side's normal still counts.
ACROSS_COSINE = math.cos(math.radians(25))


def outline_coverage(corners: np.ndarray, edges: Edges, samples: int = 40) -> np.ndarray:
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


def quad_scores(hits: np.ndarray, area: np.ndarray) -> np.ndarray:
    """Every side mostly on its edge; among those, the larger and better-covered wins."""
    coverage = hits.mean(axis=2)
    return coverage.mean(axis=1) * np.minimum(1.0, coverage.min(axis=1) / 0.6) * area**0.25


def best_candidate(
    candidates: list[tuple[np.ndarray, float]], edges: Edges, anchor: Anchor | None
) -> tuple[np.ndarray, float] | None:
    """The outline whose edges and proportions fit best (``anchor`` in working-size pixels):
    with an anchor, among those that hold the MRZ, the one of the page's width and aspect.

    Proportions decide between outlines that share three sides: a table seam beside a side
    makes one too wide, and a card's header that vanishes against a table of its colour makes
    the outline below it too short, so each outline is also tried stretched to each aspect.
    """
    aspects = ID_ASPECTS if anchor is None else (page(anchor)[0] / page(anchor)[1],)
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
    return max(aspect, abs(math.log(_long_side(corners) / (page(anchor)[0] * anchor.line_length))))


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
    hits = outline_coverage(shapes, edges)
    hits[np.arange(len(moved)), moved] = True  # unseen, so neither for nor against
    height, width = edges.mask.shape
    scores = quad_scores(hits, np.abs(signed_areas(shapes)) / (width * height))
    return [(shape, STRETCH_PENALTY * float(score)) for shape, score in zip(shapes, scores, strict=True)]


def _aspect(corners: np.ndarray) -> float:
    lengths = np.linalg.norm(np.roll(corners, -1, axis=0) - corners, axis=1)
    one, two = (lengths[0] + lengths[2]) / 2, (lengths[1] + lengths[3]) / 2
    return float(max(one, two) / max(min(one, two), 1e-6))


def _long_side(corners: np.ndarray) -> float:
    lengths = np.linalg.norm(np.roll(corners, -1, axis=0) - corners, axis=1)
    return float(max(lengths[0] + lengths[2], lengths[1] + lengths[3]) / 2)
