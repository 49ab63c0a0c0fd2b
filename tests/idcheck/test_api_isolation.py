"""G9: the tenant matrix, generated from the committed OpenAPI schema.

For every operation of ``idcheck/openapi-v3.yaml`` the requests are built from the schema's own
parameters and body properties, filled with project B's ids (a decided submission with its
images, a pending one, an AML match, a Liveform token, a projection) and sent with project A's
key. A sees nothing of B (the operation's refusal or A's own empty answer, never one of B's
values) and changes nothing of B (every row of B compared before and after). The same requests
without a key or with a wrong key are ``403 {"message": "Forbidden"}`` and change nothing at all.
A new operation in the schema is in the matrix at once: until its exact answer is written down in
``EXPECTED`` it must answer a status it documents, never a 5xx; an operation whose required
inputs the generator cannot fill fails ``test_the_generator_fills_every_operation_of_the_schema``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from django.conf import settings
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from idcheck.timeformat import format_compact
from policy.aml.models import AmlMonitorMatch, AmlMonitorRecord, AmlWorklist
from policy.services import policy_settings_update
from projects.actors import Actor
from projects.models import AuditEvent, LiveformToken, Projection
from projects.services import api_key_issue, liveform_tokens_register, project_settings_update, projection_save
from submissions import vault
from submissions.models import AmlMatch, AmlScreening, CheckResult, Submission, SubmissionImage, SubmissionStatus
from submissions.services.aml import submission_aml_screen
from submissions.services.aml_monitoring import aml_monitor_register
from submissions.services.delete import DATA_FIELDS, PARTIAL_FIELDS
from tests.conftest import TEST_HOST
from tests.factories import MembershipFactory, ProjectFactory, SubmissionFactory
from tests.idcheck.schema_helpers import without_envelope
from tests.submissions.api.helpers import b64, photo
from tests.submissions.test_aml_screening import _eager, import_list  # noqa: F401 (the fixture)
from tests.submissions.test_submission_update import decided_submission
from webhooks.models import WebhookOutbox

ACTOR = Actor.system("test")
SCHEMA = yaml.safe_load((Path(settings.BASE_DIR) / "idcheck" / "openapi-v3.yaml").read_text(encoding="utf-8"))
OPERATIONS = {
    operation["operationId"]: (method, path, operation)
    for path, item in SCHEMA["paths"].items()
    for method, operation in item.items()
}
FORBIDDEN = {"message": "Forbidden"}
# Query parameters that only mean something together (a page continuation).
TOGETHER = ({"nextpage_id", "nextpage_date"}, {"nextPageKeyId", "nextPageKeyTime"})
# An operation whose body has two modes gets one body per mode (the schema's body has both).
DELETE_BODIES = {
    "tokens_delete": ({"tokenId": ["tokenB0001"]}, {"updatedBefore": "2100-01-01T00:00:00Z"}),
}
PHOTO = b64(photo())


@dataclass
class TenantB:
    """Project B's objects, and the values that point at them."""

    project: Any
    decided: Submission
    pending: Submission
    resource_id: str
    projection_id: str
    token_id: str = "tokenB0001"
    worklist_id: str = "worklistB001"
    record_id: str = "worklistB001_decided_id"
    markers: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    path: str
    query: dict[str, str]
    body: dict[str, Any] | None
    content_type: str


@pytest.fixture
def tenant_b(db, tmp_path) -> TenantB:
    project = ProjectFactory()
    MembershipFactory(project=project)
    policy_settings_update(project=project, changes={"policy_reviewer": "client_api"}, actor=ACTOR)
    import_list(tmp_path)
    decided = decided_submission(project)
    CheckResult.objects.create(submission=decided, step="document", outcome="read", summary={"kind": "td3"})
    pending = SubmissionFactory(project=project, status=SubmissionStatus.PENDING)
    pending.wrapped_data_key = vault.new_wrapped_data_key(pending.pk)
    pending.save(update_fields=["wrapped_data_key"])
    submission_aml_screen(project=project, submission_id=decided.pk, actor=ACTOR)
    liveform_tokens_register(project=project, token_ids=["tokenB0001"], actor=ACTOR)
    saved = projection_save(project=project, name="b_minimal", mode="exclude", fields=["gender"], actor=ACTOR)
    resource_id = AmlMatch.objects.filter(project=project).order_by("rank").values_list("resource_id", flat=True)[0]
    b = TenantB(project, decided, pending, resource_id, saved.item["projection_id"])
    b.record_id = _monitored(project, b.worklist_id, decided)
    b.markers = {decided.pk, pending.pk, resource_id, b.projection_id, b.token_id, decided.applicant_id,
                 "ERIKSSON", "person@example.com", "user-7", "b_minimal"}  # fmt: skip
    return b


def _monitored(project, worklist_id: str, submission: Submission) -> str:
    """The project monitors, with worklist ``worklist_id`` holding ``submission`` (and its matches)."""
    project_settings_update(project=project, changes={"aml_monitoring": True}, actor=ACTOR)
    AmlWorklist.objects.create(id=worklist_id, project=project, name="known id")
    registered = aml_monitor_register(project=project, worklist_id=worklist_id, submission_ids=[submission.pk],
                                      admin="admin@example.com", actor=ACTOR)  # fmt: skip
    return registered.success[0]["recordIds"][0]


@pytest.fixture
def tenant_a(db):
    """Project A, reviewed by its client like B, with an admin: A's own checks pass, only tenancy refuses."""
    project = ProjectFactory()
    admin = MembershipFactory(project=project).user
    policy_settings_update(project=project, changes={"policy_reviewer": "client_api"}, actor=ACTOR)
    key = api_key_issue(project=project, actor=ACTOR).plaintext
    project_settings_update(project=project, changes={"aml_monitoring": True}, actor=ACTOR)
    return project, admin.email, key


def _values(b: TenantB, submission: Submission, admin: str) -> dict[str, Any]:
    """What each parameter or body property is filled with, by its name in the schema."""
    return {
        "submission_id": submission.pk, "submissionId": submission.pk, "admin": admin, "admin_name": admin,
        "applicant_id": b.decided.applicant_id, "userid": "user-7", "email": "person@example.com",
        "projection_id": b.projection_id, "resourceId": b.resource_id, "tokenId": b.token_id,
        "nextpage_id": submission.pk, "nextpage_date": format_compact(submission.created_at),
        "nextPageKeyId": b.token_id, "nextPageKeyTime": "2000-01-01T00:00:00.000000Z",
        "type": "idImage", "fields": ",".join(PARTIAL_FIELDS), "data_fields": ",".join(DATA_FIELDS),
        "name": "b_minimal", "mode": "exclude", "status": "rejected", "rejectComment": "Not the person.",
        "data": {"fullName": "MALLORY EVE"}, "comment": "changed", "idImage": PHOTO, "selfieImage": PHOTO,
        "idType": "passport", "fullName": "MALLORY EVE", "birthDate": "1990-01-31", "kycStatus": "approved",
        "amlThreshold": 0, "worklistId": b.worklist_id, "recordId": b.record_id, "recordIds": [b.record_id], "submissionIds": [submission.pk],
    }  # fmt: skip


ARRAYS = {"tokenId": ["tokenB0001"], "fields": ["gender", "nationality"]}


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    schema = without_envelope(schema)
    ref = schema.get("$ref", "")
    return SCHEMA["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def _calls(operation_id: str, b: TenantB, admin: str) -> list[Call]:
    """The operation's requests aimed at B, built from its schema (module doc)."""
    method, template, operation = OPERATIONS[operation_id]
    params = [p for p in operation.get("parameters", []) if p["in"] in ("query", "path")]
    names = {p["name"] for p in params}
    takes_submission = names & {"submission_id", "submissionId"}
    content = operation.get("requestBody", {}).get("content", {})
    content_type = "application/json" if "application/json" in content else next(iter(content), "application/json")
    properties = _resolve(content[content_type]["schema"]) if content else {"properties": {}}
    takes_submission = takes_submission or {"submissionId"} & set(properties["properties"])
    calls = []
    for submission in (b.decided, b.pending) if takes_submission else (b.decided,):
        values = _values(b, submission, admin)
        missing = [p["name"] for p in params if p.get("required") and p["name"] not in values]
        missing += [name for name in properties.get("required", []) if name not in values]
        assert not missing, f"{operation_id}: the matrix cannot fill {missing}; add them to _values"
        path = template
        for p in params:
            if p["in"] == "path":
                path = path.replace("{" + p["name"] + "}", str(values[p["name"]]))
        values.update({p["name"]: p["schema"]["enum"][0] for p in params
                       if values.get(p["name"]) not in p.get("schema", {}).get("enum", [values.get(p["name"])])})  # fmt: skip
        required = {p["name"]: values[p["name"]] for p in params if p["in"] == "query" and p.get("required")}
        body = None
        if content:
            body = {name: ARRAYS[name] if spec.get("type") == "array" and name in ARRAYS else values[name]
                    for name, spec in properties["properties"].items() if name in values}  # fmt: skip
        optional = [p["name"] for p in params if p["in"] == "query" and not p.get("required") and p["name"] in values]
        groups = [next((g for g in TOGETHER if name in g), {name}) for name in optional]
        variants = [("required", {})] + [
            ("+".join(sorted(g)), {n: values[n] for n in g}) for g in {frozenset(g): g for g in groups}.values()
        ]
        label = "decided" if submission is b.decided else "pending"
        bodies = DELETE_BODIES.get(operation_id, (body,))
        for index, extra_body in enumerate(bodies):
            for name, extra in variants:
                calls.append(Call(f"{label}/{name}/body{index}", method, path, {**required, **extra},
                                  extra_body, content_type))  # fmt: skip
    return calls


def _send(client: Client, call: Call):
    url = call.path + ("?" + urlencode(call.query) if call.query else "")
    send = getattr(client, call.method)
    if call.body is None:
        return send(url)
    if call.content_type == "multipart/form-data":
        return send(url, encode_multipart(BOUNDARY, call.body), content_type=MULTIPART_CONTENT)
    return send(url, json.dumps(call.body), content_type="application/json")


def _snapshot(project) -> dict[str, list]:
    """Every row of the project that an API call could change, as stored."""
    on = {"project": project}
    by_submission = {"submission__project": project}
    tables = {
        "submissions": Submission.objects.filter(**on),
        "images": SubmissionImage.objects.filter(**by_submission),
        "checks": CheckResult.objects.filter(**by_submission),
        "tokens": LiveformToken.objects.filter(**on),
        "projections": Projection.objects.filter(**on),
        "outbox": WebhookOutbox.objects.filter(**on),
        "audit": AuditEvent.objects.filter(**on),
        "aml": AmlScreening.objects.filter(**on),
        "matches": AmlMatch.objects.filter(**on),
        "monitor_records": AmlMonitorRecord.objects.filter(**on),
        "monitor_matches": AmlMonitorMatch.objects.filter(**on),
    }
    return {name: [_plain(row) for row in rows.order_by("pk").values()] for name, rows in tables.items()}


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {key: bytes(value) if isinstance(value, memoryview) else value for key, value in row.items()}


def _answer(response) -> Any:
    if response.get("Content-Type", "").startswith("application/json"):
        return response.json()
    return response.content


def _own(model, key: str):
    """A 200 answering an object A just made in its own project (never one of B's)."""

    def check(response, project_a) -> None:
        assert response.status_code == 200, response.content
        assert model.objects.get(pk=response.json()[key]).project == project_a

    return check


NO_SUBMISSION = (400, {"message": "not Exist Submission Data", "statusCode": 400})
NO_WORKLIST = (400, {"errorCode": "invalid_worklist", "message": "Worklist is not found or not active: worklistB001"})
# What A gets, per operation and, where it differs, per call: the operation's refusal of an id it
# does not know, or A's own (empty) answer. A callable checks an answer that names a new object.
EXPECTED: dict[str, Any] = {
    "aml_monitor_delete": NO_WORKLIST,
    "aml_monitor_record": NO_WORKLIST,
    "aml_monitor_register": NO_WORKLIST,
    "aml_report": (404, {"errorCode": "not_found", "message": "Cannot find report."}),
    "image_get": (404, {"errorCode": "image_not_found", "message": "Image not found."}),
    "projection_create": _own(Projection, "projection_id"),
    "projection_delete": (404, {"message": "Projection not found"}),
    "projection_get": (404, {"message": "Projection not found"}),
    "projection_list": (200, {"items": [], "message": "Get projection list success"}),
    "submission_aml_screen": (400, {"errorCode": "invalid_submissionId", "message": "Cannot find submission."}),
    "submission_applicant_list": (200, []),
    "submission_create": _own(Submission, "submissionId"),
    "submission_delete": NO_SUBMISSION,
    "submission_delete_partial": NO_SUBMISSION,
    "submission_image_put": (400, {"errorCode": "invalid_submission", "message": "Invalid submission."}),
    "submission_list": (200, {"Items": []}),
    "submission_migrate": _own(Submission, "submissionId"),
    "submission_patch": (400, {"errorCode": "not Exist Submission Data"}),
    "submission_review": (400, {"message": "Invalid Submission Id."}),
    "tokens_delete": {
        "body0": (400, {"errorCode": "token_id_not_found", "errorMessage": "None of the Token IDs is in the pool.",
                        "details": ["tokenB0001"]}),
        "body1": (200, {"success": True, "message": "Successfully deleted 0 tokens", "summary": {"deleted": 0}}),
    },
    "tokens_get": {
        "required": (200, {"success": True, "count": 0, "data": []}),
        "nextPageKeyId+nextPageKeyTime": (200, {"success": True, "count": 0, "data": []}),
        "tokenId": (404, {"errorCode": "token_not_found", "errorMessage": "Token not found."}),
        "type": (200, {"success": True, "count": 0, "expiredCount": 0}),
    },
    # A registers the same Token ID in its own pool; B's token keeps its use history and time.
    "tokens_register": (200, {"success": True, "message": "All tokens are now in the pool",
                              "summary": {"totalSubmitted": 1, "currentCount": 1, "processed": 1, "failed": 0}}),
}  # fmt: skip


def _expected(operation_id: str, call: Call) -> Any:
    """The exact answer where it is written down; a new operation gets the generic check."""
    expected = EXPECTED.get(operation_id, _documented(operation_id))
    if isinstance(expected, dict):
        _, variant, body = call.name.split("/")
        return expected.get(body, expected.get(variant))
    return expected


def _documented(operation_id: str):
    """For an operation not yet in EXPECTED: an answer the operation documents, never a 5xx (the
    leak and no-change checks apply as to every operation)."""

    def check(response, project_a) -> None:
        assert response.status_code < 500, response.content
        assert str(response.status_code) in OPERATIONS[operation_id][2]["responses"], response.content

    return check


def test_the_generator_fills_every_operation_of_the_schema():
    # given: stand-ins for B's objects (the generator reads only their ids and dates)
    made = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    decided = SimpleNamespace(pk="decided_id", created_at=made, applicant_id="a" * 20)
    b = TenantB(None, decided, SimpleNamespace(pk="pending_id", created_at=made), "resource", "projection")

    # when
    calls = {operation_id: _calls(operation_id, b, "admin@example.com") for operation_id in OPERATIONS}

    # then: every operation gets requests (a required input the generator cannot fill fails in
    # _calls), and the expected answers name only operations of the schema
    assert [operation_id for operation_id, made_calls in calls.items() if not made_calls] == []
    assert set(EXPECTED) - set(OPERATIONS) == set(), "operations no longer in the schema"
    assert len(OPERATIONS) >= 19


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_project_a_sees_nothing_of_project_b_and_changes_nothing(tenant_a, tenant_b, operation_id):
    # given
    project_a, admin, key = tenant_a
    api = Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=key)
    calls = _calls(operation_id, tenant_b, admin)
    before = _snapshot(tenant_b.project)
    assert [name for name, rows in before.items() if not rows] == []  # B has something of each kind to lose

    for call in calls:
        # when
        response = _send(api, call)

        # then
        expected = _expected(operation_id, call)
        if callable(expected):
            expected(response, project_a)
        else:
            assert (response.status_code, _answer(response)) == expected, f"{operation_id} {call.name}"
        text = response.content.decode("utf-8", "replace")
        sent = json.dumps([call.query, call.body, call.path])
        leaked = sorted(marker for marker in tenant_b.markers if marker in text and marker not in sent)
        assert leaked == [], f"{operation_id} {call.name}: B's values in {text[:300]}"
        assert _snapshot(tenant_b.project) == before, f"{operation_id} {call.name} changed project B"


def _everything() -> dict[str, int]:
    models = (Submission, SubmissionImage, CheckResult, LiveformToken, Projection, WebhookOutbox, AuditEvent,
              AmlScreening, AmlMatch, AmlMonitorRecord, AmlMonitorMatch)  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.parametrize("key", ["none", "wrong"])
@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_without_a_valid_key_every_operation_is_forbidden_and_changes_nothing(tenant_a, tenant_b, operation_id, key):
    # given: the same calls, with no key or with A's key one character off
    project_a, admin, real = tenant_a
    headers = {} if key == "none" else {"HTTP_X_API_KEY": real[:-1] + ("b" if real[-1] == "a" else "a")}
    anonymous = Client(HTTP_HOST=TEST_HOST, **headers)
    before = (_snapshot(tenant_b.project), _snapshot(project_a), _everything())

    for call in _calls(operation_id, tenant_b, admin):
        # when
        response = _send(anonymous, call)

        # then
        assert (response.status_code, response.json()) == (403, FORBIDDEN), f"{operation_id} {call.name}"
    assert (_snapshot(tenant_b.project), _snapshot(project_a), _everything()) == before
