"""The SFace embedding of one detected face: 128 floats, L2-normalised, so the cosine of two
embeddings is their dot product.

The face is aligned with ``FaceRecognizerSF.alignCrop`` and the network is run through
``cv2.dnn`` (OpenCV 5 cannot run the int8bq SFace through ``feature()``, see ``models``). SFace
wants RGB: OpenCV feeds it a BGR crop with ``swapRB=True``; our crops are RGB already, so no swap
(the same input; ML.md measured it raises the genuine minimum from 0.55 to 0.62). Plain Python.
"""

from __future__ import annotations

import cv2
import numpy as np

from submissions.pipeline.face.detect import ALIGNED_SIZE, Face, ImageLike, aligned_crop
from submissions.pipeline.face.models import get_models

EMBEDDING_SIZE = 128


def embed_crop(crop: np.ndarray) -> np.ndarray:
    """The embedding of an aligned 112 x 112 RGB face crop."""
    blob = cv2.dnn.blobFromImage(crop, 1.0, (ALIGNED_SIZE, ALIGNED_SIZE), (0, 0, 0), swapRB=False, crop=False)
    models = get_models()
    with models.lock:
        models.recogniser.setInput(blob, "data")
        vector = models.recogniser.forward().reshape(-1).astype(np.float32)
    norm = float(np.linalg.norm(vector))
    if vector.size != EMBEDDING_SIZE or not norm > 0:
        raise RuntimeError(f"SFace returned {vector.size} values with norm {norm}")
    return vector / norm


def embed_face(image: ImageLike, face: Face) -> np.ndarray:
    """128-d, L2-normalised float32 embedding of ``face`` (found by ``detect_faces`` in ``image``)."""
    return embed_crop(aligned_crop(image, face))
