"""The OCR confirmation page: skipped when the document reads in full, manual entry when it does
not read at all, edits kept beside the reading and handed to the submission."""

from __future__ import annotations

import pytest

from submissions import vault
from submissions.flow.ocr import REVIEW_FIELDS
from submissions.flow.state import SESSION_KEY
from submissions.models import Submission
from submissions.services import submission_process
from tests.submissions.api.helpers import passport_case
from tests.submissions.flow.helpers import DETAILS, confirm_details, flow_client, nothing_written, walk_to_capture
from tests.submissions.flow.test_capture import _upload


@pytest.fixture
def client(project):
    client = flow_client()
    walk_to_capture(client, project.pid)
    return client


def _metadata(project) -> dict:
    submission = Submission.objects.get(project=project)
    return vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT)


def _set_reading(client, values: dict[str, str], score: int) -> None:
    """Put a partial reading in the flow, as the engine would have left it."""
    session = client.session
    confidences = {name: 100 if values.get(name) else 0 for name in REVIEW_FIELDS}
    session[SESSION_KEY]["ocr"] = {
        "values": {**dict.fromkeys(REVIEW_FIELDS, ""), **values}, "confidences": confidences, "score": score,
    }  # fmt: skip
    session.save()


def test_an_unreadable_document_asks_for_manual_entry(client, project):
    assert _upload(client, "front")["Location"] == "/form/review"
    # when
    page = client.get("/form/review")
    # then: the form is empty, with the reason
    html = page.content.decode()
    assert page.status_code == 200
    assert "We could not read your document." in html
    surname_input = html.split('name="surname"')[1].split(">")[0]
    assert 'value="' not in surname_input
    assert client.session[SESSION_KEY]["ocr"]["score"] == 0
    assert client.get("/form/selfie")["Location"] == "/form/review"  # the selfie waits for the details


def test_typed_details_are_kept_as_edits_and_reach_the_submission(client, project):
    _upload(client, "front")
    # when
    response = confirm_details(client, surname="  doe  ", given_names="jane   ann")
    _upload(client, "selfie")
    # then: every typed field is the person's, normalised; the engine's empty reading is kept
    assert response["Location"] == "/form/selfie"
    review = _metadata(project)["review"]
    assert review["confirmed"] == {**DETAILS, "surname": "DOE", "given_names": "JANE ANN"}
    assert review["read"] == dict.fromkeys(REVIEW_FIELDS, "")
    assert review["edited"] == list(REVIEW_FIELDS)
    assert (review["recognition_score"], review["skipped"]) == (0, False)


def test_only_the_changed_fields_are_edits(client, project):
    _upload(client, "front")
    _set_reading(client, {**DETAILS, "given_names": "JANF", "sex": ""}, score=71)
    # when: the person corrects the given names and adds the sex
    page = client.get("/form/review").content.decode()
    confirm_details(client)
    _upload(client, "selfie")
    # then
    assert 'value="JANF"' in page
    review = _metadata(project)["review"]
    assert review["edited"] == ["given_names", "sex"]
    assert (review["read"]["given_names"], review["confirmed"]["given_names"]) == ("JANF", "JANE")
    assert review["recognition_score"] == 71


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"surname": ""}, "This field is required."),
        ({"birth_date": "31/31/1990"}, "Enter a valid date."),
        ({"nationality": "ESTONIA"}, "Enter the 3-letter code."),
        ({"sex": "Q"}, "Select a valid choice."),
    ],
)
def test_invalid_details_are_refused_and_change_nothing(client, project, changes, error):
    _upload(client, "front")
    response = confirm_details(client, **changes)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert client.session[SESSION_KEY]["review"] == {}
    assert client.get("/form/selfie")["Location"] == "/form/review"
    assert nothing_written(project)


def test_a_document_read_in_full_skips_the_page(client, project):
    case = passport_case()
    _upload(client, "front", case.front)
    # when
    response = client.get("/form/review")
    _upload(client, "selfie", case.selfie)
    # then
    assert response["Location"] == "/form/selfie"
    review = _metadata(project)["review"]
    assert (review["edited"], review["recognition_score"], review["skipped"]) == ([], 100, True)
    assert review["confirmed"] == review["read"]
    assert review["read"]["birth_date"] == "1996-02-17"


def test_the_edits_reach_the_runs_evidence_beside_the_engines_reading(client, project):
    # given: a specimen passport whose given names the person "corrects"
    case = passport_case()
    _upload(client, "front", case.front)
    read = {**DETAILS, "birth_date": "1996-02-17"}
    _set_reading(client, read, score=79)
    confirm_details(client, birth_date="1996-02-17", given_names="SOMEONE ELSE")
    _upload(client, "selfie", case.selfie)
    submission = Submission.objects.get(project=project)
    # when
    submission_process(submission_id=submission.id)
    # then: the evidence names the edit and keeps what the run read from the image
    submission.refresh_from_db()
    evidence = vault.open_json(submission, submission.sealed_evidence, context=vault.EVIDENCE_CONTEXT)
    assert evidence["document"]["edited_fields"] == ["given_names"]
    assert evidence["document"]["fields"]["given_names"] != "SOMEONE ELSE"
    assert evidence["document"]["fields"]["birth_date"] == "1996-02-17"


def test_the_links_allowed_document_fields_are_the_only_ones_asked(issued_key):
    # given: an encrypted link that shows only the surname and the date of birth
    from tests.submissions.flow.helpers import encrypted, open_link, post

    project = issued_key.api_key.project
    client = flow_client()
    link = {"email": "a@example.com", "allowedCountries": "EST", "selectedIdType": "passport",
            "allowedDocumentFields": "last_name, date_of_birth"}  # fmt: skip
    open_link(client, project.pid, encrypted=encrypted(issued_key.plaintext, link))
    post(client, "/form/consent", {"agree": "on"})
    assert _upload(client, "front")["Location"] == "/form/review"  # a photo the engine cannot read

    # when
    page = client.get("/form/review").content.decode()
    response = post(client, "/form/review", {"surname": "doe", "birth_date": "1990-01-31"})

    # then: two fields asked, the others left as read (nothing)
    assert ('name="surname"' in page, 'name="birth_date"' in page) == (True, True)
    assert [name for name in ("given_names", "document_number", "expiry_date", "nationality", "sex")
            if f'name="{name}"' in page] == []  # fmt: skip
    assert response.status_code == 302
    review = client.session[SESSION_KEY]["review"]
    assert review["values"] == {**dict.fromkeys(REVIEW_FIELDS, ""), "surname": "DOE", "birth_date": "1990-01-31"}


@pytest.mark.parametrize("value", ["last_name,shoe_size", " , ", 5])
def test_unknown_allowed_document_fields_are_an_invalid_parameter(issued_key, value):
    from tests.submissions.flow.helpers import encrypted, open_link

    project = issued_key.api_key.project
    client = flow_client()

    response = open_link(
        client, project.pid, encrypted=encrypted(issued_key.plaintext, {"allowedDocumentFields": value})
    )

    assert response["Location"] == "/form/error-page/invalid-parameter"
    assert SESSION_KEY not in client.session
