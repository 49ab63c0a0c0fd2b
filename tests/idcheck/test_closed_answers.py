"""G10, over-exposure: every object an answer is made of declares all its properties in the
committed schema (``additionalProperties: false``, idcheck.api_schema.closed_answers), so
Schemathesis' response conformance check, which test_schemathesis runs on every generated call,
fails on any field the schema does not name. Here: a submission decided by the real engines
answers within its schema, and the same answer with one more field does not."""

from __future__ import annotations

import json

import pytest
import yaml
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import response_schema_conformance

from projects.actors import Actor
from projects.services import api_key_issue
from submissions.services import SubmissionDetails, submission_create, submission_process
from tests.factories import MembershipFactory
from tests.idcheck.test_schemathesis import COMMITTED_SCHEMA, SCHEMA, wsgi_app  # noqa: F401 (the fixture)
from tests.submissions.api.helpers import passport_case

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")
LIST = SCHEMA["/v3/submission"]["GET"]


def _read(app, key: str, submission_id: str):
    case = LIST.Case(query={"submission_id": submission_id})
    return case, case.call(app=app, headers={"x-api-key": key})


def _call(app, key: str, path: str, method: str, body: dict):
    case = SCHEMA[path][method].Case(body=body, media_type="application/json")
    return case.call(app=app, headers={"x-api-key": key, "Content-Type": "application/json"})


@pytest.fixture
def verified(project):
    """A passport and a selfie of its holder, decided by the real pipeline in this process."""
    case = passport_case()
    submission = submission_create(
        project=project, source="api", actor=ACTOR, images={"id_front": case.front, "selfie": case.selfie},
        details=SubmissionDetails(email="person@example.com", userid="user-7"),
    )  # fmt: skip
    submission_process(submission_id=submission.pk)
    return submission


def test_every_object_an_answer_is_made_of_is_closed():
    schemas = yaml.safe_load(COMMITTED_SCHEMA.read_text(encoding="utf-8"))["components"]["schemas"]
    for name in ("SubmissionItem", "Data", "Kyc", "Extension", "Decision", "TraceStep", "NetworkVerdict"):
        assert schemas[name]["additionalProperties"] is False, name
    assert "additionalProperties" not in schemas["SubmissionCreateInput"]  # bodies keep their own rules


def test_a_submission_decided_by_the_engines_answers_within_its_schema(project, settings, wsgi_app, verified):  # noqa: F811
    # given
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    key = api_key_issue(project=project, actor=ACTOR).plaintext

    # when
    case, response = _read(wsgi_app, key, verified.pk)

    # then: the whole item, decision trace and client verdicts included, is declared
    assert response.status_code == 200
    [item] = response.json()["Items"]
    assert item["submission_id"] == verified.pk
    assert {"kyc", "data", "idcheck"} <= set(item)
    case.validate_response(response, checks=[response_schema_conformance])  # raises on any mismatch


def test_an_undeclared_field_in_an_answer_fails_the_check(project, settings, wsgi_app, verified):  # noqa: F811
    # given: the real answer with one field the schema does not name
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    key = api_key_issue(project=project, actor=ACTOR).plaintext
    case, response = _read(wsgi_app, key, verified.pk)
    body = response.json()
    body["Items"][0]["data"]["internal_note"] = "not for the integrator"
    content = json.dumps(body).encode()
    response = Response(status_code=200, headers=response.headers, content=content, request=response.request,
                        elapsed=response.elapsed, verify=response.verify)  # fmt: skip

    # when / then
    with pytest.raises((AssertionError, FailureGroup)) as refused:
        case.validate_response(response, checks=[response_schema_conformance])
    assert "internal_note" in str(refused.value)



def test_a_migrated_and_patched_submission_answers_within_its_schema(project, settings, wsgi_app):  # noqa: F811
    # given: the data fields only a migration and a PATCH give (no engine reads them)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    key = api_key_issue(project=project, actor=ACTOR).plaintext
    admin = MembershipFactory(project=project).user
    migrated = _call(wsgi_app, key, "/v3/submission/migration", "POST", {
        "admin": admin.email, "email": "hong@example.com", "fullName": "HONG GILDONG", "firstName": "GILDONG",
        "lastName": "HONG", "birthDate": "1992-06-13", "kycStatus": "approved", "idType": "drivers_license",
        "issuingCountry": "KOR", "nationality": "KOR", "gender": "male", "expireDate": "2029-01-01",
        "issueDate": "2019-01-01", "identityNumber": "920613-1234567", "address_state": "Seoul",
        "address_full": "1 Sejong-daero, Jung-gu, Seoul",
    })  # fmt: skip
    assert migrated.status_code == 200, migrated.content
    submission_id = migrated.json()["submissionId"]
    patched = _call(wsgi_app, key, "/v3/submission", "PATCH",
                    {"submissionId": submission_id, "admin": admin.email, "data": {"serialNumber": "A-12"}})
    assert (migrated.status_code, patched.status_code) == (200, 200), patched.content

    # when
    case, response = _read(wsgi_app, key, submission_id)

    # then
    assert response.status_code == 200, response.content
    data = response.json()["Items"][0]["data"]
    assert {key: data[key] for key in ("identityNumber", "idcard_issueDate", "serialNumber", "address_state",
                                       "address_formatted")} == {
        "identityNumber": "920613-1234567", "idcard_issueDate": "2019-01-01", "serialNumber": "A-12",
        "address_state": "Seoul", "address_formatted": "1 Sejong-daero, Jung-gu, Seoul",
    }  # fmt: skip
    case.validate_response(response, checks=[response_schema_conformance])
