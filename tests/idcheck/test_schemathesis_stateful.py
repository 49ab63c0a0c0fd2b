"""G11's stateful phase: Schemathesis follows the schema's OpenAPI links (idcheck/api_schema.py:
a created or migrated submission to its read, PATCH and deletes; a projection to its read and
delete; registered tokens to their read and delete) in generated sequences, in-process through
WSGI with a valid key. Besides the checks of test_schemathesis, ``use_after_free`` (a deleted
resource must be gone) and ``ensure_resource_availability`` (a created one must be readable)."""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter

from django.db import transaction
from schemathesis.specs.openapi.checks import ensure_resource_availability, use_after_free

from tests.idcheck.test_schemathesis import (  # noqa: F401 (fixtures)
    CHECKS,
    SCHEMA,
    _aimed,
    _eager,
    aim,
    api_key,
    fuzz_settings,
    project,
    wsgi_app,
)

logger = logging.getLogger("idcheck.tests")
STATEFUL_CHECKS = [*CHECKS, use_after_free, ensure_resource_availability]
# Sized for `make test` on the 2-core machine: about 900 calls in 15 s, 25 s with the fixture
# (docs/api-robustness.md has the run).
SCENARIOS = 100
STEPS = 8
# What the links carry from one call to the next; the fixture's values would overwrite them. (The
# fixture's tokenId is kept: registering it again succeeds, and its links then name the same id.)
LINKED = {"submission_id", "submissionId", "projection_id"}


def test_linked_sequences_of_calls_get_documented_answers(wsgi_app, api_key, aim):  # noqa: F811
    # given: the project's real admin, e-mail and names, so that creations succeed and links lead on
    calls: Counter[tuple[str, int]] = Counter()
    unlinked = {name: value for name, value in aim.items() if name not in LINKED}

    class Machine(SCHEMA.as_state_machine()):
        def setup(self):
            # Each scenario in a savepoint rolled back afterwards, so none sees another's rows.
            self.scenario = transaction.atomic()
            self.scenario.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.scenario.__exit__(None, None, None)

        def before_call(self, case):
            _aimed(case, unlinked)
            case.headers = {**(case.headers or {}), "x-api-key": api_key}  # auth is test_api_isolation's
            # A generated Idempotency-Key repeats within a scenario, and its replay (a creation's
            # id after the thing was deleted) is right (G2) but reads as a vanished resource to
            # ensure_resource_availability; the stateless run fuzzes the header.
            if "Idempotency-Key" in case.headers:
                case.headers["Idempotency-Key"] = uuid.uuid4().hex

        def get_call_kwargs(self, case):
            return {"app": wsgi_app, "headers": {"x-api-key": api_key}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            calls[(case.operation.label, response.status_code)] += 1
            case.validate_response(response, checks=STATEFUL_CHECKS, transport_kwargs=kwargs, recorder=self.recorder)

    started = time.monotonic()

    # when / then: a failing sequence raises with its calls, shrunk
    Machine.run(settings=fuzz_settings(max_examples=SCENARIOS, stateful_step_count=STEPS))
    logger.info("%d calls in %.1f s: %s", sum(calls.values()), time.monotonic() - started, sorted(calls.items()))
    # the links were followed: what was created was read and deleted
    followed = ["GET /v3/projection/{projection_id}", "DELETE /v3/projection/{projection_id}", "GET /v3/submission/tokens",
                "DELETE /v3/submission/tokens"]  # fmt: skip
    assert [label for label in followed if calls[(label, 200)] == 0] == [], sorted(calls.items())
