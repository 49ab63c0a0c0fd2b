"""End to end: generated specimen photos through read_document, field by field."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from pathlib import Path

import pytest
from PIL import Image

from submissions.pipeline.document import read_document
from submissions.pipeline.intake import ImageRejected
from submissions.specimens import make_specimens

TODAY = dt.date(2026, 11, 25)
KINDS = ("td3", "td1", "td2", "mrva", "mrvb", "dl_back")


@pytest.fixture(scope="module")
def clear_specimens(tmp_path_factory) -> tuple[Path, list[dict]]:
    directory = tmp_path_factory.mktemp("specimens")
    make_specimens(directory, count=12, seed=7, kinds=KINDS, conditions=("clear",), today=TODAY)
    labels = [json.loads(line) for line in (directory / "labels.jsonl").read_text().splitlines()]
    return directory, [label for label in labels if label["mrz_lines"] or label["barcode_payload_b64"]]


def test_every_clear_specimen_is_read_exactly(clear_specimens):
    directory, labels = clear_specimens
    assert {label["kind"] for label in labels} == set(KINDS)
    for label in labels:
        # when
        reading = read_document((directory / label["file"]).read_bytes(), today=TODAY)
        # then
        assert reading.fields is not None, label["file"]
        assert reading.fields.as_json() == label["fields"], label["file"]
        if label["mrz_lines"]:
            assert reading.kind == label["kind"]
            assert list(reading.mrz.lines) == label["mrz_lines"]
            assert reading.mrz.valid
        else:
            assert reading.kind == "pdf417_back"


def test_the_json_has_the_documented_shape(clear_specimens):
    directory, labels = clear_specimens
    label = next(label for label in labels if label["kind"] == "td3")
    data = read_document((directory / label["file"]).read_bytes(), today=TODAY).as_json(file=label["file"])
    assert set(data) == {
        "file",
        "kind",
        "mrz",
        "barcode",
        "visual",
        "document_quad",
        "quality",
        "warnings",
        "timing_ms",
    }
    assert set(data["visual"]) == {"fields", "checks", "lines_read", "lines_found"}
    assert {field: check["status"] for field, check in data["visual"]["checks"].items()} == {
        "surname": "match",
        "given_names": "match",
        "document_number": "match",
        "birth_date": "match",
        "expiry_date": "match",
    }
    assert len(data["document_quad"]) == 4
    assert set(data["mrz"]) >= {"lines", "valid", "repaired", "fields"}
    assert set(data["mrz"]["fields"]) == {
        "document_type",
        "issuing_country",
        "document_number",
        "surname",
        "given_names",
        "nationality",
        "birth_date",
        "sex",
        "expiry_date",
        "optional_data",
    }
    assert set(data["timing_ms"]) >= {"decode", "mrz", "locate", "visual", "quality", "total"}


def test_an_expired_document_is_flagged_with_certainty(clear_specimens):
    directory, labels = clear_specimens
    label = next(label for label in labels if label["mrz_lines"])
    expiry = dt.date.fromisoformat(label["fields"]["expiry_date"])
    # when: read a day after it expired
    reading = read_document((directory / label["file"]).read_bytes(), today=expiry + dt.timedelta(days=1))
    # then
    expired = [warning for warning in reading.warnings if warning.code == "document_expired"]
    assert [(w.confidence, w.detail) for w in expired] == [(1.0, expiry.isoformat())]


def test_a_photo_without_a_document_is_unknown():
    buffer = io.BytesIO()
    Image.new("RGB", (900, 700), (120, 140, 90)).save(buffer, "JPEG")
    reading = read_document(buffer.getvalue(), today=TODAY)
    assert (reading.kind, reading.mrz, reading.aamva, reading.fields) == ("unknown", None, None, None)
    assert "unsupported_document" in [warning.code for warning in reading.warnings]


def test_a_non_image_is_refused():
    with pytest.raises(ImageRejected) as refused:
        read_document(b"%PDF-1.7 not a photo", today=TODAY)
    assert refused.value.code == "unsupported_format"


def test_the_outline_is_in_the_photos_own_coordinates_when_the_page_was_read_turned(clear_specimens):
    directory, labels = clear_specimens
    label = next(label for label in labels if label["kind"] == "td3")
    photo = Image.open(directory / label["file"])
    # a portrait photo of the landscape page: turned clockwise, (x, y) -> (height - 1 - y, x)
    upright = photo.transpose(Image.Transpose.ROTATE_270)
    buffer = io.BytesIO()
    upright.save(buffer, "JPEG", quality=92)
    # when
    reading = read_document(buffer.getvalue(), today=TODAY, visual=False)
    # then: the same corners, in the same order (top-left of the page first)
    expected = [(photo.height - 1 - y, x) for x, y in label["document_quad"]]
    width = math.dist(expected[0], expected[1])
    assert reading.kind == "td3"
    assert (
        max(math.dist(found, want) for found, want in zip(reading.quad.corners, expected, strict=True)) < 0.03 * width
    )
