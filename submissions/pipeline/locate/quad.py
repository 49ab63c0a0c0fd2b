"""The document's quadrilateral, ``DocumentQuad``, and the geometry of corner arrays that the
search, the refinement and the ordering of corners share."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Point = tuple[float, float]


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


def intersections(one: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Where each line (nx, ny, offset) of ``one`` crosses the line in the same row of ``other``."""
    determinant = one[:, 0] * other[:, 1] - one[:, 1] * other[:, 0]
    determinant = np.where(np.abs(determinant) < 1e-9, 1e-9, determinant)
    x = (one[:, 2] * other[:, 1] - one[:, 1] * other[:, 2]) / determinant
    y = (one[:, 0] * other[:, 2] - one[:, 2] * other[:, 0]) / determinant
    return np.stack([x, y], axis=1)


def signed_areas(corners: np.ndarray) -> np.ndarray:
    """The area of each quadrilateral, positive when its corners run clockwise in the image."""
    x, y = corners[..., 0], corners[..., 1]
    return 0.5 * np.sum(x * np.roll(y, -1, axis=-1) - np.roll(x, -1, axis=-1) * y, axis=-1)
