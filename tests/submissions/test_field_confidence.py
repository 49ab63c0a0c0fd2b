"""How sure the run is of each extracted field, as the dashboard's submission page shows it."""

from __future__ import annotations

import datetime as dt

from policy.evidence import DocumentEvidence, FieldCheck, IdentityFields
from submissions.evidence import FieldConfidence, field_confidences
from tests.submissions.dashboard.helpers import client_for, pending_policy, pending_submission

FIELDS = IdentityFields(surname="HONG", given_names="GILDONG", birth_date=dt.date(1990, 1, 31),
                        document_number="M12345678", nationality="KOR", sex="M")  # fmt: skip


def test_a_verified_mrz_is_sure_of_every_field():
    found = field_confidences(DocumentEvidence(kind="td3", fields=FIELDS, mrz_valid=True))

    assert set(found) == {"last_name", "first_name", "date_of_birth", "documentNumber", "nationality", "gender"}
    assert found["last_name"] == FieldConfidence(100, "machine-readable zone, check digits pass")


def test_a_failing_check_digit_lowers_the_whole_zone_and_names_itself():
    document = DocumentEvidence(kind="td3", fields=FIELDS, mrz_valid=False, check_digit_failures=("birth_date",))

    found = field_confidences(document)

    assert found["date_of_birth"] == FieldConfidence(60, "machine-readable zone, a check digit fails")
    assert found["last_name"].score == 60


def test_a_barcode_print_ocr_contradiction_and_edit_are_each_said():
    barcode = field_confidences(DocumentEvidence(kind="pdf417_back", fields=FIELDS))
    printed = field_confidences(DocumentEvidence(
        kind="card_front", fields=FIELDS, ocr_confidence=0.87, visual=(FieldCheck("surname", "mismatch"),),
        edited_fields=("given_names",),
    ))  # fmt: skip

    assert barcode["documentNumber"] == FieldConfidence(100, "PDF417 barcode")
    assert printed["last_name"] == FieldConfidence(
        50, "printed text, OCR confidence 87 %; the printed side says otherwise"
    )
    assert printed["first_name"] == FieldConfidence(
        60, "printed text, OCR confidence 87 %; changed by the person on the confirmation page"
    )


def test_the_submission_page_shows_each_fields_confidence(project, owner):
    pending_policy(project)
    submission = pending_submission(project)

    page = client_for(owner).get(f"/dashboard/p/{project.pid}/submissions/{submission.pk}/").content.decode()

    assert (
        '<span class="muted small" data-confidence="last_name">· 100 · machine-readable zone, check digits pass</span>'
        in page
    )
