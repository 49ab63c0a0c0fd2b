"""Desktop → phone: a person opens the link on a computer, scans the QR code with a phone, and
finishes there; the computer's page follows along (two browser contexts, two sessions)."""

from __future__ import annotations

import re

import pytest

from network.models import SubmissionClient
from submissions.models import Submission
from tests.e2e.conftest import PHONE, PHONE_UA, liveform_step, walk_to_front
from tests.factories import ProjectFactory
from tests.submissions.api.helpers import passport_case

DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"

pytestmark = pytest.mark.django_db(transaction=True)


def _photo(page, data: bytes, name: str) -> None:
    page.set_input_files("#id_photo", files=[{"name": name, "mimeType": "image/jpeg", "buffer": data}])
    page.click("text=Use this photo")


def test_a_phone_continues_the_flow_started_on_a_desktop(browser, live_server, settings):
    # given: a person on a computer, up to the photo of the document
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    case = passport_case()
    project = ProjectFactory(name="Acme Bank", credits=10)
    desktop_context = browser.new_context(viewport={"width": 1280, "height": 800}, user_agent=DESKTOP_UA,
                                          base_url=live_server.url)  # fmt: skip
    phone_context = browser.new_context(viewport=PHONE, user_agent=PHONE_UA, is_mobile=True,
                                        has_touch=True, base_url=live_server.url)  # fmt: skip
    try:
        desktop = desktop_context.new_page()
        desktop.goto(f"/form/?pid={project.pid}")
        desktop.wait_for_url("**/form/consent")
        assert desktop.is_visible(".lf-qr svg")
        liveform_step(desktop, "consent-desktop-qr")
        walk_to_front(desktop, project.pid)
        link = desktop.get_attribute("#lf-handoff-link", "href")
        assert link
        assert link.startswith(f"{live_server.url}/form/handoff/")
        # when: the phone opens the QR code's link
        phone = phone_context.new_page()
        phone.goto(link)
        # then: it is on the desktop's flow, at the step the desktop was on, with no QR code
        phone.wait_for_url("**/form/front")
        assert not phone.is_visible("#lf-handoff-link")
        desktop.reload()
        desktop.wait_for_url("**/form/phone")
        assert desktop.text_content("h1") == "Continue on your phone"
        liveform_step(desktop, "phone-waiting")
        # when: the phone takes the photos
        _photo(phone, case.front, "passport.jpg")
        phone.wait_for_url(re.compile(r".*/form/(selfie|review)$"))
        if phone.url.endswith("/review"):  # the OCR confirmation page, when a field was read unsure
            phone.click("button[type=submit]")
            phone.wait_for_url("**/form/selfie")
        phone.click("text=I cannot use the camera: choose a photo instead")
        _photo(phone, case.selfie, "selfie.jpg")
        phone.wait_for_url("**/form/processing")
        # then: the desktop's page, polling, says the phone is done
        desktop.wait_for_selector("text=Your phone has sent everything", timeout=15_000)
        liveform_step(desktop, "phone-done")
        submission = Submission.objects.get(project=project)
        assert "Android" in SubmissionClient.objects.get(submission_id=submission.id).user_agent
    finally:
        desktop_context.close()
        phone_context.close()
