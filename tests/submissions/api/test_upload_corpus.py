"""G16: a corpus of hostile uploads through POST /v3/submission. Each is refused with a 4xx in
under a second, costs nothing and stores nothing; decoding a bomb does not blow up the memory
of the process; a polyglot is accepted only as the re-encoded picture, with no tail and no EXIF."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import zipfile
import zlib

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from submissions.models import Submission, SubmissionImage
from submissions.storage import image_file_read
from tests.submissions.api.helpers import photo, stored_files

URL = "/v3/submission"


def _png_bomb(width: int, height: int) -> bytes:
    """A 1-bit PNG of zero rows: kilobytes on disk, hundreds of megapixels once decoded (E3)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    raw = zlib.compress(b"".join(b"\x00" * (1 + (width + 7) // 8) for _ in range(height)), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inner.jpg", b"\x00" * 50_000_000)
    return buffer.getvalue()


SVG = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"


def _first_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")  # the type a client claims means nothing


CORPUS = [
    ("bomb_95mp.png", lambda: _png_bomb(10_000, 9_500), 400, "too_many_pixels"),
    ("bomb_400mp.png", lambda: _png_bomb(20_000, 20_000), 400, "too_many_pixels"),
    ("truncated.jpg", lambda: _first_half(photo((1200, 900))), 400, "corrupt_image"),
    ("script.svg.jpg", lambda: SVG, 400, "unsupported_format"),
    ("bomb.zip.jpg", _zip_bomb, 400, "unsupported_format"),
    ("empty.jpg", lambda: b"", 400, None),
    ("page.html.jpg", lambda: b"<!doctype html><script>alert(1)</script>", 400, "unsupported_format"),
    ("document.pdf.jpg", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", 400, "unsupported_format"),
    ("animated.gif.jpg", lambda: b"GIF89a" + b"\x00" * 200, 400, "unsupported_format"),
    ("large.jpg", lambda: b"\xff\xd8\xff\xe0" + b"\x00" * (11 * 1024 * 1024), 413, None),
]


@pytest.mark.parametrize(("name", "make", "status", "code"), CORPUS, ids=[item[0] for item in CORPUS])
def test_each_hostile_upload_is_refused_quickly_and_leaves_nothing(api_client, project, name, make, status, code):
    # given: a warm process (the first request of a test process also pays for imports)
    data = make()
    api_client.get(URL)

    # when
    started = time.perf_counter()
    response = api_client.post(URL, {"idImage": _upload(name, data)})
    elapsed = time.perf_counter() - started

    # then
    assert response.status_code == status, response.content
    if code is not None:
        assert response.json()["errorCode"] == code
    assert elapsed < 1.0
    project.refresh_from_db()
    assert project.credits == 100
    assert not Submission.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == []


def test_a_creations_images_fit_and_a_sixth_file_part_is_refused(api_client, project):
    # given: a creation's three images (four with a proof of address), then three more file parts
    images = {name: _upload(f"{name}.jpg", photo()) for name in ("idImage", "idBackImage", "selfieImage")}
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 5
    extra = {f"file{n}": _upload(f"{n}.jpg", photo()) for n in range(3)}

    # when
    accepted = api_client.post(URL, images)
    response = api_client.post(URL, {**images, **extra})

    # then
    assert accepted.status_code == 200, accepted.content
    assert Submission.objects.count() == 1
    assert (response.status_code, response.json()) == (
        400, {"errorCode": "invalid_payload", "message": "Too many files or fields in the request."}
    )  # fmt: skip
    assert Submission.objects.count() == 1
    assert len(stored_files(settings.MEDIA_ROOT)) == 3


def test_a_polyglot_is_stored_only_as_its_re_encoded_picture(api_client, project):
    # given: a real PNG with EXIF-like text and an HTML page after its end
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "CanaryCamera"
    Image.new("RGB", (800, 600), (90, 140, 200)).save(buffer, format="PNG", exif=exif)
    polyglot = buffer.getvalue() + b"<html><script>alert(document.cookie)</script></html>"

    # when
    response = api_client.post(URL, {"idImage": _upload("id.png", polyglot)})

    # then
    assert response.status_code == 200, response.content
    stored = image_file_read(SubmissionImage.objects.get(submission_id=response.json()["submissionId"]))
    assert stored[:3] == b"\xff\xd8\xff"
    assert stored.endswith(b"\xff\xd9")
    assert b"<html" not in stored
    assert b"CanaryCamera" not in stored
    assert b"Exif\x00\x00" not in stored
    assert Image.open(io.BytesIO(stored)).getexif() == {}


_MEASURE = """
import json, resource, sys
from submissions.pipeline.intake import ImageRejected, decode_image
data = sys.stdin.buffer.read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    decode_image(data)
    outcome = "decoded"
except ImageRejected as refused:
    outcome = refused.code
print(json.dumps({"outcome": outcome, "grew_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before}))
"""


@pytest.mark.parametrize(("width", "height"), [(10_000, 9_500), (20_000, 20_000)])
def test_refusing_a_bomb_raises_the_peak_memory_by_less_than_150_mb(width, height):
    # when: decoded in a fresh process, so its peak memory is the bomb's alone
    result = subprocess.run([sys.executable, "-c", _MEASURE], input=_png_bomb(width, height), capture_output=True,
                            check=True, cwd=settings.BASE_DIR, timeout=60)  # fmt: skip

    # then
    measured = json.loads(result.stdout)
    assert measured["outcome"] == "too_many_pixels"
    assert measured["grew_kib"] < 150 * 1024
