"""A reviewer rejects a Pending submission in Chromium: an empty comment is refused on the page
with nothing changed, a comment rejects it with code other and the rejected webhook."""

from __future__ import annotations

from unittest import mock

import pytest

from submissions.models import Submission, SubmissionStatus
from tests.e2e.conftest import sign_in_dashboard
from tests.factories import MembershipFactory, ProjectFactory, TOTPDeviceFactory, UserFactory
from tests.submissions.dashboard.helpers import pending_policy, pending_submission
from webhooks.models import WebhookOutbox

pytestmark = pytest.mark.django_db(transaction=True)
COMMENT = "The selfie shows another person than the passport."


def test_a_reviewer_rejects_with_a_comment_after_an_empty_one_is_refused(page):
    # given: a Pending submission and its project's reviewer, signed in
    project = ProjectFactory(name="Acme KYC", credits=10)
    reviewer = UserFactory(email="reviewer@example.com")
    MembershipFactory(user=reviewer, project=project, role="reviewer")
    TOTPDeviceFactory(user=reviewer)
    pending_policy(project)
    with mock.patch("submissions.services.create.run_enqueue"):
        submission = pending_submission(project)
    sign_in_dashboard(page, reviewer)
    page.goto(f"/dashboard/p/{project.pid}/submissions/{submission.pk}/")

    # when: rejected without a comment
    page.click("#reject-form button[type=submit]")

    # then: refused on the page, nothing changed
    assert "comment" in page.locator("#reject-form .error").inner_text().lower()
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.PENDING

    # when: with a comment
    page.fill("#reject-comment", COMMENT)
    page.click("#reject-form button[type=submit]")

    # then: rejected with code other and the comment, and the rejected webhook
    page.wait_for_selector(".message-success")
    decided = Submission.objects.get(pk=submission.pk)
    assert (decided.status, decided.kyc_comment, decided.kyc_comment_code) == ("rejected", [COMMENT], ["other"])
    events = WebhookOutbox.objects.filter(resource_id=submission.pk).order_by("pk").values_list("event", flat=True)
    assert list(events) == ["created", "submit", "rejected"]
