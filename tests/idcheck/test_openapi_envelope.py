"""What the committed schema says about bodies drf-spectacular leaves out by default: the DELETE
operations' bodies, and Secure Data Transfer's envelope, checked against the real answers of a
project with it on (the Schemathesis run of test_schemathesis fuzzes a plain project)."""

from __future__ import annotations

import json

import pytest
import yaml
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.idcheck.test_schemathesis import COMMITTED_SCHEMA, SCHEMA, wsgi_app  # noqa: F401 (the fixture)
from tests.idcheck.test_secure_transfer import Integrator
from tests.submissions.test_submission_update import decided_submission

CHECKS = [status_code_conformance, response_schema_conformance, content_type_conformance]
ENVELOPE = {"$ref": "#/components/schemas/SecureTransferRequestEnvelope"}


def _committed() -> dict:
    return yaml.safe_load(COMMITTED_SCHEMA.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("path", "body", "required"),
    [
        ("/v3/submission/tokens", "TokenDeleteBody", False),
        ("/v3/submission/aml/monitor/{worklistId}", "AmlMonitorDeleteBody", True),
        ("/v3/submission/partial", "SubmissionPartialDeleteBody", False),
    ],
)
def test_the_delete_operations_describe_their_bodies(path, body, required):
    # when
    request_body = _committed()["paths"][path]["delete"]["requestBody"]

    # then: the view's declared body, or the envelope of a project with Secure Data Transfer
    assert request_body["content"]["application/json"]["schema"] == {
        "anyOf": [{"$ref": f"#/components/schemas/{body}"}, ENVELOPE]
    }
    assert request_body.get("required", False) is required


def test_the_deletes_without_a_body_describe_none():
    paths = _committed()["paths"]
    for path in ("/v3/submission", "/v3/projection/{projection_id}"):
        assert "requestBody" not in paths[path]["delete"], path


def test_every_json_body_and_answer_may_be_the_envelope():
    # given
    schema = _committed()

    # then
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
                if media_type in {"application/json", "text/plain"}:
                    assert media["schema"]["anyOf"][1:] == [ENVELOPE], f"{method} {path} {media_type}"
            for status, answer in operation["responses"].items():
                if "application/json" in answer.get("content", {}):
                    alternatives = answer["content"]["application/json"]["schema"]["anyOf"][1:]
                    assert alternatives[0] == {"$ref": "#/components/schemas/SecureTransferEnvelope"}, (
                        f"{method} {path} {status}"
                    )


@pytest.mark.parametrize("request_type", ["kyc", "data", "others", "aml"])
def test_a_sliced_list_answer_matches_the_schema(project, settings, wsgi_app, request_type):  # noqa: F811
    # given: found by the stateful phase, which read a migrated submission with request_type=aml
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    plain = Integrator(project, None)
    submission = decided_submission(project)

    # when
    response = _sent(plain, wsgi_app, "get", "/v3/submission", submission_id=submission.pk, request_type=request_type)

    # then: validated above; each item keeps its id beside the slice
    [item] = response.json()["Items"]
    assert item["submission_id"] == submission.pk
    assert ("aml" in item) is (request_type == "aml")


def _sent(integrator: Integrator, app, method: str, path: str, body: str | None = None, **query: str):
    operation = SCHEMA[path][method.upper()]
    sent = {"body": body, "media_type": "application/json"} if body is not None else {}
    case = operation.Case(query=query or None, **sent)
    headers = {"x-api-key": integrator.client.defaults["HTTP_X_API_KEY"]}
    if body is not None:
        headers["Content-Type"] = "application/json"
    response = case.call(app=app, headers=headers)
    case.validate_response(response, checks=CHECKS)
    return response


@pytest.mark.parametrize("cipher", ["gcm", "cbc"])
def test_a_secure_transfer_projects_answers_match_the_schema(project, settings, wsgi_app, cipher):  # noqa: F811
    # given
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # Schemathesis' WSGI host
    secure = Integrator(project, cipher)

    # when
    registered = _sent(
        secure, wsgi_app, "post", "/v3/submission/tokens", json.loads(secure.envelope({"tokenId": ["tokenA001"]}))
    )
    read = _sent(secure, wsgi_app, "get", "/v3/submission/tokens", tokenId="tokenA001")
    deleted = _sent(
        secure, wsgi_app, "delete", "/v3/submission/tokens", json.loads(secure.envelope({"tokenId": ["tokenA001"]}))
    )
    failed = _sent(secure, wsgi_app, "delete", "/v3/submission/tokens", {"data": "not base64!"})

    # then: each answer validated above; these are what they carry
    assert [r.status_code for r in (registered, read, deleted, failed)] == [200, 200, 200, 400]
    assert all(list(r.json()) == ["data"] for r in (registered, read, deleted))
    assert failed.json() == {"errorCode": "Decryption is Failed. Please check the api-key."}


def test_a_projection_links_to_its_read_and_delete():
    # when
    links = _committed()["paths"]["/v3/projection"]["post"]["responses"]["200"]["links"]

    # then: what Schemathesis' stateful phase (and a client) follows
    assert links == {
        "ReadProjection": {
            "operationId": "projection_get",
            "parameters": {"projection_id": "$response.body#/projection_id"},
        },
        "DeleteProjection": {
            "operationId": "projection_delete",
            "parameters": {"projection_id": "$response.body#/projection_id"},
        },
    }
