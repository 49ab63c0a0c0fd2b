"""Find faces (YuNet: box, 5 landmarks, score) and pick the one face a check may use.

``detect_faces`` runs the detector on a copy whose long side is at most ``DETECT_LONG_SIDE``
(faster, and YuNet still finds faces down to ~10 px between the eyes there) and maps the boxes
and landmarks back to the image's own pixels, so alignment and embedding use full resolution.

``single_face(image, purpose=...)`` refuses with a ``FaceRefused`` code:

* ``no_face``: the detector finds none (score ≥ ``models.DETECTION_SCORE``);
* ``several_faces``: on a selfie, a second face at least ``COMPARABLE_SIZE`` of the largest one's
  size (smaller background faces are ignored); on a document the small ghost portrait is normal,
  so the largest face is taken;
* ``face_too_small``: fewer than ``MIN_EYE_DISTANCE`` pixels between the eye centres;
* ``face_cut_off``: the face box reaches past the frame's edge (YuNet boxes are not clipped);
* ``face_blurred``: the sharpness of the aligned 112 x 112 face crop is below ``MIN_SHARPNESS``.

A covered face (mask, hand, sunglasses) is not refused: neither YuNet's score nor its five
landmarks tell it reliably (YuNet still places landmarks under a mask), and ML.md has no
occlusion model that loads offline.

Images are PIL images or uint8 arrays in RGB order (grayscale and RGBA are converted).
Plain Python: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
from PIL import Image

from submissions.pipeline.face.models import get_models

ImageLike = Image.Image | np.ndarray
Purpose = Literal["selfie", "document"]

DETECT_LONG_SIDE = 640
# Measured (see evaluate_faces; obama/obama2/obama3 scaled down): with 16 px between the eyes a
# photo still scores cosine 0.71-0.74 against another photo of the same person; at 10 px it falls
# to 0.54-0.62 while impostor scores rise. ISO 19794-5 asks 60 px for a passport photo.
MIN_EYE_DISTANCE = 16.0
# A second face this large (relative to the largest) makes a selfie ambiguous.
COMPARABLE_SIZE = 0.5
# var(Laplacian) of the aligned 112 x 112 grey crop stretched to its 2-98 % range (so dim or
# low-contrast photos are not called blurred). Measured: sharp photos 1200-5000; Gaussian blur of
# 6 % of the eye distance 23-59 (cross-photo cosine still 0.66-0.71), 9 % 12-33 (0.50-0.60),
# 12 % 9-26 (0.32-0.54); the lowest accepted make_face_set image (a blurred selfie) scores 18.
# Below 15 the face is refused. A blunt measure: a strongly textured face can pass while blurred.
MIN_SHARPNESS = 15.0
ALIGNED_SIZE = 112


class FaceRefused(ValueError):
    """The image cannot be used for a face check; ``code`` is stable, ``message`` is for the person,
    ``image`` names the image refused when a check looks at two (``compare_faces``: "a" or "b")."""

    def __init__(self, code: str, message: str, image: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.image = image


@dataclass(frozen=True)
class Face:
    box: tuple[float, float, float, float]  # x, y, width, height in the image's pixels
    # right eye, left eye, nose tip, right and left mouth corner (the person's right: image left)
    landmarks: tuple[tuple[float, float], ...]
    score: float  # YuNet's confidence, 0-1

    @property
    def size(self) -> float:
        """The box's longer side, in pixels."""
        return max(self.box[2], self.box[3])

    @property
    def eye_distance(self) -> float:
        (rx, ry), (lx, ly) = self.landmarks[0], self.landmarks[1]
        return float(np.hypot(lx - rx, ly - ry))

    def row(self) -> np.ndarray:
        """YuNet's 15-value row (box, landmarks, score), as ``alignCrop`` wants it."""
        values = [*self.box, *(v for point in self.landmarks for v in point), self.score]
        return np.asarray(values, dtype=np.float32).reshape(1, 15)

    def as_json(self) -> dict[str, Any]:
        return {
            "box": [round(v, 1) for v in self.box],
            "landmarks": [[round(x, 1), round(y, 1)] for x, y in self.landmarks],
            "score": round(self.score, 3),
            "size": round(self.size, 1),
            "eye_distance": round(self.eye_distance, 1),
        }


def to_rgb(image: ImageLike) -> np.ndarray:
    """A contiguous HxWx3 uint8 RGB array of ``image``."""
    if isinstance(image, Image.Image):
        image = np.asarray(image.convert("RGB"))
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels, got {array.dtype}")
    if array.ndim == 2:
        array = cv2.cvtColor(array, cv2.COLOR_GRAY2RGB)
    elif array.ndim == 3 and array.shape[2] == 4:
        array = array[:, :, :3]
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"expected an RGB image, got shape {array.shape}")
    return np.ascontiguousarray(array)


def detect_faces(image: ImageLike) -> list[Face]:
    """Every face YuNet finds, largest first, in ``image``'s own pixel coordinates."""
    rgb = to_rgb(image)
    height, width = rgb.shape[:2]
    scale = min(1.0, DETECT_LONG_SIDE / max(height, width))
    small = rgb
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        scale_x, scale_y = size[0] / width, size[1] / height
    else:
        scale_x = scale_y = 1.0
    bgr = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)  # YuNet was trained on BGR
    models = get_models()
    with models.lock:
        models.detector.setInputSize((bgr.shape[1], bgr.shape[0]))
        _, rows = models.detector.detect(bgr)
    if rows is None:
        return []
    faces = []
    for row in rows:
        xs, ys = row[0:14:2] / scale_x, row[1:14:2] / scale_y
        faces.append(
            Face(
                box=(float(xs[0]), float(ys[0]), float(row[2] / scale_x), float(row[3] / scale_y)),
                landmarks=tuple((float(x), float(y)) for x, y in zip(xs[2:], ys[2:], strict=True)),
                score=float(row[14]),
            )
        )
    return sorted(faces, key=lambda face: face.size, reverse=True)


def aligned_crop(image: ImageLike, face: Face) -> np.ndarray:
    """The 112 x 112 RGB crop SFace expects: eyes, nose and mouth moved to its template."""
    models = get_models()
    return models.aligner.alignCrop(to_rgb(image), face.row())


def sharpness(crop: np.ndarray) -> float:
    """var(Laplacian) of an aligned face crop stretched to its 2-98 % intensity range."""
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float32)
    low, high = np.percentile(grey, [2, 98])
    stretched = grey * np.float32(255.0 / max(float(high - low), 8.0))
    return float(cv2.Laplacian(stretched, cv2.CV_32F).var())


def single_face(image: ImageLike, *, purpose: Purpose = "selfie") -> Face:
    """The one face a check may use, or ``FaceRefused`` saying why not (codes in the module doc)."""
    if purpose not in ("selfie", "document"):
        raise ValueError(f"unknown purpose {purpose!r}")
    rgb = to_rgb(image)
    faces = detect_faces(rgb)
    where = "on the document" if purpose == "document" else "in the photo"
    if not faces:
        raise FaceRefused("no_face", f"No face was found {where}.")
    face = faces[0]
    if purpose == "selfie" and len(faces) > 1 and faces[1].size >= COMPARABLE_SIZE * face.size:
        raise FaceRefused("several_faces", f"{len(faces)} faces were found: only one person may be in the photo.")
    if face.eye_distance < MIN_EYE_DISTANCE:
        raise FaceRefused(
            "face_too_small",
            f"The face is too small ({face.eye_distance:.0f} px between the eyes, at least "
            f"{MIN_EYE_DISTANCE:.0f} needed): move closer.",
        )
    x, y, w, h = face.box
    height, width = rgb.shape[:2]
    if x < 0 or y < 0 or x + w > width or y + h > height:
        raise FaceRefused("face_cut_off", f"The face is cut off by the edge of the image {where}.")
    if sharpness(aligned_crop(rgb, face)) < MIN_SHARPNESS:
        raise FaceRefused("face_blurred", "The face is blurred: hold still and make sure it is in focus.")
    return face
