"""Projections at work (spec §2.13, §6.2): an encrypted Liveform link chooses one, the submission
keeps its fields, and GET /v3/submission and the submit, approved and rejected webhooks leave
them out while the projection exists; editing it changes nothing for earlier submissions,
deleting it shows everything again."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network.models import IpOrigin
from network.services import ClientInfo
from projects.actors import Actor
from projects.services import projection_delete, projection_save
from submissions.flow.state import SESSION_KEY
from submissions.models import Submission, SubmissionStatus
from submissions.selectors import submission_view
from submissions.services import FieldsReview, SubmissionDetails, submission_create, submission_process
from submissions.webhook_payloads import fill_personal_fields
from tests.factories import ProjectFactory
from tests.submissions.api.helpers import PASSPORT_DATA, passport_case
from tests.submissions.flow.helpers import (
    DETAILS,
    encrypted,
    flow_client,
    open_link,
    walk_to_capture,
)
from tests.submissions.flow.test_private_mode import _send_photos  # the document, its confirmation, the selfie
from webhooks.models import WebhookOutbox

ACTOR = Actor.system("test")
HIDDEN = ["first_name", "nationality", "documentNumber", "ip_address", "cf1"]
INVALID = "/form/error-page/invalid-parameter"


def _save(project, fields=HIDDEN, name: str = "aml_minimal_v1") -> str:
    saved = projection_save(project=project, name=name, mode="exclude", fields=list(fields), actor=ACTOR)
    return saved.item["projection_id"]


def test_an_encrypted_link_chooses_a_projection_and_the_submission_keeps_its_fields(issued_key):
    # given
    project = issued_key.api_key.project
    projection_id = _save(project)
    client = flow_client()
    walk_to_capture(
        client, project.pid, encrypted=encrypted(issued_key.plaintext, {"projectionName": "aml_minimal_v1"})
    )

    # when: the projection is edited after the link was opened
    _save(project, fields=["gender"])
    _send_photos(client)

    # then: the submission keeps the fields of the moment the link was opened
    submission = Submission.objects.get(project=project)
    assert submission_view(submission).metadata["projection"] == {"id": projection_id, "fields": HIDDEN}


@pytest.mark.parametrize(
    "values",
    [
        {"projectionId": "55sqp8ma0jvwh"},
        {"projectionName": "unknown_name"},
        {"projectionId": "PROJECTION", "projectionName": "aml_minimal_v1"},
        {"projectionName": 7},
    ],
)
def test_a_link_naming_no_projection_of_the_project_is_an_invalid_parameter(issued_key, values):
    # given
    project = issued_key.api_key.project
    _save(project)
    client = flow_client()

    # when
    response = open_link(client, project.pid, encrypted=encrypted(issued_key.plaintext, values))

    # then
    assert (response.status_code, response["Location"]) == (302, INVALID)
    assert SESSION_KEY not in client.session


def test_another_projects_projection_is_an_invalid_parameter(issued_key):
    # given
    theirs = _save(ProjectFactory())
    project = issued_key.api_key.project
    client = flow_client()

    # when
    response = open_link(client, project.pid, encrypted=encrypted(issued_key.plaintext, {"projectionId": theirs}))

    # then
    assert (response.status_code, response["Location"]) == (302, INVALID)


def test_a_plain_projection_parameter_is_ignored(project):
    # given
    projection_id = _save(project)
    client = flow_client()

    # when
    response = open_link(client, project.pid, projectionId=projection_id, projectionName="aml_minimal_v1")

    # then
    assert response["Location"] == "/form/consent"
    params = client.session[SESSION_KEY]["params"]
    assert (params["projection_id"], params["projection_fields"]) == ("", [])


def _approved(project, projection_id: str, fields=HIDDEN) -> Submission:
    case = passport_case()
    confirmed = {**DETAILS, "surname": "HORVATH", "given_names": "TOMAS", "document_number": "145454284"}
    submission = submission_create(
        project=project,
        source="liveform",
        actor=ACTOR,
        images={"id_front": case.front, "selfie": case.selfie},
        details=SubmissionDetails(
            email="p@example.com", cf1="shop-1", cf2="campaign", projection=(projection_id, tuple(fields))
        ),
        client=ClientInfo(ip="203.0.113.9", ip_origin=IpOrigin.REQUEST),
        review=FieldsReview(read=confirmed, confirmed=confirmed),
    )
    submission_process(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED
    return submission


def _get(api_client, submission: Submission, **params) -> dict:
    response = api_client.get("/v3/submission", {"submission_id": submission.pk, **params})
    assert response.status_code == 200
    return response.json()["Items"][0]


def _webhook(project, submission: Submission, event: str = "approved") -> dict:
    outbox = WebhookOutbox.objects.filter(event=event, resource_id=submission.pk).first()
    payload = outbox.payload if outbox else {"webhook_trigger": event, "submission_id": submission.pk}
    return fill_personal_fields(project, event, submission.pk, payload)


FULL_DATA = {**PASSPORT_DATA, "cf1": "shop-1", "cf2": "campaign", "ip_address": "203.0.113.9"}
SHOWN_DATA = {key: value for key, value in FULL_DATA.items() if key not in HIDDEN}


@time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC), tick=False)
def test_get_and_the_webhooks_leave_out_the_fields_until_the_projection_is_deleted(api_client, project):
    # given
    projection_id = _save(project)
    submission = _approved(project, projection_id)

    # when
    item = _get(api_client, submission)
    sliced = _get(api_client, submission, request_type="data")
    listed = api_client.get("/v3/submission").json()["Items"][0]
    approved, submit, rejected = (_webhook(project, submission, event) for event in ("approved", "submit", "rejected"))
    updated = _webhook(project, submission, "updated")

    # then
    data = {key: value for key, value in item["data"].items() if key != "idcard_expireDate"}
    assert data == SHOWN_DATA
    assert set(item["review"]) == set(DETAILS) - {"given_names", "nationality", "document_number"}
    assert item["idcheck"]["projection"] == {"projection_id": projection_id, "applied": True}
    assert sliced["data"] == item["data"]
    assert sliced["review"] == item["review"]
    assert listed["data"] == item["data"]
    assert {"first_name", "nationality"}.isdisjoint(approved)
    assert (approved["last_name"], approved["full_name"], approved["cf"]) == (
        "HORVATH",
        "HORVATH TOMAS",
        {"cf2": "campaign"},
    )
    for payload in (submit, rejected):
        assert "ipAddress" not in payload
        assert payload["cf"] == {"cf2": "campaign"}
    # the updated webhook is not among the ones a projection filters (§4.1: submit, approved, rejected)
    assert updated["first_name"] == "TOMAS"
    assert updated["nationality"] == "EST"

    # when: the projection is deleted
    projection_delete(project=project, projection_id=projection_id, actor=ACTOR)
    item = _get(api_client, submission)
    approved, submit = _webhook(project, submission), _webhook(project, submission, "submit")

    # then
    assert {key: value for key, value in item["data"].items() if key != "idcard_expireDate"} == FULL_DATA
    assert set(item["review"]) == set(DETAILS)
    assert item["idcheck"]["projection"] == {"projection_id": projection_id, "applied": False}
    assert (approved["first_name"], approved["nationality"], approved["cf"]) == (
        "TOMAS",
        "EST",
        {"cf1": "shop-1", "cf2": "campaign"},
    )
    assert submit["ipAddress"] == "203.0.113.9"


@time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC), tick=False)
def test_editing_the_projection_does_not_change_an_existing_submissions_output(api_client, project):
    # given
    projection_id = _save(project)
    submission = _approved(project, projection_id)
    before = _get(api_client, submission)

    # when
    _save(project, fields=["gender", "date_of_birth"])
    after = _get(api_client, submission)
    approved = _webhook(project, submission)

    # then
    assert after["data"] == before["data"]
    assert {"gender", "date_of_birth"} <= set(after["data"])
    assert approved["gender"] == "male"
    assert "first_name" not in approved


@time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC), tick=False)
def test_hiding_the_document_type_also_withholds_the_decision_trace_details(api_client, project):
    # given
    projection_id = _save(project, fields=["idType"])
    submission = _approved(project, projection_id, fields=["idType"])

    # when
    item = _get(api_client, submission)

    # then
    assert "idType" not in item["data"]
    assert item["idcheck"]["decision"]["trace"]
    assert {line["detail"] for line in item["idcheck"]["decision"]["trace"]} == {""}


def test_a_page_of_submissions_reads_the_projections_once(api_client, project):
    # given: three Liveform submissions made with a projection, one without
    projection_id = _save(project)
    for _ in range(3):
        details = SubmissionDetails(cf1="shop-1", cf2="campaign", projection=(projection_id, tuple(HIDDEN)))
        submission_create(project=project, source="liveform", actor=ACTOR, details=details)
    submission_create(project=project, source="liveform", actor=ACTOR, details=SubmissionDetails(cf1="shop-1"))

    # when
    with CaptureQueriesContext(connection) as queries:
        items = api_client.get("/v3/submission").json()["Items"]

    # then
    assert [item["data"] for item in items] == [{"cf1": "shop-1"}, *[{"cf2": "campaign"}] * 3]
    assert sum('"projects_projection"' in query["sql"] for query in queries.captured_queries) == 1
