"""A person adds their address to a verification they finished, on a phone-sized screen (spec
§6.6): the injection link, the address step with a photo of the bill, the real worker's checks,
the success page, and the ``injection`` webhook at the project's receiver."""

from __future__ import annotations

import json
import time

import pytest

from projects.services import project_settings_update
from submissions.models import AddressInjection
from submissions.selectors import submission_view
from tests.e2e.conftest import liveform_step
from tests.factories import ProjectFactory
from tests.submissions.api.helpers import photo
from tests.submissions.injection_helpers import ACTOR, liveform_submission
from tests.submissions.test_process_celery import pipeline_worker  # noqa: F401 (a fixture)
from tests.webhooks.conftest import Receiver, endpoint_at, send_due

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("pipeline_worker")]


@pytest.fixture
def receiver(settings):
    settings.IDCHECK_OUTBOUND_ALLOW_LOCAL = True
    server = Receiver()
    server.start()
    yield server
    server.stop()


def _fill_address(page) -> None:
    page.fill("#id_street", "12 Rue de Rivoli")
    page.fill("#id_city", "Paris")
    page.fill("#id_postal_code", "75001")
    page.select_option("#id_country", "FRA")
    page.set_input_files("#id_photo", files=[{"name": "bill.jpg", "mimeType": "image/jpeg", "buffer": photo()}])


def test_a_person_adds_their_address_on_a_phone_and_the_integrator_hears_of_it(page, receiver):
    # given: an approved verification of a project with a webhook receiver
    project = ProjectFactory(name="Acme Bank", credits=5)
    endpoint_at(project, receiver.url)
    submission = liveform_submission(project)
    project_settings_update(project=project, changes={"policy_blacklist_countries": ["FRA"]}, actor=ACTOR)

    # when: the person opens the injection link and sends the form empty
    page.goto(f"/form/?pid={project.pid}&action=addveri&sid={submission.pk}&cf1=move-2026&userid=e2e-9")
    page.wait_for_url("**/form/injection/address")
    assert page.get_attribute("#id_photo", "capture") == "environment"
    page.click("text=Continue")
    assert page.locator("#form-error").inner_text() == "Required field is missing"
    liveform_step(page, "injection-address-missing")

    # then fills it in, with France on the project's blacklist: refused, with a way back
    _fill_address(page)
    liveform_step(page, "injection-address")
    page.click("text=Continue")
    page.wait_for_selector("h1:text-is('Address verification failed')", timeout=120_000)
    assert page.locator(".lf-result p").inner_text() == (
        "Address verification failed. Addresses in this country cannot be accepted."
    )
    liveform_step(page, "injection-failed")

    # when: the project lifts its blacklist and the person tries again
    project_settings_update(project=project, changes={"policy_blacklist_countries": []}, actor=ACTOR)
    page.click("text=Try again")
    page.wait_for_url("**/form/injection/address")
    _fill_address(page)
    page.click("text=Continue")

    # then: the wait page reloads itself until the spec's success sentence
    page.wait_for_selector("h1:text-is('Address verification completed.')", timeout=120_000)
    liveform_step(page, "injection-completed")
    submission.refresh_from_db()
    assert submission_view(submission).evidence.address.city == "Paris"
    states = list(AddressInjection.objects.filter(submission=submission).order_by("pk").values_list("state", flat=True))
    assert states == ["failed", "completed"]

    # and the integrator receives the injection webhook (§4.9, flat cf1, the link's userid)
    def injection_bodies() -> list[dict]:
        bodies = [json.loads(request.body) for request in receiver.requests]
        return [body for body in bodies if body.get("webhook_trigger") == "injection"]

    deadline = time.monotonic() + 30
    while not injection_bodies() and time.monotonic() < deadline:
        send_due()  # what the sweeper does (no webhooks worker runs here)
        time.sleep(0.2)
    injection = injection_bodies()
    assert len(injection) == 1
    assert injection[0]["submission_id"] == submission.pk
    assert injection[0]["action"]["type"] == "address"
    assert (injection[0]["cf1"], injection[0]["userid"], injection[0]["kyc_status"]) == (
        "move-2026",
        "e2e-9",
        "approved",
    )
