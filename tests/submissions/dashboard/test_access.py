"""Every User Submissions URL: anonymous visitors go to sign-in, a password alone to the TOTP
page, and an admin of project A reaches nothing of project B (404), by either project's pid."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern

from submissions import dashboard_urls
from submissions.models import Submission
from tests.conftest import TEST_HOST, sign_in
from tests.factories import ProjectFactory
from tests.submissions.dashboard.helpers import client_for, specimen_submission

POST_ONLY = {
    "submission_approve", "submission_reject", "submission_edit", "submission_status_change", "submission_memo",
    "submission_webhook_resend", "submissions_export", "aml_monitoring_resolve",
}  # fmt: skip


def _url(pattern: URLPattern, pid: str, sid: str) -> str:
    route = (
        str(pattern.pattern)
        .replace("<str:sid>", sid)
        .replace("<str:kind>", "selfie")
        .replace("<int:event_id>", "1")
        .replace("<int:match_id>", "1")
    )
    return f"/dashboard/p/{pid}/submissions/{route}"


def _calls(pid: str, sid: str, *, submission_pages_only: bool = False) -> list[tuple[str, str]]:
    """(method, url) of every page (or of every page of one submission), with the method it answers."""
    patterns = [p for p in dashboard_urls.urlpatterns if not submission_pages_only or "<str:sid>" in str(p.pattern)]
    return [("post" if p.name in POST_ONLY else "get", _url(p, pid, sid)) for p in patterns]


def test_the_matrix_covers_every_submissions_url():
    # given / when
    names = {p.name for p in dashboard_urls.urlpatterns}
    # then: a new page joins the matrix by existing
    assert names == {
        "submissions", "review_queue", "submission_detail", "submission_image", "submission_approve", "submission_reject",
        "analytics", "submission_edit", "submission_status_change", "submission_memo", "submission_delete",
        "submission_webhook_resend", "submissions_export", "aml_monitoring", "aml_monitoring_resolve",
    }  # fmt: skip


def test_an_admin_of_another_project_gets_404_everywhere(project, owner):
    # given: the owner of ``project`` (A) and a submission of project B
    other = ProjectFactory()
    theirs = specimen_submission(other)
    before = Submission.objects.values().get(pk=theirs.pk)
    client = client_for(owner)
    calls = _calls(other.pid, theirs.pk) + _calls(project.pid, theirs.pk, submission_pages_only=True)
    assert len(calls) == 24

    for method, url in calls:
        # when
        response = getattr(client, method)(url, {"comment": "No."} if method == "post" else None)
        # then
        assert response.status_code == 404, url
        assert theirs.pk.encode() not in response.content, url
    assert Submission.objects.values().get(pk=theirs.pk) == before
    # and B's submission is not in A's own list
    assert theirs.pk.encode() not in client.get(f"/dashboard/p/{project.pid}/submissions/").content


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(project, method):
    # given
    submission = specimen_submission(project)
    client = Client(HTTP_HOST=TEST_HOST)
    for _, url in _calls(project.pid, submission.pk):
        # when
        response = getattr(client, method)(url)
        # then
        assert response.status_code == 302, url
        assert response["Location"].startswith("/dashboard/login/?next="), url


def test_a_password_without_the_totp_code_opens_nothing(project, owner):
    # given
    submission = specimen_submission(project)
    client = sign_in(Client(HTTP_HOST=TEST_HOST), owner, with_otp=False)
    for method, url in _calls(project.pid, submission.pk):
        # when
        response = getattr(client, method)(url)
        # then
        assert response.status_code == 302, url
        assert response["Location"].startswith("/dashboard/otp/?next="), url
