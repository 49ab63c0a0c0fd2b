"""The chosen outline made final: each side re-fitted to the edge on the full-resolution photo,
and the corners put in the order TL, TR, BR, BL (upright when an anchor says which way up)."""

from __future__ import annotations

import math

import cv2
import numpy as np

from submissions.pipeline.locate.anchor import Anchor, upright_axes
from submissions.pipeline.locate.quad import DocumentQuad, intersections, signed_areas


def refined(gray: np.ndarray, corners: np.ndarray, *, step: float) -> np.ndarray:
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
    fitted = np.stack([intersections(lines_array[[i - 1]], lines_array[[i]])[0] for i in range(4)])
    # A refinement that moves a corner far has locked onto something else: keep the search's.
    if np.max(np.linalg.norm(fitted - corners, axis=1)) > 4 * step + 4:
        return corners
    return fitted


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


def finished(corners: np.ndarray, confidence: float, method: str, anchor: Anchor | None) -> DocumentQuad:
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
    return corners if signed_areas(corners) > 0 else corners[::-1].copy()


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
    along = upright_axes(anchor)[0]
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
