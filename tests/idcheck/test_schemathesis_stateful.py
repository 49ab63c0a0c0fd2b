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

import pytest
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
# Sized for `make test` on the 2-core machine: about 400 calls in 10–13 s per machine, 40–47 s for
# the module with its fixtures at a load average of 10 (docs/api-robustness.md has the run).
SCENARIOS = 50
STEPS = 8
# What the links carry from one call to the next; the fixture's values would overwrite them. (The
# fixture's tokenId is kept: registering it again succeeds, and its links then name the same id.)
LINKED = {"submission_id", "submissionId", "projection_id"}


# Schemathesis starts sequences only from the creations it finds most likely to succeed; with the
# whole schema those are the projection's and the tokens', never the submission's (whose inputs
# name things no operation creates). So the submission operations get a machine of their own.
SUBMISSION_OPERATIONS = ["submission_create", "submission_migrate", "submission_list", "submission_patch",
                         "submission_delete", "submission_delete_partial"]  # fmt: skip
MACHINES = {
    "whole schema": (SCHEMA, ["GET /v3/projection/{projection_id}", "DELETE /v3/projection/{projection_id}",
                              "GET /v3/submission/tokens", "DELETE /v3/submission/tokens"]),
    "submissions": (SCHEMA.include(operation_id=SUBMISSION_OPERATIONS),
                    ["POST /v3/submission/migration", "GET /v3/submission", "DELETE /v3/submission"]),
}  # fmt: skip


@pytest.mark.parametrize("machine", list(MACHINES))
def test_linked_sequences_of_calls_get_documented_answers(wsgi_app, api_key, aim, machine):  # noqa: F811
    # given: the project's real admin, e-mail and names, so that creations succeed and links lead on
    schema, followed = MACHINES[machine]
    calls: Counter[tuple[str, int]] = Counter()
    unlinked = {name: value for name, value in aim.items() if name not in LINKED}

    class Machine(schema.as_state_machine()):
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
    assert [label for label in followed if calls[(label, 200)] == 0] == [], sorted(calls.items())
