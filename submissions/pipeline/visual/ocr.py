"""Printed-text OCR for the visual zone: RapidOCR's PP-OCRv6 detector and recogniser (ONNX).

The models ship inside the ``rapidocr`` wheel, so nothing is downloaded (see ML.md, Q6). The
engine loads once per process, on first use, and is shared by threads: onnxruntime sessions
are thread-safe for inference. Detection and recognition are separate calls so a caller that
knows what it is looking for can recognise the most promising lines first and stop early.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# The detector works on a copy whose long side is at most this: 5 px/mm on a passport page,
# still enough for its 1.7 mm captions, and half the cost of 960 px (125 against 276 ms CPU).
# Crops for recognition are cut from the full-resolution image.
DETECT_LONG_SIDE = 640
RECOGNITION_BATCH = 6  # the recogniser's own batch size: a smaller call wastes a batch
# The recogniser pads every crop of a batch to the widest, and to at least this many pixels
# (at 48 px high): RapidOCR's 320 doubles the cost of the short values that matter here.
RECOGNITION_MIN_WIDTH = 160
_engine_lock = threading.Lock()


@dataclass(frozen=True)
class TextBox:
    corners: np.ndarray  # (4, 2) float32: top-left, top-right, bottom-right, bottom-left

    @property
    def height(self) -> float:
        return float(np.linalg.norm(self.corners[3] - self.corners[0]))

    @property
    def width(self) -> float:
        return float(np.linalg.norm(self.corners[1] - self.corners[0]))

    @property
    def left(self) -> float:
        return float(self.corners[:, 0].min())

    @property
    def right(self) -> float:
        return float(self.corners[:, 0].max())

    @property
    def top(self) -> float:
        return float(self.corners[:, 1].min())

    @property
    def bottom(self) -> float:
        return float(self.corners[:, 1].max())


@dataclass(frozen=True)
class TextLine:
    text: str
    score: float  # the recogniser's mean character confidence, 0–1
    box: TextBox


def detect_text(image: np.ndarray) -> list[TextBox]:
    """Boxes of the text lines in an RGB image, in its pixel coordinates."""
    engine = _engine()
    prepared, op_record = engine.preprocess_img(image[:, :, ::-1])  # RapidOCR works in BGR
    detected = engine._load_det_model()(prepared)
    if detected.boxes is None:
        return []
    ratio_h, ratio_w = op_record["preprocess"]["ratio_h"], op_record["preprocess"]["ratio_w"]
    return [TextBox(np.float32(box) / np.float32([ratio_w, ratio_h])) for box in detected.boxes]


def recognise(image: np.ndarray, boxes: Sequence[TextBox]) -> list[TextLine]:
    """The text of each box, in the boxes' order."""
    if not boxes:
        return []
    from rapidocr.ch_ppocr_rec import TextRecInput
    from rapidocr.utils.process_img import get_rotate_crop_image

    bgr = np.ascontiguousarray(image[:, :, ::-1])
    crops = [get_rotate_crop_image(bgr, box.corners.copy()) for box in boxes]
    result = _engine()._load_rec_model()(TextRecInput(img=crops))
    return [
        TextLine(str(text), float(score), box)
        for text, score, box in zip(result.txts, result.scores, boxes, strict=True)
    ]


_engine_instance = None


def _engine():  # noqa: ANN202 - rapidocr is imported lazily, its type with it
    """Built once per process: the lock makes a second thread wait for the first one's engine
    rather than load its own models."""
    global _engine_instance
    if _engine_instance is None:
        with _engine_lock:
            if _engine_instance is None:
                _engine_instance = _new_engine()
    return _engine_instance


def _new_engine():  # noqa: ANN202
    from rapidocr import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return RapidOCR(
        params={
            "Global.log_level": "error",
            "Global.use_cls": False,
            "Det.limit_type": "max",
            "Det.limit_side_len": DETECT_LONG_SIDE,
            "Rec.rec_img_shape": [3, 48, RECOGNITION_MIN_WIDTH],
        }
    )
