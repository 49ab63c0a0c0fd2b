"""G11: Schemathesis over the whole committed schema, in-process against the WSGI app.

Every operation of ``idcheck/openapi-v3.yaml`` gets valid and invalid generated requests sent
with a valid key (no network: the app is called through WSGI). No answer may be a 5xx, every
status must be one the operation documents, and every body must match its documented schema.
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
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from projects.actors import Actor
from projects.models import AuditEvent
from projects.services import api_key_issue
from submissions.models import Submission
from tests.conftest import TEST_HOST
from tests.factories import MembershipFactory, ProjectFactory
from tests.submissions.test_submission_update import decided_submission

logger = logging.getLogger("idcheck.tests")
SCHEMA = schemathesis.openapi.from_path(Path(settings.BASE_DIR) / "idcheck" / "openapi-v3.yaml")
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
TOTAL = 1000
# Hypothesis stops early on an operation with few distinct inputs (GET /v3/projection has none),
# so each (operation, mode) is asked for twice its share of the total.
MAX_EXAMPLES = 2 * math.ceil(TOTAL / (len(OPERATIONS) * len(MODES)))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


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
def api_key(db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # Schemathesis' WSGI host
    project = ProjectFactory(credits=100_000)
    MembershipFactory(project=project)
    return api_key_issue(project=project, actor=Actor.system("test")).plaintext


def _fuzz(operation, mode: GenerationMode, app, api_key: str, statuses: Counter, failures: list[str]) -> None:
    """Send the operation's generated cases of one mode; count the answers, list every failure."""

    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        with transaction.atomic():
            response = case.call(app=app, headers={"x-api-key": api_key})
            transaction.set_rollback(True)
        statuses[(operation.label, response.status_code)] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (Failure, FailureGroup) as exc:  # every failure is listed, not only the first
            failures.append(f"{operation.label} [{mode.value}] {exc}")

    run()


def test_generated_requests_over_the_whole_schema_get_documented_answers(wsgi_app, api_key):
    # given
    app = wsgi_app
    statuses: Counter[tuple[str, int]] = Counter()
    failures: list[str] = []
    started = time.monotonic()

    # when
    for operation in OPERATIONS:
        for mode in MODES:
            _fuzz(operation, mode, app, api_key, statuses, failures)

    # then
    elapsed = time.monotonic() - started
    logger.info("%d cases in %.1f s: %s", sum(statuses.values()), elapsed, sorted(statuses.items()))
    assert failures == [], "\n\n".join(failures)
    assert sum(statuses.values()) >= TOTAL


NUL = "a\x00b"
# Found by the run above: PostgreSQL text cannot hold NUL, and these lookups answered 500. An id
# or e-mail with one names nothing, so each now gets the operation's own not-found answer.
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
    ("post", "/v3/submission/aml", {}, {"submissionId": NUL},
     400, {"errorCode": "invalid_submissionId", "message": "Cannot find submission."}),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "query", "body", "status", "answer"), NUL_CASES)
def test_a_nul_character_in_an_id_or_email_is_an_unknown_one_not_a_500(db, method, path, query, body, status, answer):
    # given
    project = ProjectFactory()
    admin = MembershipFactory(project=project).user.email
    submission = decided_submission(project)
    api = Client(
        HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=api_key_issue(project=project, actor=Actor.system("test")).plaintext
    )
    fill = {"{admin}": admin, "{submission}": submission.pk}
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
