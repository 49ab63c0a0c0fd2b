"""A person verifies on a phone-sized screen: the whole Liveform, a real Celery worker deciding.

Debian's Chromium, driven by Playwright, against pytest-django's live server; the pipeline runs
in a real worker consuming the Redis broker (``pipeline_worker``). The document is a generated
SPECIMEN passport whose portrait is a real face, the selfie another photo of the same man.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from projects.actors import Actor
from projects.services import project_settings_update
from submissions.models import Submission, SubmissionStatus
from tests.e2e.conftest import liveform_step
from tests.factories import ProjectFactory
from tests.submissions.api.helpers import passport_case
from tests.submissions.test_process_celery import pipeline_worker  # noqa: F401 (a fixture)

HEADINGS = {
    SubmissionStatus.APPROVED: "You are verified",
    SubmissionStatus.PENDING: "We are checking your documents",
    SubmissionStatus.REJECTED: "We could not verify you",
}

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _photo(page, data: bytes, name: str) -> None:
    page.set_input_files("#id_photo", files=[{"name": name, "mimeType": "image/jpeg", "buffer": data}])
    page.click("text=Use this photo")


def test_a_person_verifies_with_a_passport_and_a_selfie_and_returns(page, live_server, pipeline_worker):  # noqa: F811
    # given
    case = passport_case()
    project = ProjectFactory(name="Acme Bank", credits=10)
    back_home = f"{live_server.url}/healthz?from=liveform"
    project_settings_update(project=project, changes={"liveform_return_url": back_home}, actor=Actor.system("test"))
    # when: the link, consent and e-mail
    page.goto(f"/form/?pid={project.pid}&userid=e2e-1&cf1=blue")
    page.wait_for_url("**/form/consent")
    liveform_step(page, "consent")
    page.check("input[name=agree]")
    page.click("text=Start")
    page.wait_for_url("**/form/email")
    page.fill("input[name=email]", "person@example.com")
    liveform_step(page, "email")
    page.click("text=Continue")
    # the document: issuing country, type, front
    page.wait_for_url("**/form/country")
    page.select_option("select[name=choice]", "EST")
    liveform_step(page, "country")
    page.click("text=Continue")
    page.wait_for_url("**/form/id-type")
    page.select_option("select[name=choice]", "passport")
    page.click("text=Continue")
    page.wait_for_url("**/form/front")
    assert page.get_attribute("#id_photo", "capture") == "environment"
    liveform_step(page, "front")
    _photo(page, case.front, "passport.jpg")
    # the selfie
    page.wait_for_url("**/form/selfie")
    assert page.get_attribute("#id_photo", "capture") == "user"
    liveform_step(page, "selfie")
    page.click("text=I cannot use the camera: choose a photo instead")  # the live camera comes first
    _photo(page, case.selfie, "selfie.jpg")
    # then: processing, until the worker decided
    page.wait_for_url("**/form/processing")  # (shot in test_liveform_accessibility: here it moves on by itself)
    page.wait_for_url("**/form/result", timeout=120_000)
    submission = Submission.objects.get(project=project)
    assert submission.status in HEADINGS
    assert page.locator("h1").inner_text() == HEADINGS[submission.status]
    assert submission.id in page.locator(".lf-result").inner_text()
    page.click("text=Stay on this page")  # the 5-second way back waits for the screenshot and audit
    liveform_step(page, f"result-{submission.status}")
    # and back to the project's Return URL with the spec's fields
    page.click("text=OK")
    page.wait_for_url(f"{live_server.url}/healthz**")
    query = parse_qs(urlsplit(page.url).query)
    assert query == {
        "from": ["liveform"], "kycStatus": [submission.status], "submissionId": [submission.id],
        "userid": ["e2e-1"], "email": ["person@example.com"], "cf1": ["blue"],
    }  # fmt: skip
