"""Images for the submission tests: plain generated photos, and a passport specimen whose
portrait is a real face photo with a selfie of the same man (face_recognition's test images)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image

from submissions.evaluation.face_set import portrait_source
from submissions.specimens import make_specimens
from tests.submissions.pipeline.face_photos import fetch_face_photos

SPECIMEN_SEED = 7  # a TD3 passport: EST, born 1996-02-17, expires 2028-10-08, clear capture
SELFIE = "obama3.jpg"  # another photo of the man whose photo is the passport's portrait
# The specimen's ``data`` in GET /v3/submission, but for ``idcard_expireDate``: the expiry is
# drawn relative to the day the specimen is generated (2028-10-08 from 2026-11-26).
PASSPORT_DATA = {
    "age_group": "adult",
    "first_name": "TOMAS",
    "last_name": "HORVATH",
    "full_name": "HORVATH TOMAS",
    "gender": "male",
    "nationality": "EST",
    "date_of_birth": "1996-02-17",
    "idcard_issuingCountry": "EST",
    "idType": "passport",
    "documentNumber": "145454284",
}


def photo(size: tuple[int, int] = (640, 480), fmt: str = "JPEG", color: tuple[int, int, int] = (90, 140, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class PassportCase:
    front: bytes
    selfie: bytes
    birth_date: dt.date
    expiry_date: dt.date


@lru_cache(maxsize=1)
def passport_case() -> PassportCase:
    """Made once per test session (about a second)."""
    faces = fetch_face_photos()
    work = Path(tempfile.mkdtemp(prefix="idcheck-passport-"))
    portraits = work / "faces"
    portraits.mkdir()
    shutil.copy(portrait_source(faces / "obama.jpg", work, "obama"), portraits / "obama.png")
    make_specimens(work / "out", count=1, seed=SPECIMEN_SEED, kinds=["td3"], conditions=["clear"], faces_dir=portraits)
    front = next((work / "out").glob("*.jpg")).read_bytes()
    return PassportCase(
        front=front,
        selfie=(faces / SELFIE).read_bytes(),
        birth_date=dt.date(1996, 2, 17),
        expiry_date=dt.date(2028, 10, 8),
    )


def stored_files(media_root: str | Path) -> list[Path]:
    root = Path(media_root)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []
