"""Knowledge-Based submissions (spec §6.3) decided by a REAL Celery worker: the typed identity and a
live selfie, no document. One is approved, one rejected for its blacklisted nationality; both
carry the same webhooks as an ID document's, with ``age_group`` from the typed birth date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine

from projects.actors import Actor
from projects.services import project_settings_update
from submissions.evaluation.liveness import load_session
from submissions.models import CheckResult, Submission, SubmissionPipeline
from submissions.services import LiveCapture, submission_create
from submissions.services.knowledge import KnowledgeData
from submissions.webhook_payloads import fill_personal_fields
from tests.factories import ProjectFactory
from tests.submissions.live_sessions import make_sessions
from tests.submissions.test_process_celery import _wait_decided, pipeline_worker  # noqa: F401 (a fixture)
from webhooks.models import WebhookOutbox

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
ACTOR = Actor.system("test")
# The sessions film Grace Hopper's portrait, whom the age model sees as about 80.
TODAY = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
PERSON = KnowledgeData(first_name="Grace", last_name="Hopper", date_of_birth=dt.date(1946, 6, 1), gender="female",
                       nationality="USA", ssn_number="123-45-6789")  # fmt: skip


@pytest.fixture(scope="module")
def bona_fide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sessions(tmp_path_factory.mktemp("live"), ("bona_fide",)) / "bona_fide_0000"


def _submit(project, folder: Path, person: KnowledgeData) -> Submission:
    plan, frames, nonce, received = load_session(folder)
    live = LiveCapture(plan=plan, nonce_sent=nonce, received_at_ms=received, frames=tuple(frames))
    return submission_create(project=project, source="liveform", actor=ACTOR, images={"selfie": frames[2].jpeg},
                             live_capture=live, knowledge=person)  # fmt: skip


def _knowledge_based(project, **changes: object) -> None:
    project_settings_update(project=project, changes={"policy_pipeline": "knowledge_based", **changes}, actor=ACTOR)


@time_machine.travel(TODAY, tick=True)
def test_a_live_selfie_and_a_consistent_identity_are_approved(bona_fide, pipeline_worker):  # noqa: F811
    # given
    project = ProjectFactory(credits=5)
    _knowledge_based(project)

    # when
    submission = _wait_decided(_submit(project, bona_fide, PERSON).id)

    # then: no document step, the selfie's face, age and liveness
    # 30 for the face, 20 for the age (the model sees 80), 50 for the live challenge passed
    assert (submission.status, submission.argos_score, submission.kyc_comment_code) == ("approved", 100, [])
    assert submission.pipeline == SubmissionPipeline.KNOWLEDGE_BASED
    steps = dict(CheckResult.objects.filter(submission=submission).values_list("step", "outcome"))
    assert steps == {"face": "detected", "age": "estimated", "liveness": "passed"}
    assert submission.duplicated_information  # name, birth date, gender and nationality typed: a DI
    assert submission.nationality == "USA"
    events = list(WebhookOutbox.objects.filter(resource_id=submission.id).order_by("pk"))
    assert [event.event for event in events] == ["created", "approved"]
    approved = fill_personal_fields(project, "approved", submission.id, events[1].payload)
    assert {key: approved[key] for key in ("age_group", "gender", "date_of_birth", "nationality", "full_name")} == {
        "age_group": "adult", "gender": "female", "date_of_birth": "1946-06-01", "nationality": "USA",
        "full_name": "Hopper Grace",
    }  # fmt: skip
    assert "idType" not in approved


@time_machine.travel(TODAY, tick=True)
def test_a_blacklisted_nationality_is_rejected_and_a_second_identical_identity_too(bona_fide, pipeline_worker):  # noqa: F811
    # given
    project = ProjectFactory(credits=5)
    _knowledge_based(project, policy_blacklist_countries=["PRK"], policy_reject_duplicate_user=True)

    # when
    blacklisted = _wait_decided(
        _submit(project, bona_fide, KnowledgeData(**{**PERSON.__dict__, "nationality": "PRK"})).id
    )
    first = _wait_decided(_submit(project, bona_fide, PERSON).id)
    second = _wait_decided(_submit(project, bona_fide, PERSON).id)

    # then
    assert (blacklisted.status, blacklisted.kyc_comment_code) == ("rejected", ["blacklistCountry"])
    assert (first.status, second.status) == ("approved", "rejected")
    assert second.kyc_comment_code == ["duplicated_user_PII_exact"]
    assert second.duplicated_information == first.duplicated_information
    rejected = WebhookOutbox.objects.get(resource_id=blacklisted.id, event="rejected").payload
    assert rejected["kyc_result"]["commentCode"] == "blacklistCountry"
