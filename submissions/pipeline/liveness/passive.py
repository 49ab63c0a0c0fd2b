"""Passive liveness: presentation-attack cues in single frames, and parallax across frames.

No trained presentation-attack model loads offline here (ML.md Q5), so these are measured
heuristics, each with a threshold set on the synthetic evaluation set (``manage.py
evaluate_liveness``). They can refuse a capture, never vouch for one on their own.

* ``pixel_grid_db``: a screen's subpixel grid or a print's halftone screen, as a sharp peak
  in the face's spectrum (``capture_cues.grid_peak``, the documents' screen cue), measured on
  up to ``GRID_FRAMES`` frames spread over the capture (moiré comes and goes as the picture
  moves against the camera's pixels) and summarised by its ``GRID_PERCENTILE``.
* ``black_level``: the darkest skin, eyes and hair of a real face are near black in a
  normally exposed frame; a screen's glow and paper's ink density raise them.
* ``white_cast``: log(blue / red) of the brightest face pixels: a display's white point is
  bluer than skin under the usual indoor and daylight (a weak cue: cold light does it too).
* ``glare_share``: clipped-white pixels over the face: a specular sheet on glass or glossy
  paper, not the small highlights of skin.
* ``sharpness``: Laplacian variance of the face at a fixed width: re-photographed pictures
  lose fine detail.
* ``border_sides``: how many sides (left, right, above, below) of a frame around the face
  show a long straight edge that runs past the face: the bezel of a phone or monitor, or the
  edge of a sheet of paper. A closed frame (3 or 4 sides) is an attack; one straight line (a
  door, a shelf, a collar) is not.
* ``planar_residual``: the landmarks of a flat picture, however it is tilted, move from frame
  to frame by one homography; a real head turning does not (the nose stands out of the face's
  outline). The residual of the best homography from the rest frame to each turned frame, in
  inter-ocular distances (its 90th percentile over the frames); only when the head turned.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from submissions.pipeline.capture_cues import grid_peak
from submissions.pipeline.liveness.landmarks import CONTOUR, NOSE_TIP, FaceObservation
from submissions.pipeline.liveness.track import Seen, margin
from submissions.pipeline.liveness.types import Cue

FRAMES_MEASURED = 4  # the most frontal frames of a capture
GRID_FRAMES, GRID_PERCENTILE = 12, 75
FACE_WIDTH = 160  # pixels: sharpness is measured on the face at this width
# (threshold, live side above it?) per cue, chosen on the cue histograms of seed 1 of the
# synthetic set (30 sessions per kind) before seed 2 was looked at; the rates are reported on
# seed 2. Seed 1: pixel_grid_db bona fide ≤ 7.7, screens ≥ 9.7, prints ≥ 8.3; border_sides
# bona fide and replays ≤ 0.5, screens ≥ 1 (27/30 ≥ 2); planar_residual prints ≤ 0.019,
# bona fide ≥ 0.022 (the threshold sits in that narrow gap: the bona-fide depth is the
# landmarker's own estimate, see liveness_faces). black_level is kept for extreme raised
# blacks (bona fide reached 45); white_cast, glare_share and sharpness never decided.
# Held-out seed 2 (60 per kind): the two bona-fide refusals were border_sides 1.5 and
# planar_residual 0.0199; screens seen by the landmarker reached pixel_grid_db 6.9 (caught by
# border_sides), prints planar_residual 0.021 (caught by the pixel grid and the steps).
THRESHOLDS: dict[str, tuple[float, bool]] = {
    "pixel_grid_db": (8.5, False),
    "black_level": (55.0, False),
    "white_cast": (0.25, False),
    "glare_share": (0.02, False),
    "sharpness": (20.0, True),
    "border_sides": (1.5, False),  # two sides or more: a corner of a frame
    "planar_residual": (0.0205, True),
}
REACH, SIDE_LENGTH = 1.8, 0.4  # border_sides: the search box and the shortest edge, in face sizes
MIN_FRAMES_FOR_PARALLAX = 3
# Landmarks for the homography: the outline, nose ridge and tip, eye corners, mouth corners.
PLANAR_POINTS = (*CONTOUR, NOSE_TIP, 4, 5, 195, 197, 6, 33, 133, 263, 362, 61, 291, 199)


def passive_cues(seen: Sequence[Seen]) -> list[Cue]:
    with_face = [item for item in seen if item.face is not None and item.rgb is not None]
    if not with_face:
        return [Cue("face_found", 0.0, False)]
    rest = float(np.median([item.face.yaw for item in with_face]))
    frontal = sorted(with_face, key=lambda item: abs(item.face.yaw - rest))[:FRAMES_MEASURED]
    measured = [measure_frame(item.rgb, item.face) for item in frontal]
    cues = [_cue(code, float(np.median([m[code] for m in measured]))) for code in measured[0]]
    spread = with_face[:: max(1, -(-len(with_face) // GRID_FRAMES))]
    grid = [grid_db(item.rgb, item.face) for item in spread]
    cues.insert(0, _cue("pixel_grid_db", float(np.percentile(grid, GRID_PERCENTILE))))
    if len(with_face) >= MIN_FRAMES_FOR_PARALLAX:
        cues.append(_cue("planar_residual", planar_residual([item.face for item in with_face])))
    return cues


def _cue(code: str, value: float) -> Cue:
    threshold, live_above = THRESHOLDS[code]
    return Cue(code, value, value > threshold if live_above else value < threshold)


def passive_score(cues: Sequence[Cue]) -> float:
    scores = [
        margin(c.value, THRESHOLDS[c.code][0], live_above=THRESHOLDS[c.code][1]) for c in cues if c.code in THRESHOLDS
    ]
    return min(scores, default=0.0 if any(not c.passed for c in cues) else 1.0)


def grid_db(rgb: np.ndarray, face: FaceObservation) -> float:
    x, y, w, h = face.box
    return grid_peak(cv2.cvtColor(_crop(rgb, x, y, w, h, 1.3), cv2.COLOR_RGB2GRAY))


def measure_frame(rgb: np.ndarray, face: FaceObservation) -> dict[str, float]:
    """The single-frame cues but the pixel grid (``grid_db``), measured on frontal frames."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    x, y, w, h = face.box
    inner = _crop(rgb, x, y, w, h, 1.0)
    inner_gray = cv2.cvtColor(inner, cv2.COLOR_RGB2GRAY)
    return {
        "black_level": float(np.percentile(cv2.cvtColor(_crop(rgb, x, y, w, h, 1.6), cv2.COLOR_RGB2GRAY), 1)),
        "white_cast": _white_cast(inner, inner_gray),
        "glare_share": float((inner.min(axis=2) >= 245).mean()),
        "sharpness": _sharpness(inner_gray),
        "border_sides": float(border_sides(gray, face.box)),
    }


def _crop(rgb: np.ndarray, x: float, y: float, w: float, h: float, grow: float) -> np.ndarray:
    cx, cy = x + w / 2, y + h / 2
    height, width = rgb.shape[:2]
    left, right = max(0, int(cx - w * grow / 2)), min(width, int(cx + w * grow / 2))
    top, bottom = max(0, int(cy - h * grow / 2)), min(height, int(cy + h * grow / 2))
    return rgb[top:bottom, left:right]


def _white_cast(rgb: np.ndarray, gray: np.ndarray) -> float:
    bright = gray >= np.percentile(gray, 97)
    pixels = rgb[bright].astype(np.float32) + 1
    return float(np.median(np.log(pixels[:, 2] / pixels[:, 0]))) if len(pixels) else 0.0


def _sharpness(gray: np.ndarray) -> float:
    if gray.shape[1] < 8:
        return 0.0
    scaled = cv2.resize(gray, (FACE_WIDTH, max(8, round(gray.shape[0] * FACE_WIDTH / gray.shape[1]))))
    return float(cv2.Laplacian(scaled, cv2.CV_32F).var())


def border_sides(gray: np.ndarray, box: tuple[float, float, float, float]) -> int:
    """How many sides of a frame around the face (0–4) show a long straight edge: within 30°
    of the side's direction, outside the face, at most ``REACH`` face sizes from its centre,
    at least ``SIDE_LENGTH`` of the face's size long and running past the face (a vertical
    edge overlaps the face's rows, a horizontal one its columns)."""
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 40, 120)
    keep = np.zeros_like(edges)
    cv2.rectangle(keep, (int(cx - REACH * w), int(cy - REACH * h)), (int(cx + REACH * w), int(cy + REACH * h)), 255, -1)
    cv2.ellipse(keep, (int(cx), int(cy)), (int(w * 0.62), int(h * 0.62)), 0, 0, 360, 0, -1)
    lines = cv2.HoughLinesP(edges & keep, 1, np.pi / 180, 40, minLineLength=int(min(w, h) * SIDE_LENGTH), maxLineGap=4)
    sides: set[str] = set()
    for x1, y1, x2, y2 in lines.reshape(-1, 4) if lines is not None else ():
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        if abs(y2 - y1) > 1.7 * abs(x2 - x1) and min(y1, y2) < cy + h / 4 and max(y1, y2) > cy - h / 4:
            if mx < x:
                sides.add("left")
            elif mx > x + w:
                sides.add("right")
        elif abs(x2 - x1) > 1.7 * abs(y2 - y1) and min(x1, x2) < cx - w / 4 and max(x1, x2) > cx + w / 4:
            if my < y:
                sides.add("above")
            elif my > y + h:
                sides.add("below")
    return len(sides)


def planar_residual(faces: Sequence[FaceObservation]) -> float:
    """The 90th percentile over the frames of the RMS residual of the least-squares homography
    from the most frontal frame's landmarks to the frame's, in inter-ocular distances."""
    rest = min(faces, key=lambda face: abs(face.yaw - float(np.median([f.yaw for f in faces]))))
    source = rest.points[list(PLANAR_POINTS), :2].astype(np.float64)
    residuals = []
    for face in faces:
        target = face.points[list(PLANAR_POINTS), :2].astype(np.float64)
        matrix, _ = cv2.findHomography(source, target, 0)
        if matrix is None:
            continue
        mapped = cv2.perspectiveTransform(source[None], matrix)[0]
        rms = float(np.sqrt(np.mean(np.sum((mapped - target) ** 2, axis=1))))
        residuals.append(rms / max(face.eye_distance, 1e-6))
    return float(np.percentile(residuals, 90)) if residuals else 0.0
