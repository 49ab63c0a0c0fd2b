"""A person takes the live selfie with the camera: Chromium's fake camera plays a film of a real
face performing the challenge, the page films it, and a real Celery worker verifies it.

The challenge is random per session, so the film has to know it in advance: the test fixes the
order and windows the server issues (the nonce and times stay the server's), films a face
performing them, and hands the film to Chromium as its camera.
"""

from __future__ import annotations

import random
import secrets
from pathlib import Path

import cv2
import numpy as np
import pytest

from submissions.flow.views import live
from submissions.models import CheckResult, LivenessCapture, SelfieCapture, Submission
from submissions.pipeline.liveness import ChallengePlan, new_challenge
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, PHONE_UA, liveform_step, walk_to_front
from tests.e2e.fake_camera import film_plan
from tests.submissions.api.helpers import passport_case
from tests.submissions.test_process_celery import pipeline_worker  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
PLAN_SEED = 21


def _fixed_plans(monkeypatch: pytest.MonkeyPatch) -> ChallengePlan:
    """The steps every plan of this test asks for; returns them as a plan issued at 0."""
    template = new_challenge(random.Random(PLAN_SEED), now=0)

    def issue(now: int) -> ChallengePlan:
        return ChallengePlan(secrets.token_urlsafe(16), template.steps, now, now + template.deadline)

    monkeypatch.setattr(live, "new_challenge", issue)
    return template


@pytest.fixture
def camera_page(browser, live_server, pipeline_worker, settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: F811
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    template = _fixed_plans(monkeypatch)
    selfie = cv2.imdecode(np.frombuffer(passport_case().selfie, np.uint8), cv2.IMREAD_COLOR)
    film = film_plan(cv2.cvtColor(selfie, cv2.COLOR_BGR2RGB), template, tmp_path / "camera.y4m")
    camera = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              f"--use-file-for-fake-video-capture={film}"]  # fmt: skip
    # A second Chromium with the fake camera, launched by the session's Playwright (one per thread)
    with_camera = browser.browser_type.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *camera])
    context = with_camera.new_context(viewport=PHONE, user_agent=PHONE_UA, base_url=live_server.url,
                                      permissions=["camera"])  # fmt: skip
    yield context.new_page(), template
    with_camera.close()


def test_a_live_selfie_is_filmed_through_the_challenge_and_passes_liveness(camera_page):
    # given
    page, template = camera_page
    from tests.factories import ProjectFactory

    project = ProjectFactory(name="Acme Bank", credits=10)
    case = passport_case()
    walk_to_front(page, project.pid)
    page.set_input_files("#id_photo", files=[{"name": "passport.jpg", "mimeType": "image/jpeg", "buffer": case.front}])
    page.click("text=Use this photo")
    page.wait_for_url("**/form/selfie")
    assert page.locator("#lf-fallback").is_hidden()  # the camera first

    # when: the camera films the challenge, prompt by prompt
    page.click("text=Start the camera")
    first_prompt = {"turn_left": "Turn your head to your left, then back",
                    "turn_right": "Turn your head to your right, then back", "nod": "Nod: tilt your head down, then back",
                    "blink": "Blink your eyes", "approach": "Move the phone closer to your face"}  # fmt: skip
    page.wait_for_function(
        "text => document.getElementById('lf-live-prompt').textContent === text",
        arg=first_prompt[template.steps[0].challenge],
        timeout=15_000,
    )
    liveform_step(page, "selfie-live", audit=False)  # mid-challenge; the same markup is audited before the camera
    page.wait_for_url("**/form/processing", timeout=30_000)
    page.wait_for_url("**/form/result", timeout=180_000)

    # then: the worker verified the filmed challenge
    submission = Submission.objects.get(project=project)
    capture = LivenessCapture.objects.get(submission=submission)
    step = CheckResult.objects.get(submission=submission, step="liveness")
    assert submission.selfie_capture == SelfieCapture.LIVE
    assert capture.plan["steps"] == [
        {"challenge": s.challenge, "start_ms": s.start_ms, "end_ms": s.end_ms} for s in template.steps
    ]
    assert capture.frame_count >= 60  # about 8 per second over the 8–11 s challenge
    assert capture.camera_errors == []
    assert (step.outcome, step.summary["deciding"]) == ("passed", [])
