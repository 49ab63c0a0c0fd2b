"""G10: no caller can set a server-owned field through a v3 write operation.

Every write operation of ``idcheck/openapi-v3.yaml`` (POST, PUT, PATCH, DELETE) is sent a valid
request on the caller's own objects, with server-owned fields added (the project and its id, the
status, the run state, the scores, the applicant id, credits, timestamps, ids, the reviewer,
staff rights…) in the body, in the query string and, where the operation takes a map of changes,
inside it. Each answer is the operation's documented refusal of an unknown parameter, or its
success with the extra fields ignored; in both cases no stored row shows any of them, no other
project changed and the project's credits moved only by the operation's own price.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from policy.services import policy_settings_update
from projects.actors import Actor
from projects.models import LiveformToken, Project, Projection, User
from projects.services import api_key_issue, liveform_tokens_register, projection_save
from submissions import vault
from submissions.models import AmlScreening, Submission, SubmissionImage, SubmissionStatus
from tests.conftest import TEST_HOST
from tests.factories import MembershipFactory, ProjectFactory, SubmissionFactory
from tests.idcheck.schema_helpers import without_envelope
from tests.idcheck.test_api_isolation import _monitored
from tests.submissions.api.helpers import b64, photo
from tests.submissions.test_aml_screening import _eager, import_list  # noqa: F401 (the fixture)
from tests.submissions.test_submission_update import decided_submission

ACTOR = Actor.system("test")
WORKLIST = "worklistA001"
SCHEMA = yaml.safe_load((Path(settings.BASE_DIR) / "idcheck" / "openapi-v3.yaml").read_text(encoding="utf-8"))
WRITES = {
    operation["operationId"]: (method, path, operation)
    for path, item in SCHEMA["paths"].items()
    for method, operation in item.items()
    if method in ("post", "put", "patch", "delete")
}
MARK = "mallory"
NUMBER = 987654
FORGED_TIME = "2001-02-03T04:05:06Z"
PHOTO = b64(photo())


def forged(other: Project) -> dict[str, Any]:
    """Server-owned fields with values no operation would ever store by itself."""
    return {
        "project": other.pk, "project_id": other.pk, "pid": other.pid, "status": "approved", "run_state": "decided",
        "argos_score": NUMBER, "applicant_id": f"{MARK}-applicant", "credits": NUMBER, "created_at": FORGED_TIME,
        "updated_at": FORGED_TIME, "decided_at": FORGED_TIME, "id": f"{MARK}-id", "pk": f"{MARK}-pk",
        "reviewer": f"{MARK}@evil.example", "is_staff": True, "is_superuser": True, "source": "migration",
        "kyc_result": "approved", "wrapped_data_key": MARK, "projection_id": f"{MARK}-projection",
        "submission_id": f"{MARK}-submission", "submissionId": f"{MARK}-submission",
    }  # fmt: skip


@dataclass
class Tenant:
    project: Project
    admin: str
    client: Client
    decided: Submission
    pending: Submission
    projection_id: str
    other: Project


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, Any]
    body: dict[str, Any] | None
    content_type: str = "application/json"


@pytest.fixture
def tenant(db, tmp_path) -> Tenant:
    project = ProjectFactory(credits=50)
    admin = MembershipFactory(project=project).user.email
    policy_settings_update(project=project, changes={"policy_reviewer": "client_api"}, actor=ACTOR)
    import_list(tmp_path)
    decided = decided_submission(project)
    pending = SubmissionFactory(project=project, status=SubmissionStatus.PENDING)
    pending.wrapped_data_key = vault.new_wrapped_data_key(pending.pk)
    pending.save(update_fields=["wrapped_data_key"])
    liveform_tokens_register(project=project, token_ids=["tokenA0000"], actor=ACTOR)
    projection = projection_save(project=project, name="a_minimal", mode="exclude", fields=["gender"], actor=ACTOR)
    key = api_key_issue(project=project, actor=ACTOR).plaintext
    _monitored(project, WORKLIST, decided)
    client = Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=key)
    return Tenant(project, admin, client, decided, pending, projection.item["projection_id"], ProjectFactory())


# A valid request per write operation, on the caller's own objects.
BASE = {
    "submission_create": lambda t: Call("post", "/v3/submission", {}, {"idImage": PHOTO}),
    "submission_migrate": lambda t: Call("post", "/v3/submission/migration", {}, {
        "admin": t.admin, "email": "hong@example.com", "fullName": "HONG GILDONG", "birthDate": "1992-06-13", "kycStatus": "rejected"}),
    "submission_patch": lambda t: Call("patch", "/v3/submission", {}, {
        "submissionId": t.decided.pk, "admin": t.admin, "data": {"fullName": "ERIKSSON ANNA"}}),
    "submission_review": lambda t: Call("post", "/v3/submission/review", {}, {
        "submissionId": t.pending.pk, "admin": t.admin, "status": "rejected", "rejectComment": "Not the person."}),
    "submission_image_put": lambda t: Call("put", "/v3/submission/image", {}, {
        "submissionId": t.decided.pk, "admin": t.admin, "selfieImage": PHOTO}, MULTIPART_CONTENT),
    "submission_delete": lambda t: Call("delete", "/v3/submission", {"submission_id": t.decided.pk,
                                                                     "admin_name": t.admin}, None),
    "submission_delete_partial": lambda t: Call("delete", "/v3/submission/partial", {
        "submission_id": t.decided.pk, "fields": "selfie_image"}, None),
    "submission_aml_screen": lambda t: Call("post", "/v3/submission/aml", {}, {"submissionId": t.decided.pk}),
    "tokens_register": lambda t: Call("post", "/v3/submission/tokens", {}, {"tokenId": ["tokenA0001"]}),
    "tokens_delete": lambda t: Call("delete", "/v3/submission/tokens", {}, {"tokenId": ["tokenA0000"]}),
    "projection_create": lambda t: Call("post", "/v3/projection", {}, {
        "name": "a_new", "mode": "exclude", "fields": ["gender"]}),
    "projection_delete": lambda t: Call("delete", f"/v3/projection/{t.projection_id}", {}, None),
    "aml_monitor_register": lambda t: Call("post", f"/v3/submission/aml/monitor/{WORKLIST}", {}, {
        "submissionIds": [t.decided.pk], "admin": t.admin}),
    "aml_monitor_delete": lambda t: Call("delete", f"/v3/submission/aml/monitor/{WORKLIST}", {}, {
        "recordIds": [f"{WORKLIST}_{t.decided.pk}"], "admin": t.admin}),
}  # fmt: skip


def _own(t: Tenant) -> dict[str, Any]:
    """The caller's own values, by the name of the parameter or member that takes them."""
    return {
        "submission_id": t.decided.pk, "submissionId": t.decided.pk, "admin": t.admin, "admin_name": t.admin,
        "projection_id": t.projection_id, "tokenId": "tokenA0000", "fields": "selfie_image", "name": "a_new",
        "mode": "exclude", "idImage": PHOTO, "email": "hong@example.com", "fullName": "HONG GILDONG",
        "birthDate": "1992-06-13", "kycStatus": "rejected", "status": "rejected", "rejectComment": "Not the person.",
        "data": {"fullName": "ERIKSSON ANNA"},
    }  # fmt: skip


def _from_schema(operation_id: str):
    """A request built from the schema with the caller's own values, for a write operation that
    has no hand-written case in BASE yet (a new one is covered at once)."""
    method, template, operation = WRITES[operation_id]

    def build(t: Tenant) -> Call:
        values = _own(t)
        params = [p for p in operation.get("parameters", []) if p["in"] in ("query", "path")]
        content = operation.get("requestBody", {}).get("content", {})
        content_type = "application/json" if "application/json" in content else next(iter(content), "application/json")
        schema = without_envelope(content[content_type]["schema"]) if content else {}
        body_schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else {}
        required = [p["name"] for p in params if p.get("required")] + body_schema.get("required", [])
        missing = [name for name in required if name not in values]
        assert missing == [], f"{operation_id}: no value for {missing}; add them to _own"
        path = template
        for p in params:
            if p["in"] == "path":
                path = path.replace("{" + p["name"] + "}", str(values[p["name"]]))
        query = {p["name"]: values[p["name"]] for p in params if p["in"] == "query" and p["name"] in values}
        body = {name: values[name] for name in body_schema.get("properties", {}) if name in values}
        if content_type == "multipart/form-data":
            content_type = MULTIPART_CONTENT
        return Call(method, path, query, body if content else None, content_type)

    return build


# Operations that take a map of changes, and its name: the forged fields go inside it too.
CHANGE_MAPS = {"submission_patch": "data", "submission_review": "updateFields"}


def _variants(operation_id: str) -> list[str]:
    return ["body", "query"] + (["map"] if operation_id in CHANGE_MAPS else [])


def _with_forged(call: Call, where: str, extra: dict[str, Any], change_map: str) -> Call:
    if where == "query":
        return Call(call.method, call.path, {**call.query, **extra}, call.body, call.content_type)
    body = dict(call.body or {})
    if where == "map":
        body[change_map] = {**body.get(change_map, {}), **extra}
    else:
        body.update(extra)
    return Call(call.method, call.path, call.query, body, call.content_type)


def _send(client: Client, call: Call):
    url = call.path + ("?" + urlencode(call.query) if call.query else "")
    send = getattr(client, call.method)
    if call.body is None:
        return send(url)
    if call.content_type == MULTIPART_CONTENT:
        return send(url, encode_multipart(BOUNDARY, call.body), content_type=MULTIPART_CONTENT)
    return send(url, json.dumps(call.body), content_type="application/json")


def _rows(project: Project) -> dict[str, list[dict[str, Any]]]:
    tables = {
        "project": Project.objects.filter(pk=project.pk),
        "submissions": Submission.objects.filter(project=project),
        "images": SubmissionImage.objects.filter(submission__project=project),
        "tokens": LiveformToken.objects.filter(project=project),
        "projections": Projection.objects.filter(project=project),
        "aml": AmlScreening.objects.filter(project=project),
    }
    return {name: list(rows.order_by("pk").values()) for name, rows in tables.items()}


def _forged_values_stored(rows: dict[str, list[dict[str, Any]]], other: Project) -> list[str]:
    """Every stored value that one of the forged fields could have put there."""
    found = []
    for table, items in rows.items():
        for row in items:
            for name, value in row.items():
                forged_text = isinstance(value, str) and MARK in value
                forged_number = value == NUMBER and not isinstance(value, bool)
                forged_time = isinstance(value, dt.datetime) and value.year == 2001
                moved = name == "project_id" and value == other.pk
                if forged_text or forged_number or forged_time or moved:
                    found.append(f"{table}.{name}={value!r}")
    return found


def _inputs(operation_id: str) -> set[str]:
    """The names the operation documents as its inputs: those are not forged, they are its job."""
    operation = WRITES[operation_id][2]
    names = {parameter["name"] for parameter in operation.get("parameters", [])}
    for content in operation.get("requestBody", {}).get("content", {}).values():
        ref = without_envelope(content["schema"])["$ref"].rsplit("/", 1)[1]
        names |= set(SCHEMA["components"]["schemas"][ref].get("properties", {}))
    return names


def _outcome(project: Project) -> tuple:
    """What the caller may legitimately change, without the ids and times an operation draws."""
    submissions = Submission.objects.filter(project=project)
    return (
        Project.objects.values_list("credits", "status").get(pk=project.pk),
        sorted(submissions.values_list("status", "run_state", "reviewer", "source", "applicant_id")),
        sorted(SubmissionImage.objects.filter(submission__project=project).values_list("submission__status", "kind")),
        sorted(LiveformToken.objects.filter(project=project).values_list("token_id", "use_count")),
        sorted(Projection.objects.filter(project=project).values_list("name", "fields")),
        sorted(AmlScreening.objects.filter(project=project).values_list("current_status", "threshold")),
    )


def test_no_serializer_or_form_takes_every_field_of_a_model():
    # given: every module of the apps
    root = Path(settings.BASE_DIR)
    apps = ("idcheck", "network", "policy", "projects", "registry", "submissions", "webhooks")
    found = []

    # when
    for path in sorted(p for app in apps for p in (root / app).rglob("*.py") if "migrations" not in p.parts):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value == "__all__":
                if any(isinstance(target, ast.Name) and target.id == "fields" for target in node.targets):
                    found.append(f"{path.relative_to(root)}:{node.lineno}")

    # then: writable fields are an explicit allowlist (G10)
    assert found == []


def test_every_write_operation_of_the_schema_is_covered():
    # given: stand-ins for the caller's objects (the builders read only their ids)
    t = SimpleNamespace(admin="admin@example.com", decided=SimpleNamespace(pk="decided_id"),
                        pending=SimpleNamespace(pk="pending_id"), projection_id="projection")  # fmt: skip

    # when: a request for every write operation, by hand or from the schema
    built = {operation_id: BASE.get(operation_id, _from_schema(operation_id))(t) for operation_id in WRITES}

    # then
    assert sorted(built) == sorted(WRITES)
    assert set(BASE) - set(WRITES) == set(), "cases for operations no longer in the schema"


CASES = [(operation_id, where) for operation_id in sorted(WRITES) for where in _variants(operation_id)]
INVALID_QUERY = (400, {"message": "Invalid Query String parameters"})
INVALID_PARAMETER = (400, {"errorCode": "invalid_parameter", "message": "invalid parameter: project"})
UNKNOWN_TOKEN_MEMBERS = (
    400,
    {
        "errorCode": "invalid_payload",
        "errorMessage": "Unknown members: applicant_id, "
        "argos_score, created_at, credits, decided_at, id, is_staff, is_superuser, kyc_result, pid, pk, project, "
        "project_id, projection_id, reviewer, run_state, source, status, submissionId, submission_id, updated_at, "
        "wrapped_data_key.",
    },
)
IGNORED = "ignored"
# Succeeding as without the forged fields (a DELETE body is not read at all).
IGNORED_CASES = """
    projection_create/query projection_delete/body projection_delete/query submission_aml_screen/body
    submission_aml_screen/query submission_create/query submission_delete/body submission_image_put/query
    submission_migrate/query submission_patch/query submission_review/body submission_review/query
    tokens_delete/query tokens_register/query
""".split()
# The documented refusal of the others.
REFUSALS = {
    ("projection_create", "body"): (400, {"message": "unknown members: applicant_id, argos_score, created_at, "
                                                     "credits, decided_at"}),
    ("submission_create", "body"): INVALID_PARAMETER,
    ("submission_delete", "query"): INVALID_QUERY,
    ("submission_delete_partial", "body"): INVALID_QUERY,
    ("submission_delete_partial", "query"): INVALID_QUERY,
    ("submission_image_put", "body"): INVALID_PARAMETER,
    ("submission_migrate", "body"): INVALID_PARAMETER,
    ("submission_patch", "body"): (400, {"errorCode": "data parsing error. please check input data."}),
    ("submission_patch", "map"): (400, {"errorCode": "Unknown property: project."}),
    ("submission_review", "map"): (400, {"message": "Invalid data format."}),
    ("tokens_delete", "body"): UNKNOWN_TOKEN_MEMBERS,
    ("tokens_register", "body"): UNKNOWN_TOKEN_MEMBERS,
}  # fmt: skip
EXPECTED = {**{tuple(case.split("/")): IGNORED for case in IGNORED_CASES}, **REFUSALS}


def test_every_expected_answer_is_of_a_case():
    assert set(EXPECTED) - set(CASES) == set()


@pytest.mark.parametrize(("operation_id", "where"), CASES)
def test_forged_server_owned_fields_are_refused_or_ignored(tenant, operation_id, where):
    # given: what the request does without the forged fields (rolled back), and the state before
    base = BASE.get(operation_id, _from_schema(operation_id))(tenant)
    with transaction.atomic():
        control = _send(tenant.client, base)
        control_outcome = _outcome(tenant.project)
        transaction.set_rollback(True)
    extra = {name: value for name, value in forged(tenant.other).items() if name not in _inputs(operation_id)}
    call = _with_forged(base, where, extra, CHANGE_MAPS.get(operation_id, ""))
    before = (_rows(tenant.project), _outcome(tenant.project))
    other_before = _rows(tenant.other)
    staff_before = User.objects.filter(is_staff=True).count()

    # when
    response = _send(tenant.client, call)

    # then: the written-down answer; a new operation's must be documented, and a success change
    # exactly what the request without the forged fields changes, a refusal nothing
    expected = EXPECTED.get((operation_id, where))
    if expected == IGNORED:
        assert (response.status_code, control.status_code) == (200, 200), response.content
    elif expected is not None:
        assert (response.status_code, response.json()) == expected
    assert str(response.status_code) in WRITES[operation_id][2]["responses"], response.content
    if response.status_code < 300:
        assert (control.status_code, _outcome(tenant.project)) == (response.status_code, control_outcome)
    else:
        assert (_rows(tenant.project), _outcome(tenant.project)) == before
    assert _forged_values_stored(_rows(tenant.project), tenant.other) == []
    assert _rows(tenant.other) == other_before
    assert User.objects.filter(is_staff=True).count() == staff_before
