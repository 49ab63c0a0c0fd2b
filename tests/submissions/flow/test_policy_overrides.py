"""The Liveform link's policy switches (spec §6.2): read from the link, kept with the flow and the
submission, and honoured by the run; a plain link can only tighten the policy."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from policy.services import policy_settings_update
from policy.settings import PolicySettings, with_session_overrides
from projects.actors import Actor
from submissions import vault
from submissions.flow.state import SESSION_KEY
from submissions.models import SubmissionStatus
from submissions.services import SubmissionDetails, submission_create, submission_process
from tests.factories import ProjectFactory
from tests.submissions.api.helpers import passport_case
from tests.submissions.flow.helpers import encrypted, flow_client, open_link

ACTOR = Actor.system("test")
LIFTED = {"blacklistCountries": False, "approvePeriod": False, "rejectPeriod": False, "ageLimit": False}


def _overrides(client) -> dict:
    return client.session[SESSION_KEY]["params"]["policy_overrides"]


def test_encrypted_switches_are_kept_with_the_flow(issued_key):
    # given
    project = issued_key.api_key.project
    values = {**LIFTED, "rejectDuplicateUser": "false"}
    client = flow_client()

    # when
    open_link(client, project.pid, encrypted=encrypted(issued_key.plaintext, values))

    # then: JSON booleans and the link's "false" strings alike
    assert _overrides(client) == {**LIFTED, "rejectDuplicateUser": False}


def test_a_plain_link_can_force_duplicate_prevention_on_but_lift_nothing(project):
    client = flow_client()

    open_link(client, project.pid, ageLimit="false", blacklistCountries="false", rejectDuplicateUser="true")

    assert _overrides(client) == {"rejectDuplicateUser": True}


def test_a_plain_link_cannot_turn_duplicate_prevention_off(project):
    client = flow_client()

    open_link(client, project.pid, rejectDuplicateUser="false")

    assert _overrides(client) == {}


@pytest.mark.parametrize("values", [{"ageLimit": True}, {"ageLimit": "true"}, {"rejectPeriod": "no"},
                                    {"rejectDuplicateUser": 1}, {"blacklistCountries": None}])  # fmt: skip
def test_a_switch_with_another_value_is_an_invalid_parameter(issued_key, values):
    project = issued_key.api_key.project
    client = flow_client()

    response = open_link(client, project.pid, encrypted=encrypted(issued_key.plaintext, values))

    assert (response.status_code, response["Location"]) == (302, "/form/error-page/invalid-parameter")
    assert SESSION_KEY not in client.session


def test_the_switches_change_only_what_they_name():
    settings = PolicySettings(age_limit=40, blacklist_countries=("EST",), approve_period_days=30,
                              reject_period_days=7, reject_duplicate_user=True)  # fmt: skip

    assert with_session_overrides(settings, {}) == settings
    lifted = with_session_overrides(settings, {**LIFTED, "rejectDuplicateUser": False})
    assert (lifted.age_limit, lifted.blacklist_countries, lifted.approve_period_days, lifted.reject_period_days,
            lifted.reject_duplicate_user) == (None, (), 0, 0, False)  # fmt: skip
    assert with_session_overrides(PolicySettings(), {"rejectDuplicateUser": True}).reject_duplicate_user is True
    assert lifted.threshold == settings.threshold


def _run(project, overrides: tuple) -> object:
    case = passport_case()
    submission = submission_create(
        project=project, source="liveform", actor=ACTOR, images={"id_front": case.front, "selfie": case.selfie},
        details=SubmissionDetails(email="p@example.com", policy_overrides=overrides),
    )  # fmt: skip
    submission_process(submission_id=submission.id)
    submission.refresh_from_db()
    return submission


@time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC), tick=False)
def test_a_lifted_age_limit_lets_the_holder_through_and_the_submission_keeps_why(db):
    # given: the specimen's holder is 30 and the project requires 40 (tests/submissions/test_process_age_limit.py)
    project = ProjectFactory(credits=2)
    policy_settings_update(project=project, changes={"policy_age_limit": 40}, actor=ACTOR)

    # when: one session from a link that lifts the age limit, one from a link that does not
    lifted = _run(project, (("ageLimit", False),))
    kept = _run(project, ())

    # then
    assert (lifted.status, lifted.kyc_comment_code) == (SubmissionStatus.APPROVED, [])
    assert (kept.status, kept.kyc_comment_code) == (SubmissionStatus.REJECTED, ["under_ageLimit"])
    metadata = vault.open_json(lifted, lifted.sealed_metadata, context=vault.METADATA_CONTEXT)
    assert metadata["policy_overrides"] == {"ageLimit": False}
