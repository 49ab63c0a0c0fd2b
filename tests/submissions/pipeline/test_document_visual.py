"""The visual zone end to end: printed fields against the MRZ, and a card front against its back."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from submissions.pipeline.document import read_document
from submissions.specimens import make_specimens

TODAY = dt.date(2026, 11, 25)
MISMATCHES = {"mrz_visual_mismatch", "barcode_front_mismatch"}


def _labels(directory: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in (directory / "labels.jsonl").read_text().splitlines()]
    return {row["file"]: row for row in rows}


@pytest.fixture(scope="module")
def genuine(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    directory = tmp_path_factory.mktemp("genuine")
    make_specimens(directory, count=3, seed=21, kinds=("td3", "td1", "dl_back"), conditions=("clear",), today=TODAY)
    return directory, _labels(directory)


@pytest.fixture(scope="module")
def forged(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    directory = tmp_path_factory.mktemp("forged")
    make_specimens(
        directory, count=3, seed=22, kinds=("td3", "td1", "dl_back"), conditions=("clear",), today=TODAY, forged_share=1
    )
    return directory, _labels(directory)


def _read(directory: Path, name: str, **options):
    return read_document((directory / name).read_bytes(), today=TODAY, **options)


def test_a_genuine_passport_page_prints_what_its_mrz_says(genuine):
    directory, labels = genuine
    name = next(name for name, label in labels.items() if label["kind"] == "td3")
    reading = _read(directory, name)
    assert {check.field: check.status for check in reading.visual.checks} == {
        "surname": "match", "given_names": "match", "document_number": "match", "birth_date": "match",
        "expiry_date": "match",
    }  # fmt: skip
    assert not MISMATCHES & {warning.code for warning in reading.warnings}
    assert reading.visual.fields.surname == labels[name]["fields"]["surname"]


@pytest.mark.parametrize("back_kind", ["td1", "dl_back"])
def test_a_card_front_is_read_and_checked_against_its_back(genuine, back_kind):
    directory, labels = genuine
    back_name = next(name for name, label in labels.items() if label["kind"] == back_kind)
    front_name = back_name.replace(".jpg", "_front.jpg")
    back = _read(directory, back_name)
    # when
    front = _read(directory, front_name, other_side=back)
    # then
    assert front.kind == "card_front"
    assert {check.status for check in front.visual.checks} == {"match"}
    assert not MISMATCHES & {warning.code for warning in front.warnings}
    assert front.fields.birth_date.isoformat() == labels[front_name]["fields"]["birth_date"]


def test_a_front_alone_is_a_card_front_with_its_printed_fields(genuine):
    directory, labels = genuine
    front_name = next(name for name, label in labels.items() if label["kind"] == "td1_front")
    front = _read(directory, front_name)
    assert (front.kind, front.visual.checks) == ("card_front", ())
    assert front.fields.surname == labels[front_name]["fields"]["surname"]
    assert "unsupported_document" not in {warning.code for warning in front.warnings}


def test_a_passport_whose_printed_field_was_altered_is_flagged(forged):
    directory, labels = forged
    name = next(name for name, label in labels.items() if label["kind"] == "td3")
    reading = _read(directory, name)
    flagged = [warning for warning in reading.warnings if warning.code == "mrz_visual_mismatch"]
    assert len(flagged) == 1
    assert flagged[0].detail.startswith(labels[name]["forged"] + ": MRZ ")
    assert reading.mrz.valid  # the MRZ is genuine: only the cross-check can tell


def test_a_licence_front_that_disagrees_with_its_barcode_is_flagged(forged):
    directory, labels = forged
    back_name = next(name for name, label in labels.items() if label["kind"] == "dl_back")
    front_name = back_name.replace(".jpg", "_front.jpg")
    back = _read(directory, back_name)
    front = _read(directory, front_name, other_side=back)
    codes = [warning.code for warning in front.warnings if warning.code in MISMATCHES]
    assert codes == ["barcode_front_mismatch"]
    statuses = {check.field: check.status for check in front.visual.checks}
    assert statuses[labels[front_name]["forged"]] in ("mismatch", "missing")
