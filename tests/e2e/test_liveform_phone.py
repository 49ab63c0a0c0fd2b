"""The phone-number step in Chromium on a phone viewport: an encrypted link with
``auxidField=phoneNumber``, the number typed, the code read from the development file backend's
SMS, a wrong code refused, the right one taking the person on to the document; both stages pass
axe-core's audit with their errors shown."""

from __future__ import annotations

import pytest

from projects.actors import Actor
from projects.services import api_key_issue
from submissions.models import PhoneVerification
from tests.e2e.conftest import liveform_step
from tests.factories import ProjectFactory
from tests.submissions.flow.helpers import encrypted
from tests.submissions.phone_helpers import last_code, sms_sent, use_file_backend

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_person_verifies_their_phone_number_with_the_sms_code(page, settings, tmp_path):
    # given
    folder = use_file_backend(settings, tmp_path / "sms")
    project = ProjectFactory(name="Acme Bank")
    key = api_key_issue(project=project, actor=Actor.system("test"))
    link = encrypted(key.plaintext, {"auxidField": "phoneNumber", "email": "person@example.com"})
    page.goto(f"/form/?pid={project.pid}&encrypted={link}")
    page.check("input[name=agree]")
    page.click("text=Start")
    page.wait_for_url("**/form/phone-number")

    # when: a number without its country code, then the right one
    page.fill("input[name=phone]", "06 12 34 56 78")
    page.click("text=Send the code")
    refusal = page.locator("#phone-error").inner_text()
    liveform_step(page, "phone-number")  # kept as a screenshot, and fails on what axe-core finds
    page.fill("input[name=phone]", "+33 6 12 34 56 78")
    page.click("text=Send the code")
    page.wait_for_selector("input[name=code]")
    sent_to = page.locator("h1 + p").inner_text()
    code = last_code(folder)
    page.fill("input[name=code]", "000000" if code != "000000" else "111111")
    page.click("button[value=check]")
    wrong = page.locator("#code-error").inner_text()
    liveform_step(page, "phone-code")
    page.fill("input[name=code]", code)
    page.click("button[value=check]")

    # then
    page.wait_for_url("**/form/country")
    assert refusal.startswith("Enter the number with its country code, starting with +")
    assert sent_to == "We sent a 6-digit code by text message to +33 6 12 34 56 78. It expires in 10 minutes."
    assert wrong == "This code is not right. Attempts left: 4."
    assert len(sms_sent(folder)) == 1
    assert sms_sent(folder)[0].startswith("[DEVELOPMENT ONLY - this SMS was not sent]\nTo: +33612345678\n")
    verification = PhoneVerification.objects.get(project=project)
    assert (verification.sends, verification.wrong_attempts, verification.verified_at is not None) == (1, 1, True)
