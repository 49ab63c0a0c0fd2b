"""The submission page's actions: edit data, change a decided status, memo, delete (whole or in
part, after a confirmation page), webhook history with Resend. Roles as the review's: owners and
reviewers change, only owners delete and resend, viewers get 403; every POST needs its CSRF
token; every refusal leaves the row, the Event Log and the outbox as they were."""

from __future__ import annotations

import pytest
from django.test import Client

from projects.models import AuditEvent, Role
from submissions.models import Submission
from submissions.selectors import submission_view
from submissions.services import memo_open
from tests.conftest import TEST_HOST
from tests.submissions.dashboard.helpers import client_for, member
from tests.submissions.test_submission_update import data_of, decided_submission
from tests.webhooks.conftest import endpoint_at
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookOutbox


@pytest.fixture
def approved(project):
    return decided_submission(project)


def _url(submission, action: str = "") -> str:
    return f"/dashboard/p/{submission.project.pid}/submissions/{submission.pk}/{action}"


def _state(submission) -> tuple:
    return (
        Submission.objects.values().get(pk=submission.pk),
        AuditEvent.objects.filter(action__startswith="submission.").exclude(action="submission.created").count(),
        WebhookOutbox.objects.filter(resource_id=submission.pk).count(),
        list(WebhookDelivery.objects.filter(resource_id=submission.pk).values_list("status", "attempts")),
    )


def refused(client, submission, action: str, data: dict, *, status: int = 400) -> str:
    """The page a refused POST answers, after checking that it changed nothing."""
    before = _state(submission)
    response = client.post(_url(submission, action), data)
    assert response.status_code == status
    assert _state(submission) == before
    return response.content.decode()


def test_an_owner_corrects_the_data_and_only_the_changed_fields_are_sent(project, owner, approved):
    # given: the form comes prefilled; the owner changes the document number only
    client = client_for(owner)
    form = client.get(_url(approved)).context["edit_form"]
    posted = {name: value for name, value in form.initial.items() if value}

    # when
    response = client.post(_url(approved, "edit/"), {**posted, "documentNumber": "M7654321"}, follow=True)

    # then
    assert response.redirect_chain == [(_url(approved), 302)]
    assert "Changed: documentNumber." in response.content.decode()
    assert data_of(approved)["documentNumber"] == "M7654321"
    [outbox] = WebhookOutbox.objects.filter(resource_id=approved.pk, event="updated")
    assert (outbox.payload["data"]["update"], outbox.payload["admin"]) == (["documentNumber"], owner.email)


def test_an_invalid_value_is_shown_and_changes_nothing(project, owner, approved):
    # given
    client = client_for(owner)

    # when
    page = refused(client, approved, "edit/", {"birthDate": "17.02.1996"})

    # then
    assert "Invalid value for birthDate: a past date as YYYY-MM-DD." in page


def test_a_reviewer_rejects_an_approved_submission_with_a_comment(project, approved):
    # given
    reviewer = member(project, Role.REVIEWER)

    # when
    response = client_for(reviewer).post(_url(approved, "status/"), {"status": "rejected", "comment": "Forged."})

    # then
    assert response.status_code == 302
    approved.refresh_from_db()
    assert (approved.status, approved.reviewer, approved.kyc_comment, approved.kyc_comment_code) == (
        "rejected", reviewer.email, ["Forged."], ["other"],
    )  # fmt: skip
    assert WebhookOutbox.objects.filter(resource_id=approved.pk, event="updated").count() == 1


def test_a_rejection_without_a_comment_is_refused(project, owner, approved):
    # given
    client = client_for(owner)

    # when
    page = refused(client, approved, "status/", {"status": "rejected", "comment": " "})

    # then
    assert "A comment is required to reject." in page


def test_the_status_of_a_pending_submission_is_changed_by_a_review_only(project, owner):
    # given
    pending = decided_submission(project, status="pending")
    client = client_for(owner)

    # when
    page = client.get(_url(pending)).content.decode()
    answer = refused(client, pending, "status/", {"status": "approved"})

    # then
    assert 'id="status-form"' not in page
    assert "this one is pending and is decided by a review." in answer


def test_a_memo_is_saved_sealed_and_shown(project, owner, approved):
    # given
    client = client_for(owner)

    # when
    client.post(_url(approved, "memo/"), {"text": "Called the applicant."})
    page = client.get(_url(approved)).content.decode()

    # then
    approved.refresh_from_db()
    assert memo_open(approved).text == "Called the applicant."
    assert "Called the applicant." in page


def test_a_memo_over_the_limit_is_refused(project, owner, approved):
    # given
    client = client_for(owner)

    # when / then
    assert "Ensure this value has at most 2000 characters" in refused(client, approved, "memo/", {"text": "x" * 2001})


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("edit/", {"documentNumber": "M7654321"}),
        ("status/", {"status": "rejected", "comment": "No."}),
        ("memo/", {"text": "A viewer's note."}),
        ("delete/", {"confirm": "on"}),
    ],
)
def test_a_viewer_is_refused_every_change(project, approved, action, data):
    # given
    viewer = client_for(member(project, Role.VIEWER))

    # when / then
    refused(viewer, approved, action, data, status=403)


def test_a_viewer_sees_the_memo_and_the_history_but_no_form(project, approved):
    # when
    page = client_for(member(project, Role.VIEWER)).get(_url(approved)).content.decode()

    # then
    assert 'id="webhook-history"' in page
    for form in ('id="memo-form"', 'id="edit-form"', 'id="status-form"', 'id="delete-link"', "Resend"):
        assert form not in page


def test_a_reviewer_may_not_delete(project, approved):
    # given
    reviewer = client_for(member(project, Role.REVIEWER))
    before = _state(approved)

    # when
    page = reviewer.get(_url(approved))
    response = reviewer.get(_url(approved, "delete/"))

    # then
    assert 'id="delete-link"' not in page.content.decode()
    assert response.status_code == 403
    assert _state(approved) == before


def test_the_confirmation_page_says_irreversible_and_billed_and_a_post_without_the_tick_deletes_nothing(
    project, owner, approved
):
    # given
    client = client_for(owner)

    # when
    page = client.get(_url(approved, "delete/")).content.decode()
    answer = refused(client, approved, "delete/", {})

    # then
    assert "This cannot be undone" in page
    assert "billed all the same" in page
    assert "Tick the box to confirm: a deletion cannot be undone." in answer


def test_an_owner_deletes_after_confirming(project, owner, approved):
    # when
    response = client_for(owner).post(_url(approved, "delete/"), {"confirm": "on"})

    # then
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.wrapped_data_key is None
    [event] = AuditEvent.objects.filter(action="submission.deleted")
    assert event.details["admin_user_id"] == owner.pk
    assert WebhookOutbox.objects.get(resource_id=approved.pk, event="delete").payload["account_email"] == owner.email


def test_an_owner_deletes_the_chosen_parts(project, owner, approved):
    # when
    response = client_for(owner).post(_url(approved, "delete/"), {"confirm": "on", "partial": "1", "parts": ["email"]})

    # then
    assert response.status_code == 302
    approved.refresh_from_db()
    view = submission_view(approved)
    assert (view.metadata.get("email"), view.metadata["userid"]) == (None, "user-7")


def test_a_partial_deletion_without_a_part_deletes_nothing(project, owner, approved):
    # given
    client = client_for(owner)

    # when / then
    assert "Choose at least one part to delete." in refused(
        client, approved, "delete/", {"confirm": "on", "partial": "1"}
    )


def test_the_history_lists_the_events_and_an_owner_resends_one(project, owner, approved):
    # given: the created event was delivered
    endpoint_at(project, "http://127.0.0.1:9/hooks")
    client = client_for(owner)
    client.post(_url(approved, "memo/"), {"text": "x"})
    client.post(_url(approved, "status/"), {"status": "rejected", "comment": "Forged."})
    updated = WebhookOutbox.objects.get(resource_id=approved.pk, event="updated")
    WebhookDelivery.objects.filter(event=updated).update(status=DeliveryStatus.DELIVERED, attempts=1)

    # when
    history = client.get(_url(approved)).context["webhook_history"]
    response = client.post(_url(approved, f"webhooks/{updated.pk}/resend/"), follow=True)

    # then
    assert [(event.event, delivery and delivery.status) for event, delivery in history] == [
        ("updated", "delivered"), ("created", None),
    ]  # fmt: skip
    assert "The event goes out again, with the same webhook-id." in response.content.decode()
    delivery = WebhookDelivery.objects.get(event=updated)
    assert (delivery.status, delivery.attempts) == ("pending", 0)


def test_a_resend_refused_by_the_service_is_shown_and_changes_nothing(project, owner, approved):
    # given: the project has no webhook URL
    created = WebhookOutbox.objects.get(resource_id=approved.pk, event="created")
    before = _state(approved)

    # when
    response = client_for(owner).post(_url(approved, f"webhooks/{created.pk}/resend/"), follow=True)

    # then
    assert "Set a webhook URL first." in response.content.decode()
    assert _state(approved) == before


def test_a_reviewer_may_not_resend(project, approved):
    # given
    created = WebhookOutbox.objects.get(resource_id=approved.pk, event="created")

    # when
    response = client_for(member(project, Role.REVIEWER)).post(_url(approved, f"webhooks/{created.pk}/resend/"))

    # then
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("edit/", {"documentNumber": "M7654321"}),
        ("status/", {"status": "rejected", "comment": "No."}),
        ("memo/", {"text": "A note."}),
        ("delete/", {"confirm": "on"}),
        ("webhooks/1/resend/", {}),
    ],
)
def test_every_post_needs_its_csrf_token(project, owner, approved, action, data):
    # given
    client = Client(HTTP_HOST=TEST_HOST, enforce_csrf_checks=True)
    client.cookies = client_for(owner).cookies  # signed in (password and TOTP) by a client without the check

    # when / then
    refused(client, approved, action, data, status=403)


def test_a_partial_deletion_without_the_tick_keeps_the_chosen_parts_ticked(project, owner, approved):
    # given
    client = client_for(owner)

    # when
    page = refused(client, approved, "delete/", {"partial": "1", "parts": ["email", "userid"]})

    # then
    assert 'name="parts" value="email" checked' in page
    assert 'name="parts" value="userid" checked' in page
    assert 'name="parts" value="data" checked' not in page
