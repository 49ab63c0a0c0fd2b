"""Edges and straight lines of the photo at the working size, where the outline is searched.

Lines are gathered from the straight pieces of edge curves rather than a Hough transform, so an
edge broken by clutter still adds up on one line.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MAX_LINES = 28  # strongest lines kept for the quadrilateral search


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


def thickened_edges(smooth: np.ndarray, thin: np.ndarray) -> Edges:
    gx = cv2.Sobel(smooth, cv2.CV_16S, 1, 0, ksize=3)
    gy = cv2.Sobel(smooth, cv2.CV_16S, 0, 1, ksize=3)
    return Edges(cv2.dilate(thin, np.ones((3, 3), np.uint8)), gx, gy)


def edge_map(smooth: np.ndarray) -> np.ndarray:
    """Edges of any channel: a document can differ from the table in colour, not brightness."""
    edges = np.zeros(smooth.shape[:2], np.uint8)
    for channel in cv2.split(smooth):
        edges |= cv2.Canny(channel, 20, 50)
    return edges


def strong_lines(edges: np.ndarray) -> np.ndarray:
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
