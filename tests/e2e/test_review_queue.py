"""A reviewer clears the review queue in Chromium: sign in with password and TOTP, open the
oldest Pending submission, read why it is pending, see its selfie, approve it with the a key."""

from __future__ import annotations

from unittest import mock

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from submissions.models import Submission, SubmissionStatus
from tests.conftest import totp_code
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, ProjectFactory, TOTPDeviceFactory, UserFactory
from tests.submissions.dashboard.helpers import pending_policy, pending_submission
from webhooks.models import WebhookOutbox

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reviewer_approves_the_oldest_pending_submission_from_the_queue(page):
    # given: a project whose policy leaves the specimen Pending (run here, not on a worker)
    project = ProjectFactory(name="Acme KYC", credits=10)
    reviewer = UserFactory(email="reviewer@example.com")
    MembershipFactory(user=reviewer, project=project, role="reviewer")
    TOTPDeviceFactory(user=reviewer)
    pending_policy(project)
    with mock.patch("submissions.services.create.run_enqueue"):
        submission = pending_submission(project)

    # when: password, then the authenticator's code
    page.goto("/dashboard/")
    page.fill("input[name=email]", "reviewer@example.com")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/otp/**")
    page.fill("input[name=code]", totp_code(TOTPDevice.objects.get(user=reviewer)))
    page.click("button[type=submit]")
    page.wait_for_url(f"**/dashboard/p/{project.pid}/")  # a reviewer of one project lands on it

    # and the review queue from the project's tabs, then its oldest submission
    page.click("text=Review Queue")
    page.wait_for_url(f"**/dashboard/p/{project.pid}/submissions/queue/")
    assert page.locator("[data-row-link]").all_inner_texts() == [submission.pk]
    page.click("text=Review the oldest")
    page.wait_for_url(f"**/submissions/{submission.pk}/?queue=1")

    # then: the trace says why, with every check's weight, and the selfie is shown
    assert page.locator("[data-outcome]").inner_text() == "Pending: the score 90 is below the threshold 99."
    assert "Face match" in page.locator("[data-trace]").inner_text()
    selfie = page.locator("img[alt=Selfie]")
    selfie.scroll_into_view_if_needed()
    for _ in range(50):  # the page's CSP forbids wait_for_function's eval: poll the element
        if selfie.evaluate("img => img.complete && img.naturalWidth"):
            break
        page.wait_for_timeout(100)
    assert selfie.evaluate("img => img.naturalWidth") > 0

    # when: the a key approves
    page.keyboard.press("a")

    # then: back to the queue, now empty, and the decision recorded with its webhook
    page.wait_for_url(f"**/dashboard/p/{project.pid}/submissions/queue/")
    assert page.locator(".message-success").inner_text() == f"Approved {submission.pk}."
    assert "Nothing to review" in page.locator("main").inner_text()
    decided = Submission.objects.get(pk=submission.pk)
    assert (decided.status, decided.reviewer) == (SubmissionStatus.APPROVED, "reviewer@example.com")
    events = WebhookOutbox.objects.filter(resource_id=submission.pk).order_by("pk").values_list("event", flat=True)
    assert list(events) == ["created", "submit", "approved"]
