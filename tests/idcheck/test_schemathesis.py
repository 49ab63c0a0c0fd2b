"""G11: Schemathesis over the whole committed schema, in-process against the WSGI app.

Every operation of ``idcheck/openapi-v3.yaml`` gets valid and invalid generated requests sent
with a valid key (no network: the app is called through WSGI). No answer may be a 5xx, every
status must be one the operation documents, every body and content type must match what it
documents, invalid data must be refused, and no answer may carry a traceback, SQL, a file path
or a secret.
Each case runs inside a savepoint rolled back afterwards, so no write leaks into the next case.
Examples are derandomised, so a failure reproduces on every run.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from policy.services import policy_settings_update
from projects.actors import Actor
from projects.models import AuditEvent
from projects.services import api_key_issue, liveform_tokens_register, projection_save
from submissions.models import AmlMatch, Submission
from submissions.services.aml import submission_aml_screen
from tests.conftest import TEST_HOST
from tests.factories import MembershipFactory, ProjectFactory
from tests.submissions.api.helpers import b64, photo
from tests.submissions.test_aml_screening import _eager, import_list  # noqa: F401 (the fixture)
from tests.submissions.test_submission_update import decided_submission

logger = logging.getLogger("idcheck.tests")
ACTOR = Actor.system("test")
COMMITTED_SCHEMA = Path(settings.BASE_DIR) / "idcheck" / "openapi-v3.yaml"
SCHEMA = schemathesis.openapi.from_path(COMMITTED_SCHEMA)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
# Random ids name nothing, so valid requests rarely get past the lookup: a third pass sends valid
# requests whose ids, e-mails and names are the project's real ones ("aimed").
MODES = ((GenerationMode.POSITIVE, False), (GenerationMode.NEGATIVE, False), (GenerationMode.POSITIVE, True))
TOTAL = 1000
# Hypothesis stops early on an operation with few distinct inputs (GET /v3/projection has none),
# so each (operation, mode) is asked for twice its share of the total.
MAX_EXAMPLES = 2 * math.ceil(TOTAL / (len(OPERATIONS) * len(MODES)))
# ``ignored_auth`` is left out: it takes the valid key this test sends for generated auth and
# flags every 200. Missing and wrong keys are test_api_isolation's matrix, on every operation.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    negative_data_rejection,
    content_type_conformance,
    response_headers_conformance,
]
# What an answer must never carry (G11): a traceback, SQL or driver text, a file path, a secret.
LEAKS = ("Traceback", "psycopg", "SELECT ", "INSERT ", "/home/", str(settings.BASE_DIR), "whsec_")


@pytest.fixture
def wsgi_app():
    """The real WSGI app, kept on the test's connection as Django's test client keeps it (the
    handler would otherwise close it after each request, and with it the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def project(db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # Schemathesis' WSGI host
    return ProjectFactory(credits=100_000)


@pytest.fixture
def api_key(project):
    return api_key_issue(project=project, actor=Actor.system("test")).plaintext


@pytest.fixture
def aim(project, tmp_path) -> dict[str, str]:
    """The project's real objects, by the names of the parameters and members that take them."""
    admin = MembershipFactory(project=project).user.email
    policy_settings_update(project=project, changes={"policy_reviewer": "client_api"}, actor=ACTOR)
    import_list(tmp_path)
    decided = decided_submission(project)
    submission_aml_screen(project=project, submission_id=decided.pk, actor=ACTOR)
    liveform_tokens_register(project=project, token_ids=["tokenA0000"], actor=ACTOR)
    projection = projection_save(project=project, name="a_minimal", mode="exclude", fields=["gender"], actor=ACTOR)
    return {
        "submission_id": decided.pk, "submissionId": decided.pk, "nextpage_id": decided.pk,
        "applicant_id": decided.applicant_id, "admin": admin, "admin_name": admin, "email": "person@example.com",
        "userid": "user-7", "tokenId": "tokenA0000", "nextPageKeyId": "tokenA0000",
        "projection_id": projection.item["projection_id"], "name": "a_minimal",
        "resourceId": AmlMatch.objects.filter(project=project).values_list("resource_id", flat=True)[0],
    }  # fmt: skip


def _aimed(case, aim: dict[str, str]) -> None:
    for container in (case.path_parameters, case.query, case.body):
        if isinstance(container, dict):
            for name in container.keys() & aim.keys():
                container[name] = [aim[name]] if isinstance(container[name], list) else aim[name]


def fuzz_settings(**limits: int) -> hypothesis_settings:
    """Derandomised (a failure reproduces on every run), no deadline, no example database."""
    return hypothesis_settings(derandomize=True, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                               suppress_health_check=list(HealthCheck), **limits)  # fmt: skip


def _fuzz(operation, mode: GenerationMode, aim: dict[str, str] | None, app, api_key: str, statuses: Counter,
          failures: list[str]) -> None:  # fmt: skip
    """Send the operation's generated cases of one mode; count the answers, list every failure."""
    label = f"{operation.label} [{mode.value}{', aimed' if aim else ''}]"

    @fuzz_settings(max_examples=MAX_EXAMPLES)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        if aim:
            _aimed(case, aim)
        with transaction.atomic():
            response = case.call(app=app, headers={"x-api-key": api_key})
            transaction.set_rollback(True)
        statuses[(operation.label, response.status_code)] += 1
        leaks = [text for text in (*LEAKS, api_key, api_key[:8]) if text.encode() in response.content]
        if leaks:
            failures.append(f"{label} answer carries {leaks}: {response.content[:200]!r}")
        try:
            case.validate_response(response, checks=CHECKS)
        except (Failure, FailureGroup) as exc:  # every failure is listed, not only the first
            failures.append(f"{label} {exc}")

    run()


def test_generated_requests_over_the_whole_schema_get_documented_answers(wsgi_app, api_key, aim):
    # given
    app = wsgi_app
    statuses: Counter[tuple[str, int]] = Counter()
    failures: list[str] = []
    started = time.monotonic()

    # when
    for operation in OPERATIONS:
        for mode, aimed in MODES:
            _fuzz(operation, mode, aim if aimed else None, app, api_key, statuses, failures)

    # then
    elapsed = time.monotonic() - started
    logger.info("%d cases in %.1f s: %s", sum(statuses.values()), elapsed, sorted(statuses.items()))
    assert failures == [], "\n\n".join(failures)
    assert sum(statuses.values()) >= TOTAL


NUL = "a\x00b"
# Found by the run above and by hand after it: PostgreSQL text cannot hold NUL, and these answered
# 500. An id or e-mail with one names nothing, so it gets the operation's own not-found (or
# not-a-member) answer; a comment to store with one is a malformed body.
NUL_CASES = [
    ("get", "/v3/image", {"submission_id": NUL, "type": "idImage"}, None,
     404, {"errorCode": "image_not_found", "message": "Image not found."}),
    ("get", "/v3/report/aml", {"resourceId": NUL}, None, 404, {"errorCode": "not_found", "message": "Cannot find report."}),
    ("get", "/v3/submission/tokens", {"tokenId": NUL}, None,
     404, {"errorCode": "token_not_found", "errorMessage": "Token not found."}),
    ("get", "/v3/submission/tokens", {"nextPageKeyId": NUL, "nextPageKeyTime": "2026-01-01T00:00:00Z"}, None,
     200, {"success": True, "count": 0, "data": []}),
    ("get", "/v3/projection/a%00b", {}, None, 404, {"message": "Projection not found"}),
    ("delete", "/v3/projection/a%00b", {}, None, 404, {"message": "Projection not found"}),
    ("delete", "/v3/submission", {"submission_id": NUL}, None,
     400, {"message": "not Exist Submission Data", "statusCode": 400}),
    ("delete", "/v3/submission/partial", {"submission_id": NUL, "fields": "data"}, None,
     400, {"message": "not Exist Submission Data", "statusCode": 400}),
    ("patch", "/v3/submission", {}, {"submissionId": NUL, "admin": "{admin}", "data": {"fullName": "X Y"}},
     400, {"errorCode": "not Exist Submission Data"}),
    ("patch", "/v3/submission", {}, {"submissionId": "{submission}", "admin": NUL, "data": {"fullName": "X Y"}},
     400, {"errorCode": "admin is not a member of this project."}),
    ("post", "/v3/submission/review", {}, {"submissionId": "{submission}", "admin": NUL, "status": "approved"},
     400, {"message": "Access denied. The admin is not registered in the project."}),
    ("patch", "/v3/submission", {}, {"submissionId": "{submission}", "admin": "{admin}",
                                      "data": {"kycStatus": "rejected"}, "comment": NUL},
     400, {"errorCode": "data parsing error. please check input data."}),
    ("put", "/v3/submission/image", {}, {"submissionId": "{submission}", "admin": NUL, "selfieImage": "{photo}"},
     400, {"errorCode": "invalid_admin", "message": "Invalid admin."}),
    ("post", "/v3/submission/review", {}, {"submissionId": "{submission}", "admin": "{admin}", "status": "rejected",
                                           "rejectComment": NUL},
     400, {"message": "Invalid data format."}),
    ("post", "/v3/submission/aml", {}, {"submissionId": NUL},
     400, {"errorCode": "invalid_submissionId", "message": "Cannot find submission."}),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "query", "body", "status", "answer"), NUL_CASES)
def test_a_nul_character_in_an_id_an_email_or_a_comment_is_refused_not_a_500(
    db, method, path, query, body, status, answer
):
    # given
    project = ProjectFactory()
    admin = MembershipFactory(project=project).user.email
    submission = decided_submission(project)
    api = Client(
        HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=api_key_issue(project=project, actor=Actor.system("test")).plaintext
    )
    fill = {"{admin}": admin, "{submission}": submission.pk, "{photo}": b64(photo())}
    before = (list(Submission.objects.values()), AuditEvent.objects.filter(project=project).count())

    # when
    url = path + ("?" + urlencode(query) if query else "")
    if body is None:
        response = getattr(api, method)(url)
    else:
        sent = {name: fill.get(value, value) if isinstance(value, str) else value for name, value in body.items()}
        response = getattr(api, method)(url, json.dumps(sent), content_type="application/json")

    # then
    assert (response.status_code, response.json()) == (status, answer)
    assert (list(Submission.objects.values()), AuditEvent.objects.filter(project=project).count()) == before


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("type=count&limit=null", "limit must be a whole number from 1 to 10,000."),
        ("tokenId=tokenA0000&nextPageKeyTime=yesterday",
         "nextPageKeyId and nextPageKeyTime come together, as the previous page gave them."),
    ],
)  # fmt: skip
def test_a_malformed_page_parameter_is_refused_also_where_it_is_not_used(api_client, query, message):
    # given: found by negative_data_rejection, which saw ``?type=count&limit=null`` answered 200
    # when
    response = api_client.get(f"/v3/submission/tokens?{query}")

    # then
    assert (response.status_code, response.json()) == (400, {"errorCode": "invalid_payload", "errorMessage": message})
