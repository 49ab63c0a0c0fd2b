"""The Knowledge-Based Liveform (spec §6.3): consent, e-mail, the typed identity, questions, selfie;
``knowledgeField`` / ``knowledgePrefill`` and the parameters of the other pipeline."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from idcheck.errors import ApplicationError
from projects.actors import Actor
from projects.models import CreditLedgerEntry
from projects.services import project_settings_update
from submissions import vault
from submissions.flow.state import SESSION_KEY
from submissions.models import ImageKind, RunState, Submission, SubmissionPipeline
from submissions.services import submission_create, submission_process
from submissions.services.knowledge import KnowledgeData
from submissions.services.retry import FACE_RETRY_CODE
from tests.submissions.api.helpers import passport_case, photo
from tests.submissions.flow.helpers import encrypted, flow_client, nothing_written, open_link, post
from tests.submissions.flow.test_capture import _upload
from tests.submissions.flow.test_handoff import _token, desktop_client
from tests.submissions.flow.test_page_weight import LIMIT, _weight
from tests.submissions.injection_helpers import injection_link
from tests.submissions.phone_helpers import MOBILE, last_code

TYPED = {"first_name": "Jane", "last_name": "Doe", "date_of_birth": "1990-01-31", "gender": "female",
         "nationality": "EST"}  # fmt: skip
ACTOR = Actor.system("test")


def knowledge_based(project, **changes: object) -> None:
    project_settings_update(project=project, changes={"policy_pipeline": "knowledge_based", **changes}, actor=ACTOR)


@pytest.fixture
def kb_project(issued_key):
    project = issued_key.api_key.project
    knowledge_based(project)
    return project


def _open(client, project, key=None, **values: object):
    """Open the project's link, with ``values`` encrypted when there are any."""
    if values:
        return open_link(client, project.pid, encrypted=encrypted(key.plaintext, values))
    return open_link(client, project.pid)


def _metadata(submission: Submission) -> dict:
    return vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT)


def test_the_flow_asks_for_the_details_then_the_selfie_and_creates_a_knowledge_based_submission(kb_project):
    # given
    client = flow_client()
    open_link(client, kb_project.pid)
    consent = client.get("/form/consent").content.decode()
    assert "Your name, date of birth, gender and nationality" in consent
    assert "A photo of your ID document" not in consent
    assert post(client, "/form/consent", {"agree": "on"})["Location"] == "/form/email"
    assert post(client, "/form/email", {"email": "jane@example.com"})["Location"] == "/form/details"

    # when
    page = client.get("/form/details").content.decode()
    after_details = post(client, "/form/details", {**TYPED, "first_name": "  Jane   Mary "})
    selfie_page = client.get("/form/selfie").content.decode()
    response = _upload(client, "selfie")

    # then: the details page has the four identity values and no social security number
    assert "Step 2 of 3" in page  # e-mail, details, selfie
    for name in ("first_name", "last_name", "date_of_birth", "gender", "nationality"):
        assert f'name="{name}"' in page
    assert 'name="ssnNumber"' not in page
    assert after_details["Location"] == "/form/selfie"
    assert "Step 3 of 3" in selfie_page
    assert response["Location"] == "/form/processing"
    submission = Submission.objects.get(project=kb_project)
    assert (submission.pipeline, submission.run_state) == (SubmissionPipeline.KNOWLEDGE_BASED, RunState.QUEUED)
    assert list(submission.images.values_list("kind", flat=True)) == [ImageKind.SELFIE]
    assert _metadata(submission)["knowledge"] == {**TYPED, "first_name": "Jane Mary"}
    assert CreditLedgerEntry.objects.filter(project=kb_project, delta=-1).count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "Enter your real date of birth."),
        ({"gender": "other"}, "gender", "Select a valid choice."),
        ({"nationality": "QQQ"}, "nationality", "Select a valid choice."),
        ({"last_name": ""}, "last_name", "This field is required."),
    ],
)
def test_a_wrong_detail_is_shown_again_and_nothing_is_kept(kb_project, changes, field, message):
    # given
    client = flow_client()
    open_link(client, kb_project.pid, email="jane@example.com")
    post(client, "/form/consent", {"agree": "on"})

    # when
    response = post(client, "/form/details", {**TYPED, **changes})

    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert client.session[SESSION_KEY]["knowledge"] == {}
    assert client.get("/form/selfie")["Location"] == "/form/details"
    assert nothing_written(kb_project)


def test_allowed_countries_narrow_the_nationality(kb_project, issued_key):
    # given
    client = flow_client()
    _open(client, kb_project, issued_key, email="jane@example.com", allowedCountries="EST,LVA")
    post(client, "/form/consent", {"agree": "on"})

    # when
    page = client.get("/form/details").content.decode()
    refused = post(client, "/form/details", {**TYPED, "nationality": "FIN"})

    # then
    nationality = page[page.index('name="nationality"') :].split("</select>")[0]
    assert nationality.count("<option value=") == 3  # "Choose a country", Estonia, Latvia
    assert '<option value="LVA">Latvia</option>' in page
    assert refused.status_code == 400


def test_knowledge_field_shows_only_its_inputs_and_the_prefill_fills_the_others(kb_project, issued_key):
    # given
    client = flow_client()
    prefill = {"first_name": "Jane", "last_name": "Doe", "nationality": "EST"}
    _open(client, kb_project, issued_key, email="jane@example.com", knowledgeField="date_of_birth,gender,ssnNumber",
          knowledgePrefill=prefill)  # fmt: skip
    post(client, "/form/consent", {"agree": "on"})

    # when
    page = client.get("/form/details").content.decode()
    post(client, "/form/details", {"date_of_birth": "1990-01-31", "gender": "female", "ssnNumber": "123-45-6789",
                                   "first_name": "Mallory"})  # fmt: skip
    _upload(client, "selfie")

    # then: a value posted for an input not shown is ignored
    assert 'name="first_name"' not in page
    assert 'name="ssnNumber"' in page
    submission = Submission.objects.get(project=kb_project)
    assert _metadata(submission)["knowledge"] == TYPED
    assert _metadata(submission)["ssnNumber"] == "123-45-6789"


def test_a_shown_input_starts_with_its_prefilled_value(kb_project, issued_key):
    client = flow_client()
    _open(client, kb_project, issued_key, email="jane@example.com", knowledgePrefill={"last_name": "Doe"})
    post(client, "/form/consent", {"agree": "on"})

    page = client.get("/form/details").content.decode()

    assert 'name="last_name" value="Doe"' in page


def test_skip_goes_from_consent_to_the_selfie_with_the_prefilled_identity(kb_project, issued_key):
    # given
    client = flow_client()
    _open(client, kb_project, issued_key, email="jane@example.com", knowledgeField="skip",
          knowledgePrefill=json_text(TYPED))  # fmt: skip

    # when
    response = post(client, "/form/consent", {"agree": "on"})
    _upload(client, "selfie")

    # then
    assert response["Location"] == "/form/selfie"
    assert _metadata(Submission.objects.get(project=kb_project))["knowledge"] == TYPED


def json_text(values: dict) -> str:
    return json.dumps(values)


def test_the_questions_come_after_the_details_and_before_the_selfie(kb_project):
    # given
    question = {"id": "job", "label": "Your occupation", "type": "text", "required": True}
    project_settings_update(project=kb_project, changes={"liveform_additional_questions": [question]}, actor=ACTOR)
    client = flow_client()
    open_link(client, kb_project.pid, email="jane@example.com")
    post(client, "/form/consent", {"agree": "on"})

    # when
    after_details = post(client, "/form/details", TYPED)
    after_questions = post(client, "/form/questions", {"q_job": "Baker"})
    _upload(client, "selfie")

    # then
    assert (after_details["Location"], after_questions["Location"]) == ("/form/questions", "/form/selfie")
    answers = _metadata(Submission.objects.get(project=kb_project))["additional_list"]
    assert answers == [{"id": "job", "inputValue": "Your occupation", "answer": "Baker", "blockType": "text"}]


@pytest.mark.parametrize(
    ("values", "page", "code"),
    [
        ({"knowledgeField": "first_name,passport_number"}, "knowledge-field", "PV-40040"),
        ({"knowledgeField": ["first_name", 3]}, "knowledge-field", "PV-40040"),
        ({"knowledgeField": ","}, "knowledge-field", "PV-40040"),
        ({"knowledgePrefill": "not json"}, "knowledge-prefill", "PV-40041"),
        ({"knowledgePrefill": ["Jane"]}, "knowledge-prefill", "PV-40041"),
        ({"knowledgePrefill": {"middle_name": "X"}}, "knowledge-prefill", "PV-40041"),
        ({"knowledgePrefill": {"date_of_birth": "31/01/1990"}}, "knowledge-prefill", "PV-40041"),
        ({"knowledgePrefill": {"gender": "f"}}, "knowledge-prefill", "PV-40041"),
        ({"knowledgePrefill": {"nationality": "LVA"}, "allowedCountries": "EST"}, "knowledge-prefill", "PV-40041"),
        ({"knowledgePrefill": {"ssnNumber": "12"}}, "knowledge-prefill", "PV-40041"),
        ({"knowledgePrefill": {"first_name": 7}}, "knowledge-prefill", "PV-40041"),
        ({"knowledgeField": "skip", "knowledgePrefill": {"first_name": "Jane"}}, "knowledge-missing", "PV-40042"),
        ({"knowledgeField": "gender"}, "knowledge-missing", "PV-40042"),
        ({"selectedIdType": "passport"}, "pipeline-parameter", "PV-40043"),
        ({"allowedIdTypes": "passport"}, "pipeline-parameter", "PV-40043"),
        ({"allowedDocumentFields": "last_name"}, "pipeline-parameter", "PV-40043"),
        ({"auxidField": "phoneNumber"}, "pipeline-parameter", "PV-40043"),
        ({"knowledgePrefill": {"phoneNumber": "+33612345678"}}, "knowledge-prefill", "PV-40041"),
    ],
)
def test_a_bad_knowledge_parameter_shows_its_error_page_and_starts_nothing(kb_project, issued_key, values, page, code):
    # given
    client = flow_client()

    # when
    response = _open(client, kb_project, issued_key, **values)

    # then
    assert response["Location"] == f"/form/error-page/{page}"
    assert code in client.get(response["Location"]).content.decode()
    assert SESSION_KEY not in client.session
    assert nothing_written(kb_project)


def test_a_plain_id_document_parameter_is_refused_too(kb_project):
    client = flow_client()

    response = open_link(client, kb_project.pid, selectedIssuingCountry="EST")

    assert response["Location"] == "/form/error-page/pipeline-parameter"


def test_plain_knowledge_parameters_are_ignored(kb_project):
    client = flow_client()

    open_link(client, kb_project.pid, knowledgeField="skip", knowledgePrefill="{}")

    assert client.session[SESSION_KEY]["params"]["knowledge_fields"] == list(TYPED)


def test_an_id_document_project_refuses_knowledge_parameters(project, issued_key):
    client = flow_client()

    response = _open(client, project, issued_key, knowledgeField="skip")

    assert response["Location"] == "/form/error-page/pipeline-parameter"
    assert nothing_written(project)


def test_an_id_document_project_keeps_todays_flow(project):
    client = flow_client()
    open_link(client, project.pid, email="jane@example.com")

    assert post(client, "/form/consent", {"agree": "on"})["Location"] == "/form/country"
    assert client.get("/form/details")["Location"] == "/form/country"


def test_phone_number_in_knowledge_field_asks_for_an_sms_verified_number_before_the_details(
    kb_project, issued_key, sms_folder
):
    # given
    client = flow_client()
    _open(client, kb_project, issued_key, email="jane@example.com", knowledgeField="full_name,date_of_birth,gender,"
          "nationality,phoneNumber")  # fmt: skip

    # when
    after_consent = post(client, "/form/consent", {"agree": "on"})
    post(client, "/form/phone-number", {"action": "send", "phone": "+33 6 12 34 56 78"})
    verified = post(client, "/form/phone-number", {"action": "check", "code": last_code(sms_folder)})
    page = client.get("/form/details").content.decode()
    post(client, "/form/details", TYPED)
    _upload(client, "selfie")

    # then: the number has its own step, not an input of the details page
    assert (after_consent["Location"], verified["Location"]) == ("/form/phone-number", "/form/details")
    assert 'name="phoneNumber"' not in page
    assert "Step 2 of 3" in page  # phone number, details, selfie
    metadata = _metadata(Submission.objects.get(project=kb_project))
    assert (metadata["phoneNumber"], metadata["knowledge"]) == (MOBILE, TYPED)


def test_a_selfie_without_a_face_is_asked_again_with_the_general_reason(kb_project):
    # given: a flow whose selfie shows no face, run by the pipeline
    client = flow_client()
    open_link(client, kb_project.pid, email="jane@example.com")
    post(client, "/form/consent", {"agree": "on"})
    post(client, "/form/details", TYPED)
    _upload(client, "selfie", photo(color=(200, 180, 160)))
    submission = Submission.objects.get(project=kb_project)
    submission_process(submission_id=submission.id)

    # when
    response = client.get("/form/processing")
    page = client.get("/form/selfie").content.decode()

    # then: only the selfie again, without words about a document
    submission.refresh_from_db()
    assert (submission.status, submission.retry_code, submission.failed_attempts) == ("incomplete", FACE_RETRY_CODE, 1)
    assert response["Location"] == "/form/selfie"
    assert "We could not check your photos. Please take them again." in page
    assert "photo on your document" not in page


def test_get_submission_shows_the_pipeline_the_typed_identity_and_the_ssn(kb_project, api_client):
    # given: a decided Knowledge-Based submission (a selfie from the file input: pending)
    created = submission_create(project=kb_project, source="liveform", actor=ACTOR,
                                images={"selfie": passport_case().selfie},
                                knowledge=KnowledgeData(first_name="Jane", last_name="Doe",
                                                        date_of_birth=dt.date(1990, 1, 31), gender="female",
                                                        nationality="EST", ssn_number="123-45-6789"))  # fmt: skip
    submission_process(submission_id=created.id)

    # when
    [item] = api_client.get("/v3/submission", {"submission_id": created.id}).json()["Items"]

    # then
    assert item["idcheck"]["pipeline"] == "knowledge_based"
    assert item["data"] == {"age_group": "adult", "first_name": "Jane", "last_name": "Doe", "full_name": "Doe Jane",
                            "gender": "female", "nationality": "EST", "date_of_birth": "1990-01-31",
                            "ssnNumber": "123-45-6789"}  # fmt: skip
    assert "knowledge" not in item


def test_the_details_page_is_light(kb_project):
    # given
    client = flow_client()
    open_link(client, kb_project.pid, email="jane@example.com")
    post(client, "/form/consent", {"agree": "on"})

    # when
    weight = _weight(client.get("/form/details").content.decode())

    # then: the HTML with its stylesheet, a quarter of the 150 KB at most
    assert weight < LIMIT / 4, weight


@pytest.mark.parametrize(
    ("images", "code", "field"),
    [
        ({"selfie": b"", "id_front": b""}, "invalid_parameter", "idImage"),
        ({"address": b""}, "invalid_parameter", "addressImage"),
        ({}, "missing_data", "selfieImage"),
    ],
)
def test_a_knowledge_based_submission_takes_a_selfie_and_nothing_else(kb_project, images, code, field):
    # given
    typed = KnowledgeData(first_name="Jane", last_name="Doe", date_of_birth=dt.date(1990, 1, 31), gender="female",
                          nationality="EST")  # fmt: skip
    images = {kind: photo() for kind in images}

    # when
    with pytest.raises(ApplicationError) as refused:
        submission_create(project=kb_project, source="liveform", actor=ACTOR, images=images, knowledge=typed)

    # then
    assert (refused.value.code, refused.value.extra) == (code, {"field": field})
    assert nothing_written(kb_project)


def test_an_optional_prefilled_value_the_person_empties_is_not_kept(kb_project, issued_key):
    # given: the social security number shown and prefilled
    client = flow_client()
    _open(client, kb_project, issued_key, email="jane@example.com", knowledgeField="full_name,date_of_birth,gender,"
          "nationality,ssnNumber", knowledgePrefill={"ssnNumber": "123-45-6789"})  # fmt: skip
    post(client, "/form/consent", {"agree": "on"})

    # when
    post(client, "/form/details", {**TYPED, "ssnNumber": ""})

    # then
    assert client.session[SESSION_KEY]["knowledge"] == TYPED


def test_a_desktop_hands_the_typed_details_over_to_a_phone_for_the_selfie(kb_project):
    # given: the details typed on a desktop, which offers the QR code on the selfie step
    desktop = desktop_client()
    open_link(desktop, kb_project.pid, email="jane@example.com")
    post(desktop, "/form/consent", {"agree": "on"})
    post(desktop, "/form/details", TYPED)
    token = _token(desktop.get("/form/selfie").content.decode())

    # when: the phone takes over and takes the selfie
    phone = flow_client()
    assert phone.get(f"/form/handoff/{token}")["Location"] == "/form/selfie"
    _upload(phone, "selfie")

    # then: one Knowledge-Based submission with what the desktop typed
    submission = Submission.objects.get(project=kb_project)
    assert submission.pipeline == SubmissionPipeline.KNOWLEDGE_BASED
    assert _metadata(submission)["knowledge"] == TYPED
    assert desktop.get("/form/phone/status").json() == {"finished": True}


def test_a_decided_knowledge_based_submission_takes_an_address_injection(kb_project):
    # given: a Knowledge-Based submission, decided (a selfie from the file input: pending)
    created = submission_create(project=kb_project, source="liveform", actor=ACTOR,
                                images={"selfie": passport_case().selfie},
                                knowledge=KnowledgeData(first_name="Jane", last_name="Doe",
                                                        date_of_birth=dt.date(1990, 1, 31), gender="female",
                                                        nationality="EST"))  # fmt: skip
    submission_process(submission_id=created.id)
    client = flow_client()

    # when
    response = injection_link(client, pid=kb_project.pid, action="addveri", sid=created.id)

    # then
    assert Submission.objects.get(pk=created.pk).status == "pending"
    assert response["Location"] == "/form/injection/address"
    assert 'name="street"' in client.get("/form/injection/address").content.decode()
