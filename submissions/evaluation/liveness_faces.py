"""Real face photos shipped by packages, and a 3-D face puppet made from each for the liveness set.

Sources (ML.md Q4; third-party test assets, fetched into the git-ignored ``var/cache``, never
committed): the four full-face photos of the ``face_recognition`` 1.3.0 sdist (Obama ×3,
Biden), matplotlib's ``grace_hopper.jpg`` and scikit-image's astronaut when it is installed.

``Puppet`` moves a photo's face in 3-D: the FaceLandmarker's 478 landmarks with their depth
are rotated (yaw, pitch), scaled and shifted, and the photo is warped triangle by triangle from
the frontal mesh to the moved one, far triangles drawn first so that the near cheek hides the
far one. What this can represent: the geometry of a head turn, nod or approach as seen by the
landmarker (the nose moves across the face, the far cheek narrows), and a closed eye (the eye
opening inpainted with the lid skin around it, a lash line on the lower lid). What it cannot: new surfaces coming into view (the
far ear and cheek are stretched, not revealed), real eyelids, skin reflectance changing with
the angle, motion blur and rolling shutter, and the depth is the landmarker's own estimate, so
the parallax cue is measured on depth made by the model that measures it.
"""

from __future__ import annotations

import math
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from submissions.pipeline.liveness.landmarks import observe

FACE_RECOGNITION = "face_recognition==1.3.0"
FACE_RECOGNITION_PHOTOS = ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg")
FRAME_SIZE = (480, 640)  # width, height of a portrait phone frame
FACE_WIDTH = (0.38, 0.5)  # of the frame width, at rest
# The eye openings (upper lid, then lower lid back), MediaPipe mesh indices.
LEFT_EYE = (362, 398, 384, 385, 386, 387, 388, 466, 263, 249, 390, 373, 374, 380, 381, 382)
RIGHT_EYE = (33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7)


def source_photos(cache: Path) -> list[tuple[str, np.ndarray]]:
    """(name, RGB) of every source photo available, fetching the sdist once into ``cache``."""
    photos = []
    folder = cache / "face_recognition-1.3.0" / "tests" / "test_images"
    if not folder.is_dir():
        _fetch_face_recognition(cache)
    for name in FACE_RECOGNITION_PHOTOS:
        photos.append((name.removesuffix(".jpg"), _read(folder / name)))
    import matplotlib

    photos.append(("grace_hopper", _read(Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg")))
    try:
        from skimage import data

        photos.append(("astronaut", np.ascontiguousarray(data.astronaut())))
    except ImportError:
        pass
    return photos


def _fetch_face_recognition(cache: Path) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "--no-deps"]
    subprocess.run([*command, "--no-binary", ":all:", FACE_RECOGNITION, "-d", str(cache)], check=True)
    with tarfile.open(cache / "face_recognition-1.3.0.tar.gz") as archive:
        members = [m for m in archive.getmembers() if "/tests/test_images/" in m.name and m.isfile()]
        archive.extractall(cache, members=members, filter="data")


def _read(path: Path) -> np.ndarray:
    pixels = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if pixels is None:
        raise FileNotFoundError(path)
    return cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)


@dataclass(frozen=True)
class Puppet:
    image: np.ndarray  # RGB frame, the face frontal at rest
    points: np.ndarray  # (478, 3) landmarks in its pixels
    triangles: np.ndarray  # (T, 3) indices into the control points
    anchors: np.ndarray  # (A, 2) control points around the face: frame border and a ring


def make_puppet(photo: np.ndarray, rng: np.random.Generator) -> Puppet:
    """The photo cropped to a portrait frame with its face ``FACE_WIDTH`` wide, and its mesh."""
    faces = observe(photo)
    if len(faces) != 1:
        raise ValueError(f"{len(faces)} faces in the source photo")
    x, y, w, h = faces[0].box
    width, height = FRAME_SIZE
    scale = width * rng.uniform(*FACE_WIDTH) / w
    centre_x, centre_y = x + w / 2, y + h / 2
    shift = (width / 2 - centre_x * scale + rng.uniform(-20, 20), height * 0.45 - centre_y * scale)
    matrix = np.float32([[scale, 0, shift[0]], [0, scale, shift[1]]])
    image = cv2.warpAffine(photo, matrix, FRAME_SIZE, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REFLECT)
    faces = observe(image)
    if len(faces) != 1:
        raise ValueError("face lost after cropping")
    points = faces[0].points
    fx, fy, fw, fh = faces[0].box
    ring = [(fx + fw / 2 + 0.85 * fw * math.cos(a), fy + fh / 2 + 0.8 * fh * math.sin(a)) for a in _angles(16)]
    border = [(u * (width - 1), v * (height - 1)) for u, v in _border_grid()]
    anchors = np.float32(ring + border)
    triangles = _triangulate(np.vstack([points[:, :2], anchors]), (width, height))
    return Puppet(image, points, triangles, anchors)


def _angles(count: int) -> list[float]:
    return [2 * math.pi * k / count for k in range(count)]


def _border_grid() -> list[tuple[float, float]]:
    steps = (0.0, 0.25, 0.5, 0.75, 1.0)
    return [(u, v) for u in steps for v in steps if u in (0.0, 1.0) or v in (0.0, 1.0)]


def _triangulate(points: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    subdiv = cv2.Subdiv2D((-1, -1, size[0] + 2, size[1] + 2))
    index = {}
    for number, (px, py) in enumerate(points):
        px, py = float(np.clip(px, 0, size[0] - 1)), float(np.clip(py, 0, size[1] - 1))
        index.setdefault((round(px, 2), round(py, 2)), number)
        subdiv.insert((px, py))
    triangles = []
    for tx1, ty1, tx2, ty2, tx3, ty3 in subdiv.getTriangleList():
        corners = [index.get((round(float(a), 2), round(float(b), 2))) for a, b in ((tx1, ty1), (tx2, ty2), (tx3, ty3))]
        if None not in corners:
            triangles.append(corners)
    return np.int32(triangles)


def pose(puppet: Puppet, *, yaw: float = 0.0, pitch: float = 0.0, scale: float = 1.0,
         shift: tuple[float, float] = (0.0, 0.0), closed: float = 0.0) -> np.ndarray:  # fmt: skip
    """The puppet's frame with its head turned ``yaw`` degrees to its own left (nose towards
    image right), ``pitch`` degrees down, ``scale`` times nearer, shifted, eyes ``closed`` 0–1."""
    points = puppet.points.copy()
    centre = points.mean(axis=0)
    local = points - centre
    a, b = math.radians(yaw), math.radians(pitch)
    # Depth grows away from the camera, so a nose (smaller z) turning left moves to +x.
    turn = np.float32([[math.cos(a), 0, -math.sin(a)], [0, 1, 0], [math.sin(a), 0, math.cos(a)]])
    nod = np.float32([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
    moved = local @ (nod @ turn).T * scale + centre + np.float32([*shift, 0])
    head_shift = (moved[:, :2].mean(axis=0) - points[:, :2].mean(axis=0)) * 0.7
    ring = puppet.anchors[:16] + head_shift + (puppet.anchors[:16] - centre[:2]) * (scale - 1)
    source = np.vstack([puppet.points[:, :2], puppet.anchors])
    target = np.vstack([moved[:, :2], ring, puppet.anchors[16:]])
    depth = np.concatenate([moved[:, 2], np.full(len(puppet.anchors), moved[:, 2].max() + 1)])
    image = puppet.image if closed <= 0 else _closed_eyes(puppet, closed)
    return warp(image, source, target, puppet.triangles, depth)


def warp(image: np.ndarray, source: np.ndarray, target: np.ndarray, triangles: np.ndarray,
         depth: np.ndarray) -> np.ndarray:  # fmt: skip
    """Piecewise-affine warp of ``image`` taking ``source`` points to ``target``; triangles
    are painted far (large depth) to near so that the nearest wins."""
    height, width = image.shape[:2]
    labels = np.full((height, width), -1, np.int32)
    order = np.argsort(-depth[triangles].mean(axis=1))
    for number in order:
        cv2.fillConvexPoly(labels, np.round(target[triangles[number]]).astype(np.int32), int(number))
    inverse = np.zeros((len(triangles), 2, 3), np.float32)
    for number, corners in enumerate(triangles):
        inverse[number] = cv2.getAffineTransform(np.float32(target[corners]), np.float32(source[corners]))
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    safe = np.maximum(labels, 0)
    m = inverse[safe]
    map_x = m[..., 0, 0] * xs + m[..., 0, 1] * ys + m[..., 0, 2]
    map_y = m[..., 1, 0] * xs + m[..., 1, 1] * ys + m[..., 1, 2]
    map_x[labels < 0], map_y[labels < 0] = xs[labels < 0], ys[labels < 0]
    return cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def _closed_eyes(puppet: Puppet, closed: float) -> np.ndarray:
    """The eye openings filled with the surrounding lid skin (inpainted) and a dark lash line
    along the lower lid, blended in by ``closed`` 0–1. The mesh is not moved: squeezing the
    lid triangles together smeared the eye into a white slit, which the landmarker read as a
    half-open eye (eyeBlink 0.3–0.45); this painting reads 0.36–0.58 on the source photos
    (0.01–0.29 open), still below a real blink's ≈1 (see ``active.BLINK_CLOSED``)."""
    image = puppet.image.copy()
    for eye in (LEFT_EYE, RIGHT_EYE):
        outline = puppet.points[list(eye), :2]
        height = float(np.ptp(outline[:, 1])) + 2
        centre = outline.mean(axis=0)
        mask = np.zeros(image.shape[:2], np.uint8)
        cv2.fillPoly(mask, [np.round(centre + (outline - centre) * np.float32([1.15, 1.5])).astype(np.int32)], 255)
        skin = cv2.GaussianBlur(cv2.inpaint(image, mask, max(3, round(height)), cv2.INPAINT_TELEA), (0, 0), 1.0)
        blend = cv2.GaussianBlur(mask.astype(np.float32) / 255, (0, 0), 1.2)[..., None] * closed
        dark = tuple(int(v) for v in np.percentile(image[tuple(np.int32(outline[:, ::-1]).T)], 5, axis=0) * 0.4)
        image = (image * (1 - blend) + skin * blend).astype(np.uint8)
        if closed >= 0.5:
            lash = np.vstack([outline[:1], outline[9:][::-1], outline[8:9]]) - np.float32([0, height * 0.15])
            cv2.polylines(image, [np.round(lash).astype(np.int32)], False, dark, max(2, round(height / 4)), cv2.LINE_AA)
    return image
