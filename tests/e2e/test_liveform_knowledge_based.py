"""A person verifies with the Knowledge-Based pipeline on a phone-sized screen (spec §6.3): they
type their identity, film the live selfie challenge with Chromium's fake camera (a film of the
specimen's selfie performing it), a real Celery worker decides, and the Return URL gets the fields."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from projects.actors import Actor
from projects.services import project_settings_update
from submissions.models import CheckResult, SelfieCapture, Submission, SubmissionPipeline
from submissions.selectors import submission_view
from tests.e2e.conftest import liveform_step
from tests.e2e.test_liveform_live_selfie import camera_page  # noqa: F401 (a fixture)
from tests.factories import ProjectFactory
from tests.submissions.test_process_celery import pipeline_worker  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_person_types_their_identity_takes_a_live_selfie_and_returns(camera_page, live_server):  # noqa: F811
    # given: a Knowledge-Based project with a Return URL
    page, template = camera_page
    project = ProjectFactory(name="Acme Bank", credits=10)
    back_home = f"{live_server.url}/healthz?from=kb"
    changes = {"policy_pipeline": "knowledge_based", "liveform_return_url": back_home}
    project_settings_update(project=project, changes=changes, actor=Actor.system("test"))

    # when: consent and e-mail
    page.goto(f"/form/?pid={project.pid}&userid=kb-1&cf1=green")
    page.wait_for_url("**/form/consent")
    assert "Your name, date of birth, gender and nationality" in page.content()
    liveform_step(page, "consent-knowledge-based")
    page.check("input[name=agree]")
    page.click("text=Start")
    page.wait_for_url("**/form/email")
    page.fill("input[name=email]", "person@example.com")
    page.click("text=Continue")
    # the typed identity (the age model sees the filmed face at 50 to 60)
    page.wait_for_url("**/form/details")
    page.fill("input[name=first_name]", "Tomas")
    page.fill("input[name=last_name]", "Horvath")
    page.fill("input[name=date_of_birth]", "1971-05-14")
    page.select_option("select[name=gender]", "male")
    page.select_option("select[name=nationality]", "EST")
    liveform_step(page, "details")
    page.click("text=Continue")
    # the live selfie
    page.wait_for_url("**/form/selfie")
    page.click("text=Start the camera")
    page.wait_for_url("**/form/processing", timeout=90_000)  # the challenge films for about 10 s
    page.wait_for_url("**/form/result", timeout=300_000)  # the run takes about 20 s on an idle machine

    # then: decided by the worker without a document
    submission = Submission.objects.get(project=project)
    assert (submission.pipeline, submission.selfie_capture) == (SubmissionPipeline.KNOWLEDGE_BASED, SelfieCapture.LIVE)
    assert list(submission.images.values_list("kind", flat=True)) == ["selfie"]
    assert CheckResult.objects.get(submission=submission, step="liveness").outcome == "passed"
    decision = submission_view(submission).decision
    assert submission.status == "approved", [(step["name"], step["detail"]) for step in decision["trace"]]
    assert page.locator("h1").inner_text() == "You are verified"
    page.click("text=Stay on this page")  # the 5-second way back waits for the screenshot and audit
    liveform_step(page, "result-knowledge-based")
    # and back to the Return URL with the spec's fields
    page.click("text=OK")
    page.wait_for_url(f"{live_server.url}/healthz**")
    assert parse_qs(urlsplit(page.url).query) == {
        "from": ["kb"], "kycStatus": ["approved"], "submissionId": [submission.id], "userid": ["kb-1"],
        "email": ["person@example.com"], "cf1": ["green"],
    }  # fmt: skip
