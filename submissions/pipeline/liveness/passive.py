"""Passive liveness: presentation-attack cues in single frames, and parallax across frames.

No trained presentation-attack model loads offline here (ML.md Q5), so these are measured
heuristics, each with a threshold set on the synthetic evaluation set (``manage.py
evaluate_liveness``). They can refuse a capture, never vouch for one on their own.

* ``pixel_grid_db``: a screen's subpixel grid or a print's halftone screen, as a sharp peak
  in the face's spectrum (``capture_cues.grid_peak``, the documents' screen cue).
* ``black_level``: the darkest skin, eyes and hair of a real face are near black in a
  normally exposed frame; a screen's glow and paper's ink density raise them.
* ``white_cast``: log(blue / red) of the brightest face pixels: a display's white point is
  bluer than skin under the usual indoor and daylight (a weak cue: cold light does it too).
* ``glare_share``: clipped-white pixels over the face: a specular sheet on glass or glossy
  paper, not the small highlights of skin.
* ``sharpness``: Laplacian variance of the face at a fixed width: re-photographed pictures
  lose fine detail.
* ``border_length``: the longest straight edge around the face, in face widths: the edge of a
  phone, a monitor or a sheet of paper held up.
* ``parallax``: when the head turns, the nose tip moves across the face's outline (it stands
  out of it); on a flat picture turned or moved, nose and outline move together. The range
  of the nose tip's offset from the outline's centre, in face widths; only with several frames.
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
FACE_WIDTH = 160  # pixels: sharpness is measured on the face at this width
# (threshold, live side above it?) per cue, set from the cue histograms of evaluate_liveness
# --plots on 42 synthetic sessions per kind (seed 1). On that set only pixel_grid_db and
# border_length separate bona fide from attacks; black_level is kept for extreme raised blacks
# (bona fide reached 45); white_cast, glare_share, sharpness and parallax never decided
# (parallax: tilted prints that the landmarker sees turning show as much nose shift as heads).
THRESHOLDS: dict[str, tuple[float, bool]] = {
    "pixel_grid_db": (8.5, False),
    "black_level": (55.0, False),
    "white_cast": (0.25, False),
    "glare_share": (0.02, False),
    "sharpness": (20.0, True),
    "border_length": (0.8, False),
    "parallax": (0.04, True),
}
MIN_TURN_FOR_PARALLAX = 10.0  # degrees of yaw range; below it there is no parallax to see


def passive_cues(seen: Sequence[Seen]) -> list[Cue]:
    with_face = [item for item in seen if item.face is not None and item.rgb is not None]
    if not with_face:
        return [Cue("face_found", 0.0, False)]
    rest = float(np.median([item.face.yaw for item in with_face]))
    frontal = sorted(with_face, key=lambda item: abs(item.face.yaw - rest))[:FRAMES_MEASURED]
    measured = [measure_frame(item.rgb, item.face) for item in frontal]
    cues = []
    for code in measured[0]:
        value = float(np.median([m[code] for m in measured]))
        cues.append(_cue(code, value))
    faces = [item.face for item in with_face]
    yaws = [face.yaw for face in faces]
    if len(faces) >= 3 and max(yaws) - min(yaws) >= MIN_TURN_FOR_PARALLAX:
        cues.append(_cue("parallax", parallax(faces)))
    return cues


def _cue(code: str, value: float) -> Cue:
    threshold, live_above = THRESHOLDS[code]
    return Cue(code, value, value > threshold if live_above else value < threshold)


def passive_score(cues: Sequence[Cue]) -> float:
    scores = [
        margin(c.value, THRESHOLDS[c.code][0], live_above=THRESHOLDS[c.code][1]) for c in cues if c.code in THRESHOLDS
    ]
    return min(scores, default=0.0 if any(not c.passed for c in cues) else 1.0)


def measure_frame(rgb: np.ndarray, face: FaceObservation) -> dict[str, float]:
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    x, y, w, h = face.box
    inner = _crop(rgb, x, y, w, h, 1.0)
    inner_gray = cv2.cvtColor(inner, cv2.COLOR_RGB2GRAY)
    return {
        "pixel_grid_db": grid_peak(cv2.cvtColor(_crop(rgb, x, y, w, h, 1.3), cv2.COLOR_RGB2GRAY)),
        "black_level": float(np.percentile(cv2.cvtColor(_crop(rgb, x, y, w, h, 1.6), cv2.COLOR_RGB2GRAY), 1)),
        "white_cast": _white_cast(inner, inner_gray),
        "glare_share": float((inner.min(axis=2) >= 245).mean()),
        "sharpness": _sharpness(inner_gray),
        "border_length": _border_length(gray, face.box),
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


def _border_length(gray: np.ndarray, box: tuple[float, float, float, float]) -> float:
    """The longest straight edge in a band around the face, in face widths."""
    x, y, w, h = box
    edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 40, 120)
    keep = np.zeros_like(edges)
    centre = (int(x + w / 2), int(y + h / 2))
    cv2.ellipse(keep, centre, (int(w * 1.4), int(h * 1.4)), 0, 0, 360, 255, -1)
    cv2.ellipse(keep, centre, (int(w * 0.62), int(h * 0.62)), 0, 0, 360, 0, -1)
    lines = cv2.HoughLinesP(edges & keep, 1, np.pi / 180, 40, minLineLength=int(w * 0.4), maxLineGap=4)
    if lines is None:
        return 0.0
    ends = lines.reshape(-1, 4).astype(np.float32)
    lengths = np.hypot(ends[:, 2] - ends[:, 0], ends[:, 3] - ends[:, 1])
    return float(lengths.max() / max(w, 1.0))


def parallax(faces: Sequence[FaceObservation]) -> float:
    """The 5–95 % range of the nose tip's horizontal offset from the outline's centre, in
    outline widths, over the frames."""
    offsets = []
    for face in faces:
        outline = face.points[list(CONTOUR), :2]
        width = float(np.ptp(outline[:, 0])) or 1.0
        offsets.append((face.points[NOSE_TIP, 0] - outline[:, 0].mean()) / width)
    return float(np.percentile(offsets, 95) - np.percentile(offsets, 5))
