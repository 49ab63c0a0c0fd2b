"""1:1 face match: the ID portrait against the selfie.

``compare_faces(a, b)`` finds the one usable face in each image (``single_face``; ``a`` is read
as a document by default, so its small ghost portrait is ignored), embeds both and returns a
``FaceMatch``. The similarity is ``100 * clip(cosine, 0, 1)``: monotonic in the cosine, 0 for
unrelated or opposite faces, 100 for identical embeddings; ``match`` is ``similarity >=
threshold``. Plain Python: no Django.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from submissions.pipeline.face.detect import Face, FaceRefused, ImageLike, Purpose, single_face, to_rgb
from submissions.pipeline.face.embed import embed_face
from submissions.pipeline.face.models import get_models

# The measured FMR <= 0.1 % operating point (similarity 39.4 = cosine 0.394; OpenCV Zoo's own SFace
# value is 0.363), from
#   manage.py make_face_set var/faceset && manage.py evaluate_faces var/faceset
# on 136 images of 11 identities (seed 0): 751 genuine / 8160 impostor pairs, FMR 0.098 % and
# FNMR 0.67 % here (0 % on the 25 genuine pairs of two different photos); FMR 1 % is at 33.5
# (FNMR 0.27 %). The highest impostor pair scores 41.5. Re-measure when the models change.
DEFAULT_THRESHOLD = 39.4


def similarity(cosine: float) -> float:
    """The 0-100 similarity of a cosine (documented map, monotonic)."""
    return float(np.clip(cosine, 0.0, 1.0) * 100.0)


@dataclass(frozen=True)
class FaceMatch:
    similarity: float  # 0-100
    match: bool
    threshold: float  # 0-100, the one the decision used
    cosine: float
    faces: tuple[Face, Face]
    timing_ms: dict[str, float]  # detect, embed (both images), total
    # the two 128-d unit vectors, for the 1:N index: a face is embedded once per run
    embeddings: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "similarity": round(self.similarity, 1),
            "match": self.match,
            "threshold": self.threshold,
            "faces": [face.as_json() for face in self.faces],
            "timing_ms": {key: round(value, 1) for key, value in self.timing_ms.items()},
        }


def compare_faces(
    a: ImageLike,
    b: ImageLike,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    purposes: tuple[Purpose, Purpose] = ("document", "selfie"),
) -> FaceMatch:
    """Match the face in ``a`` (the ID portrait) with the face in ``b`` (the selfie). Raises
    ``FaceRefused`` (with ``image`` "a" or "b") when either image has no single usable face."""
    get_models()  # loaded once per process, outside the timing
    started = time.perf_counter()
    images, faces = [], []
    for name, image, purpose in zip(("a", "b"), (a, b), purposes, strict=True):
        rgb = to_rgb(image)
        try:
            faces.append(single_face(rgb, purpose=purpose))
        except FaceRefused as refused:
            raise FaceRefused(refused.code, refused.message, image=name) from None
        images.append(rgb)
    detected = time.perf_counter()
    first, second = (embed_face(rgb, face) for rgb, face in zip(images, faces, strict=True))
    done = time.perf_counter()
    cosine = float(first @ second)
    score = similarity(cosine)
    return FaceMatch(
        similarity=score,
        match=score >= threshold,
        threshold=threshold,
        cosine=cosine,
        faces=(faces[0], faces[1]),
        embeddings=(first, second),
        timing_ms={
            "detect": (detected - started) * 1000,
            "embed": (done - detected) * 1000,
            "total": (done - started) * 1000,
        },
    )
