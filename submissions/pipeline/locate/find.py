"""``locate_document``: the document's outline in a photo, from its edges or from an anchor."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from submissions.pipeline.locate.anchor import Anchor, anchor_quad, scaled_anchor
from submissions.pipeline.locate.candidates import candidate_quads
from submissions.pipeline.locate.edges import edge_map, strong_lines, thickened_edges
from submissions.pipeline.locate.finish import finished, refined
from submissions.pipeline.locate.quad import DocumentQuad
from submissions.pipeline.locate.scoring import best_candidate

WORK_SIZE = 640  # long side of the image the outline is searched in


def locate_document(image: Image.Image, *, anchor: Anchor | None = None) -> DocumentQuad | None:
    """The document's outline in ``image``, or None when neither its edges nor an anchor show it."""
    half, factor = _reduced(image)
    scale = WORK_SIZE / max(half.shape[:2])
    small = cv2.resize(half, (round(half.shape[1] * scale), round(half.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    smooth = cv2.GaussianBlur(small, (0, 0), 1.2)
    thin = edge_map(smooth)
    edges = thickened_edges(smooth, thin)
    candidates = candidate_quads(strong_lines(thin), edges)
    work_anchor = scaled_anchor(anchor, scale / factor) if anchor is not None else None
    best = best_candidate(candidates, edges, work_anchor)
    if best is None:
        return anchor_quad(anchor) if anchor is not None else None
    corners, score = best
    # Refined on the reduced photo: sub-pixel there is well within a pixel of the full size.
    corners = factor * refined(cv2.cvtColor(half, cv2.COLOR_RGB2GRAY), corners / scale, step=1 / scale)
    return finished(corners, min(1.0, score), "edges", anchor)


def _reduced(image: Image.Image) -> tuple[np.ndarray, int]:
    """The photo as RGB, halved when it is at least twice the working size, and the factor:
    PIL's 2x2 box reduction is the cheapest way out of PIL for a large photo."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    if max(rgb.size) >= 2 * WORK_SIZE:
        return np.asarray(rgb.reduce(2)), 2
    return np.asarray(rgb), 1
