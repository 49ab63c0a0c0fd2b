"""The recognition score of the OCR confirmation page (pure: ``submissions.flow.ocr``)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from submissions.flow.ocr import NOTHING_READ, REVIEW_FIELDS, fields_read, read_photos
from submissions.pipeline.types import DocumentFields
from tests.submissions.api.helpers import passport_case, photo

FIELDS = DocumentFields(
    document_type="P", issuing_country="UTO", document_number="L898902C3", surname="ERIKSSON",
    given_names="ANNA MARIA", nationality="UTO", birth_date=dt.date(1974, 8, 12), sex="F",
    expiry_date=dt.date(2032, 4, 15),
)  # fmt: skip


def _reading(fields=FIELDS, *, mrz_valid=None, barcode=False, mismatches=()):
    mrz = SimpleNamespace(valid=mrz_valid) if mrz_valid is not None else None
    checks = [SimpleNamespace(field=name, status="mismatch") for name in mismatches]
    return SimpleNamespace(
        machine_readable=mrz is not None or barcode, fields=fields, mrz=mrz,
        aamva=SimpleNamespace() if barcode else None, visual=SimpleNamespace(checks=checks),
    )  # fmt: skip


def _without(**blank):
    return DocumentFields(**{**FIELDS.__dict__, **blank})


@pytest.mark.parametrize(
    ("front", "back", "confidences", "score", "skippable"),
    [
        # a passport whose MRZ verifies: every field certain
        (_reading(mrz_valid=True), None, {}, 100, True),
        # a licence back's barcode carries the identity
        (_reading(None), _reading(barcode=True), {}, 100, True),
        # an MRZ whose check digits fail: read, but not trusted enough
        (_reading(mrz_valid=False), None, dict.fromkeys(REVIEW_FIELDS, 60), 60, False),
        # the print contradicts the MRZ on the surname: (6 × 100 + 50) / 7
        (_reading(mrz_valid=True, mismatches=("surname",)), None, {"surname": 50}, 93, True),
        # one field not read: the page is shown whatever the score
        (_reading(_without(sex=None), mrz_valid=True), None, {"sex": 0}, 86, False),
        # a card front read by OCR alone
        (_reading(), None, dict.fromkeys(REVIEW_FIELDS, 60), 60, False),
    ],
)
def test_the_recognition_score_and_the_skip(front, back, confidences, score, skippable):
    read = fields_read(front, back)
    assert read.confidences == {**dict.fromkeys(REVIEW_FIELDS, 100), **confidences}
    assert (read.score, read.skippable) == (score, skippable)


def test_the_values_are_text_with_iso_dates():
    read = fields_read(_reading(_without(given_names=None), mrz_valid=True))
    assert read.values == {
        "surname": "ERIKSSON", "given_names": "", "birth_date": "1974-08-12", "document_number": "L898902C3",
        "expiry_date": "2032-04-15", "nationality": "UTO", "sex": "F",
    }  # fmt: skip
    assert not read.complete


def test_a_document_without_fields_is_nothing_read():
    assert fields_read(_reading(None)) == NOTHING_READ


def test_the_engine_reads_a_specimen_passport_in_full_and_nothing_on_a_plain_photo():
    case = passport_case()
    read = read_photos(case.front, None, today=dt.date(2026, 11, 26))
    assert (read.score, read.skippable, read.values["birth_date"]) == (100, True, "1996-02-17")
    assert read_photos(photo(), None, today=dt.date(2026, 11, 26)) == NOTHING_READ


def test_an_engine_failure_falls_back_to_manual_entry(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("engine bug")

    monkeypatch.setattr("submissions.flow.ocr.read_document", broken)
    assert read_photos(photo(), None, today=dt.date(2026, 11, 26)) == NOTHING_READ
