"""make_specimens: labelled synthetic documents whose labels are exactly what a correct reader returns."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from django.core.management import CommandError, call_command
from PIL import Image

from submissions.pipeline.aamva import parse_aamva
from submissions.pipeline.mrz import parse_mrz
from submissions.specimens import compose_document, plan
from submissions.specimens.identities import random_identity
from submissions.specimens.mrz_text import DOCUMENT_CODES, NAME_ROOM, OPTIONAL_ROOM, build_mrz

TODAY = dt.date(2026, 11, 25)
SEED = 5
COUNT = 12  # every kind twice, once per condition


def _make(outdir: Path, *args: str) -> str:
    stdout = io.StringIO()
    call_command("make_specimens", str(outdir), "--today", TODAY.isoformat(), *args, stdout=stdout)
    return stdout.getvalue()


def _labels(outdir: Path) -> list[dict]:
    return [json.loads(line) for line in (outdir / "labels.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, list[dict], str]:
    outdir = tmp_path_factory.mktemp("specimens")
    output = _make(outdir, "--count", str(COUNT), "--seed", str(SEED))
    return outdir, _labels(outdir), output


def test_it_writes_every_kind_in_both_conditions_with_one_label_per_image(generated):
    # given
    outdir, labels, output = generated

    # then: 12 documents, and the TD1 and licence documents also have their front photographed
    assert Counter((row["kind"], row["condition"]) for row in labels) == {
        (kind, condition): 1
        for kind in ("td3", "td1", "td1_front", "td2", "mrva", "mrvb", "dl_back", "dl_front")
        for condition in ("clear", "harsh")
    }
    assert sorted(path.name for path in outdir.glob("*.jpg")) == sorted(row["file"] for row in labels)
    assert labels[0]["file"] == "0001_td3_clear.jpg"
    assert labels[2]["file"] == "0002_td1_harsh_front.jpg"
    assert len({row["document"] for row in labels}) == COUNT
    assert output.count("documents, ") == 11  # ten progress lines (one per 10 %) and the summary
    assert "12 documents, 17 files written" in output


def test_the_plan_spreads_documents_evenly():
    assert plan(4, ("td3", "td1"), ("clear", "harsh")) == [
        ("td3", "clear"),
        ("td1", "harsh"),
        ("td3", "harsh"),
        ("td1", "clear"),
    ]
    assert Counter(plan(36, ("a", "b", "c"), ("x", "y", "z"))) == {(k, c): 4 for k in "abc" for c in "xyz"}


def test_every_mrz_label_has_valid_check_digits_and_parses_to_the_label_fields(generated):
    # given
    _, labels, _ = generated
    with_mrz = [row for row in labels if row["mrz_lines"] is not None]

    # then
    assert sorted(row["kind"] for row in with_mrz) == sorted(["td3", "td1", "td2", "mrva", "mrvb"] * 2)
    for row in with_mrz:
        result = parse_mrz(row["mrz_lines"], today=TODAY)
        assert result is not None, row["file"]
        assert result.valid, row["file"]
        assert result.repairs == (), row["file"]
        assert result.kind.lower() == row["kind"]
        assert result.fields.as_json() == row["fields"], row["file"]


def test_sides_without_mrz_or_barcode_carry_the_same_fields(generated):
    _, labels, _ = generated
    by_document = {(row["document"], row["kind"]): row for row in labels}
    for row in labels:
        if row["kind"] in ("td1_front", "dl_front"):
            back = by_document[(row["document"], row["kind"].replace("td1_front", "td1").replace("front", "back"))]
            assert row["mrz_lines"] is None
            assert row["barcode_payload_b64"] is None
            assert row["fields"] == back["fields"]
            assert row["fields"]["surname"]


def test_the_barcode_label_is_an_aamva_payload_with_the_label_fields(generated):
    _, labels, _ = generated
    backs = [row for row in labels if row["kind"] == "dl_back"]
    assert len(backs) == 2
    for row in backs:
        payload = base64.b64decode(row["barcode_payload_b64"])
        assert payload.startswith(b"@\n\x1e\rANSI 6")
        result = parse_aamva(payload)
        assert result is not None
        assert result.warnings == ()
        assert result.version in (8, 9, 10)
        assert result.fields.as_json() == row["fields"]


def test_the_clean_licence_back_decodes_to_the_exact_payload_bytes(generated):
    # given
    _, labels, _ = generated
    for row in (row for row in labels if row["kind"] == "dl_back"):
        document = compose_document("dl_back", int(row["document"]), seed=SEED, today=TODAY)
        page = document.sides[0].page

        # when
        found = zxingcpp.read_barcodes(
            np.asarray(page.image.convert("L")),
            formats=zxingcpp.BarcodeFormat.PDF417,
            text_mode=zxingcpp.TextMode.Plain,
        )

        # then
        assert [barcode.bytes for barcode in found] == [base64.b64decode(row["barcode_payload_b64"])]


def test_the_mrz_is_ocr_b_at_the_icao_pitch(generated):
    document = compose_document("td3", 1, seed=SEED, today=TODAY)
    page = document.sides[0].page
    assert page.image.size == (1476, 1039)  # 125 x 88 mm at 300 dpi
    assert [right - left for left, _, right, _ in page.mrz_boxes] == [44 * 30, 44 * 30]  # 2.54 mm a character
    assert [round((top + bottom) / 2) for _, top, _, bottom in page.mrz_boxes] == [853, 928]  # 15.75 / 9.40 mm up


def test_images_are_jpegs_of_the_labelled_size_with_the_document_inside(generated):
    outdir, labels, _ = generated
    for row in labels:
        with Image.open(outdir / row["file"]) as image:
            assert image.format == "JPEG"
            assert list(image.size) == row["size"]
        assert row["size"] in ([1600, 1200], [1200, 1600])
        width, height = row["size"]
        assert len(row["document_quad"]) == 4
        assert all(0 <= x <= width and 0 <= y <= height for x, y in row["document_quad"])
        xs = [x for x, _ in row["document_quad"]]
        assert (
            max(xs) - min(xs) >= 0.44 * width
            or "rotate:90" in row["degradations"]
            or ("rotate:270" in row["degradations"])
        )


def test_clear_captures_have_no_degradations_and_harsh_ones_one_to_three(generated):
    _, labels, _ = generated
    for row in labels:
        names = {item.split(":")[0] for item in row["degradations"]}
        if row["condition"] == "clear":
            assert row["degradations"] == []
            assert abs(row["capture"]["rotation"]) <= 3
            assert row["capture"]["blur_sigma"] <= 0.4
            assert row["capture"]["noise_sigma"] <= 2
            assert 88 <= row["capture"]["jpeg_quality"] <= 95
        else:
            assert 1 <= len(names - {"rotate"}) <= 3
            assert names <= {"blur", "glare", "skew", "rotate", "illumination", "noise", "jpeg", "motion"}


def test_the_expired_flag_follows_the_expiry_date(generated):
    _, labels, _ = generated
    for row in labels:
        assert row["expired"] == (dt.date.fromisoformat(row["fields"]["expiry_date"]) < TODAY)


def test_the_same_seed_gives_byte_identical_labels_and_another_seed_does_not(tmp_path):
    # when
    _make(tmp_path / "a", "--count", "3", "--seed", "9", "--kinds", "td3,dl_back")
    _make(tmp_path / "b", "--count", "3", "--seed", "9", "--kinds", "td3,dl_back")
    _make(tmp_path / "c", "--count", "3", "--seed", "10", "--kinds", "td3,dl_back")

    # then
    first = (tmp_path / "a" / "labels.jsonl").read_bytes()
    assert first == (tmp_path / "b" / "labels.jsonl").read_bytes()
    assert first != (tmp_path / "c" / "labels.jsonl").read_bytes()
    assert (tmp_path / "a" / "0001_td3_clear.jpg").read_bytes() == (tmp_path / "b" / "0001_td3_clear.jpg").read_bytes()


def test_kinds_and_conditions_can_be_chosen(tmp_path):
    _make(tmp_path, "--count", "2", "--kinds", "mrvb", "--conditions", "harsh")
    assert [(row["file"], row["kind"], row["condition"]) for row in _labels(tmp_path)] == [
        ("0001_mrvb_harsh.jpg", "mrvb", "harsh"),
        ("0002_mrvb_harsh.jpg", "mrvb", "harsh"),
    ]


def test_unknown_kinds_are_refused_and_nothing_is_written(tmp_path):
    with pytest.raises(CommandError, match="choose from"):
        _make(tmp_path / "out", "--count", "2", "--kinds", "td3,passport")
    assert not (tmp_path / "out").exists()


def test_faces_are_cycled_into_the_portraits_and_named_in_the_labels(tmp_path):
    # given: two "faces" of flat, distinct colours
    faces = tmp_path / "faces"
    faces.mkdir()
    Image.new("RGB", (300, 400), (0, 200, 0)).save(faces / "alice.jpg")
    Image.new("RGB", (400, 400), (0, 0, 220)).save(faces / "bob.png")
    (faces / "notes.txt").write_text("not a photo")

    # when
    _make(tmp_path / "out", "--count", "3", "--kinds", "td3,dl_back", "--faces", str(faces))

    # then
    assert [(row["file"], row["face"]) for row in _labels(tmp_path / "out")] == [
        ("0001_td3_clear.jpg", "alice.jpg"),
        ("0002_dl_back_harsh.jpg", None),
        ("0002_dl_back_harsh_front.jpg", "bob.png"),
        ("0003_td3_harsh.jpg", "alice.jpg"),
    ]
    page = compose_document("td3", 1, seed=0, today=TODAY, face=faces / "alice.jpg").sides[0].page
    red, green, blue = np.asarray(page.image)[300:500, 120:400].reshape(-1, 3).mean(axis=0)  # inside the portrait
    assert green > 150  # the photo, slightly desaturated
    assert max(red, blue) < 80


def test_without_faces_the_portrait_is_a_neutral_silhouette(generated):
    _, labels, _ = generated
    assert {row["face"] for row in labels} == {None}
    page = compose_document("td3", 1, seed=SEED, today=TODAY).sides[0].page
    red, green, blue = np.asarray(page.image)[300:500, 120:400].reshape(-1, 3).mean(axis=0)
    assert max(red, green, blue) - min(red, green, blue) < 20


def test_random_mrzs_of_every_kind_including_td1_long_numbers_parse_back_exactly():
    rng = random.Random(1)
    long_forms = 0
    for index in range(300):
        kind = ("td3", "td1", "td2", "mrva", "mrvb")[index % 5]
        long_number = kind == "td1" and index % 2 == 1
        identity = random_identity(
            rng,
            today=TODAY,
            name_room=NAME_ROOM[kind],
            expired=index % 10 == 0,
            number_length=12 if long_number else 9,
            optional_room=OPTIONAL_ROOM[kind],
        )
        mrz = build_mrz(kind, identity, rng.choice(DOCUMENT_CODES[kind]), optional_on_first_line=index % 4 == 0)

        result = parse_mrz(mrz.lines, today=TODAY)

        assert result is not None, mrz.lines
        assert result.valid, mrz.lines
        assert result.repairs == (), mrz.lines
        assert result.fields == mrz.fields, mrz.lines
        assert [len(line) for line in mrz.lines] == {"td1": [30] * 3, "td2": [36] * 2, "mrvb": [36] * 2}.get(
            kind, [44, 44]
        )
        long_forms += "document_number_long_form" in result.warnings
    assert long_forms == 30


def test_the_plan_balances_an_odd_number_of_kinds():
    kinds = ("td3", "td1", "td2", "mrva", "mrvb")
    assert Counter(plan(20, kinds, ("clear", "harsh"))) == {(k, c): 2 for k in kinds for c in ("clear", "harsh")}


@pytest.mark.parametrize("kind", ["td3", "td1", "dl_back"])
def test_a_forged_document_keeps_its_machine_readable_data_and_alters_one_printed_field(kind):
    genuine = compose_document(kind, 5, seed=3, today=dt.date(2026, 11, 25))
    # when
    forged = compose_document(kind, 5, seed=3, today=dt.date(2026, 11, 25), forge="birth_date")
    # then: same MRZ / barcode and fields, another printed side
    assert (forged.mrz_lines, forged.barcode_payload, forged.fields) == (
        genuine.mrz_lines,
        genuine.barcode_payload,
        genuine.fields,
    )
    assert (genuine.forged, forged.forged) == (None, "birth_date")
    printed = forged.sides[-1].page.image
    assert np.asarray(printed).tobytes() != np.asarray(genuine.sides[-1].page.image).tobytes()


def test_forgeries_are_labelled_and_leave_the_genuine_documents_unchanged(tmp_path):
    call_command("make_specimens", str(tmp_path / "plain"), "--count", "6", "--seed", "4", stdout=io.StringIO())
    call_command(
        "make_specimens",
        str(tmp_path / "mixed"),
        "--count",
        "6",
        "--seed",
        "4",
        "--forged",
        "0.5",
        stdout=io.StringIO(),
    )
    plain = [json.loads(line) for line in (tmp_path / "plain" / "labels.jsonl").read_text().splitlines()]
    mixed = [json.loads(line) for line in (tmp_path / "mixed" / "labels.jsonl").read_text().splitlines()]
    forged = [row for row in mixed if row["forged"]]
    assert {row["forged"] for row in forged} <= {"surname", "given_names", "birth_date"}
    assert 0 < len(forged) < len(mixed)
    for before, after in zip(plain, mixed, strict=True):
        if not after["forged"]:
            assert (tmp_path / "plain" / before["file"]).read_bytes() == (
                tmp_path / "mixed" / after["file"]
            ).read_bytes()
    with pytest.raises(CommandError, match="--forged must be a share between 0 and 1"):
        call_command("make_specimens", str(tmp_path / "bad"), "--count", "1", "--forged", "2", stdout=io.StringIO())
