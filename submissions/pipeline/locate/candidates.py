"""Candidate outlines: every quadrilateral two pairs of near-parallel lines make that could be
an identity document, each scored on how much of its outline lies on an edge."""

from __future__ import annotations

import math

import numpy as np

from submissions.pipeline.locate.edges import Edges
from submissions.pipeline.locate.quad import intersections, signed_areas
from submissions.pipeline.locate.scoring import outline_coverage, quad_scores

ASPECT_RANGE = (1.28, 2.0)  # wider than any document: an outline missing its header is too
MIN_AREA_SHARE = 0.04  # of the photo: smaller outlines are not the document being shown
MAX_CANDIDATES = 20  # best-covered outlines compared on their proportions
MAX_SIDE_SLANT = 7  # degrees between opposite sides: a tilted phone makes them converge this much


def candidate_quads(lines: np.ndarray, edges: Edges) -> list[tuple[np.ndarray, float]]:
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
            intersections(lines[sides[:, 0]], lines[sides[:, 1]]),
            intersections(lines[sides[:, 1]], lines[sides[:, 2]]),
            intersections(lines[sides[:, 2]], lines[sides[:, 3]]),
            intersections(lines[sides[:, 3]], lines[sides[:, 0]]),
        ],
        axis=1,
    )  # (n, 4, 2): the corners in order round the quad
    plausible = _plausible(corners, width, height)
    corners = corners[plausible]
    if not len(corners):
        return []
    hits = outline_coverage(corners, edges)
    score = quad_scores(hits, np.abs(signed_areas(corners)) / (width * height))
    coverage = hits.mean(axis=2).min(axis=1)
    return [(corners[i], float(score[i])) for i in np.argsort(-score)[:MAX_CANDIDATES] if coverage[i] > 0.35]


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
    area = np.abs(signed_areas(corners)) >= MIN_AREA_SHARE * width * height
    lengths = np.linalg.norm(edges, axis=2)
    one, two = (lengths[:, 0] + lengths[:, 2]) / 2, (lengths[:, 1] + lengths[:, 3]) / 2
    aspect = np.maximum(one, two) / np.maximum(np.minimum(one, two), 1e-6)
    # Opposite sides of a photographed rectangle differ little in length.
    even = (np.minimum(lengths[:, 0], lengths[:, 2]) > 0.8 * np.maximum(lengths[:, 0], lengths[:, 2])) & (
        np.minimum(lengths[:, 1], lengths[:, 3]) > 0.8 * np.maximum(lengths[:, 1], lengths[:, 3])
    )
    return inside & convex & area & even & (aspect >= ASPECT_RANGE[0]) & (aspect <= ASPECT_RANGE[1])
