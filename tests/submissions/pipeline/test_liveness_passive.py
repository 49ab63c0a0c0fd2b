"""Passive liveness cues on hand-made inputs: a frame around the face, and planar motion."""

from __future__ import annotations

import math

import cv2
import numpy as np

from submissions.pipeline.liveness.landmarks import FaceObservation
from submissions.pipeline.liveness.passive import PLANAR_POINTS, THRESHOLDS, border_sides, planar_residual

BOX = (190.0, 220.0, 100.0, 130.0)  # x, y, width, height of the face


def _frame(*segments: tuple[int, int, int, int]) -> np.ndarray:
    gray = np.full((640, 480), 120, np.uint8)
    for x1, y1, x2, y2 in segments:
        cv2.line(gray, (x1, y1), (x2, y2), 20, 3)
    return gray


def test_a_bezel_around_the_face_shows_four_sides():
    gray = _frame()
    cv2.rectangle(gray, (100, 110), (380, 470), 20, 3)

    assert border_sides(gray, BOX) == 4


def test_one_straight_edge_beside_the_face_is_not_a_frame():
    # given: a door frame left of the head and a collar below the chin that stops short
    gray = _frame((120, 150, 120, 500), (225, 400, 255, 400))

    # then
    assert border_sides(gray, BOX) == 1
    assert border_sides(gray, BOX) < THRESHOLDS["border_sides"][0]


def _face(points: np.ndarray) -> FaceObservation:
    full = np.zeros((478, 3), np.float32)
    full[list(PLANAR_POINTS)] = points
    return FaceObservation(full, 0.0, 0.0, 0.0, 0.0, 0.0, (0.0, 0.0, 100.0, 100.0))


def _head(yaw: float, flat: bool) -> np.ndarray:
    rng = np.random.default_rng(0)
    points = np.column_stack([rng.uniform(-50, 50, len(PLANAR_POINTS)), rng.uniform(-60, 60, len(PLANAR_POINTS)),
                              np.zeros(len(PLANAR_POINTS)) if flat else rng.uniform(-30, 30, len(PLANAR_POINTS))])  # fmt: skip
    a = math.radians(yaw)
    turned = points @ np.array([[math.cos(a), 0, -math.sin(a)], [0, 1, 0], [math.sin(a), 0, math.cos(a)]]).T
    distance = 600.0
    projected = turned[:, :2] * distance / (distance + turned[:, 2:3]) + (240, 300)
    return np.column_stack([projected, turned[:, 2]]).astype(np.float32)


def test_a_flat_picture_turned_moves_by_a_homography():
    faces = [_face(_head(yaw, flat=True)) for yaw in (0, 10, 20, 30, 10, 0)]

    assert planar_residual(faces) < 1e-3


def test_a_head_turning_does_not():
    faces = [_face(_head(yaw, flat=False)) for yaw in (0, 10, 20, 30, 10, 0)]

    assert planar_residual(faces) > THRESHOLDS["planar_residual"][0]
