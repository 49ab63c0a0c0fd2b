"""Private mode in the Liveform (spec §6.5, §6.7, §7): a link opens only with a valid token, used
once per flow started; refusals show their TK- page and reach the Return URL's errorCode; the
submission remembers its tokenId for the webhooks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.actors import Actor
from projects.models import LiveformToken
from projects.services import liveform_tokens_register, project_settings_update
from submissions.flow.state import SESSION_KEY
from submissions.models import Submission
from submissions.selectors import submission_view
from submissions.webhook_payloads import fill_personal_fields
from tests.submissions.api.helpers import photo
from tests.submissions.flow.helpers import (
    confirm_details,
    encrypted,
    flow_client,
    flow_id,
    nothing_written,
    open_link,
    walk_to_capture,
)
from webhooks.models import WebhookOutbox

RETURN = "https://shop.example.com/kyc/done"
ACTOR = Actor.system("test")


def _configure(project, **changes) -> None:
    project_settings_update(project=project, changes=changes, actor=ACTOR)


def _refusal(client, response) -> tuple[str, int, str]:
    assert response.status_code == 302
    page = client.get(response["Location"])
    return response["Location"], page.status_code, page.content.decode()


def _send_photos(client) -> None:
    """The document, its confirmation page and the selfie: the flow's submission is made."""
    for step in ("front", "selfie"):
        upload = SimpleUploadedFile("photo.jpg", photo(), content_type="image/jpeg")
        client.post(f"/form/{step}", {"flow": flow_id(client), "photo": upload})
        if step == "front":
            confirm_details(client)


def _uses(project) -> dict[str, int]:
    return dict(LiveformToken.objects.filter(project=project).values_list("token_id", "use_count"))


@pytest.fixture
def pool_project(project):
    _configure(project, liveform_private_mode="pool", liveform_token_expiry_uses=1)
    liveform_tokens_register(project=project, token_ids=["link-token-1"], actor=ACTOR)
    return project


def test_a_registered_token_opens_the_flow_once(pool_project):
    # when
    first = open_link(flow_client(), pool_project.pid, token="link-token-1")
    again = flow_client()
    location, status, text = _refusal(again, open_link(again, pool_project.pid, token="link-token-1"))

    # then: the second phone is told the link was used
    assert (first.status_code, first["Location"]) == (302, "/form/consent")
    assert (location, status) == ("/form/error-page/token-expired", 403)
    assert "TK-10001" in text
    assert SESSION_KEY not in again.session
    assert _uses(pool_project) == {"link-token-1": 1}
    assert WebhookOutbox.objects.filter(event="token_expired").count() == 1


@pytest.mark.parametrize(
    ("params", "page", "status", "code"),
    [
        ({}, "token-missing", 403, "TK-10000"),
        ({"token": "never-registered"}, "token-not-found", 403, "TK-10002"),
        ({"token": "bad token"}, "token-invalid", 400, "TK-10003"),
    ],
)
def test_a_link_without_a_valid_token_is_refused_with_its_code(pool_project, params, page, status, code):
    # given
    client = flow_client()

    # when
    location, shown, text = _refusal(client, open_link(client, pool_project.pid, **params))

    # then
    assert (location, shown) == (f"/form/error-page/{page}", status)
    assert code in text
    assert SESSION_KEY not in client.session
    assert _uses(pool_project) == {"link-token-1": 0}
    assert nothing_written(pool_project)


def test_the_refusal_reaches_the_return_url_as_its_error_code(pool_project):
    # given
    _configure(pool_project, liveform_return_url=RETURN, liveform_return_fields=["userid", "errorCode"])
    client = flow_client()
    open_link(client, pool_project.pid, userid="u-1")

    # when
    response = client.get("/form/error-page/token-missing/return")

    # then
    assert response["Location"] == f"{RETURN}?errorCode=TK-10000"


def test_an_expired_token_sends_tk_10001_to_the_return_url(pool_project):
    # given
    _configure(pool_project, liveform_return_url=RETURN, liveform_return_fields=["errorCode"])
    open_link(flow_client(), pool_project.pid, token="link-token-1")
    client = flow_client()
    open_link(client, pool_project.pid, token="link-token-1")

    # when
    response = client.get("/form/error-page/token-expired/return")

    # then
    assert response["Location"] == f"{RETURN}?errorCode=TK-10001"


def test_the_start_deadline_is_checked_before_the_token(pool_project, issued_key):
    # given: an expired start deadline and a valid token
    client = flow_client()
    link = encrypted(issued_key.plaintext, {"startValidUntil": "2020-01-01T00:00:00Z", "token": "link-token-1"})

    # when
    location, _, _ = _refusal(client, open_link(client, pool_project.pid, encrypted=link))

    # then: the token is not used up by a link that could not open anyway
    assert location == "/form/error-page/expired-start-valid-until"
    assert _uses(pool_project) == {"link-token-1": 0}


def test_an_encrypted_token_is_used(pool_project, issued_key):
    # when
    response = open_link(flow_client(), pool_project.pid, encrypted=encrypted(issued_key.plaintext,
                                                                              {"token": "link-token-1"}))  # fmt: skip

    # then
    assert response["Location"] == "/form/consent"
    assert _uses(pool_project) == {"link-token-1": 1}


def test_usage_mode_opens_any_token_for_three_minutes(project):
    # given
    _configure(project, liveform_private_mode="usage")
    first = open_link(flow_client(), project.pid, token="any-token-77")
    LiveformToken.objects.filter(project=project).update(
        first_used_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=4)
    )
    client = flow_client()

    # when
    location, _, text = _refusal(client, open_link(client, project.pid, token="any-token-77"))

    # then
    assert first["Location"] == "/form/consent"
    assert location == "/form/error-page/token-expired"
    assert "TK-10001" in text


def test_with_private_mode_off_a_token_is_only_echoed(project):
    # when
    response = open_link(flow_client(), project.pid, token="echo-token-1")

    # then
    assert response["Location"] == "/form/consent"
    assert _uses(project) == {}


def test_the_submission_remembers_its_token_for_the_webhooks(pool_project):
    # given: a flow opened with the token, walked to the photos
    client = flow_client()
    walk_to_capture(client, pool_project.pid, token="link-token-1")

    # when
    _send_photos(client)

    # then
    submission = Submission.objects.get(project=pool_project)
    assert submission_view(submission).metadata["token_id"] == "link-token-1"
    created = WebhookOutbox.objects.get(event="created", resource_id=submission.pk)
    payload = fill_personal_fields(pool_project, "created", submission.pk, created.payload)
    assert payload["tokenId"] == "link-token-1"


@pytest.mark.parametrize(
    ("status", "page", "code"),
    [("approved", "token-approved", "TK-10004"), ("pending", "token-pending", "TK-10005"),
     ("rejected", "token-rejected", "TK-10006")],
)  # fmt: skip
def test_usage_mode_refuses_a_token_whose_submission_is_decided(project, status, page, code):
    # given: a submission made with the token, decided within its 3 minutes, and another one's
    _configure(project, liveform_private_mode="usage")
    other = flow_client()
    walk_to_capture(other, project.pid, token="other-token-1")
    client = flow_client()
    walk_to_capture(client, project.pid, token="usage-token-1")
    _send_photos(client)
    Submission.objects.filter(project=project).update(status=status)
    again = flow_client()

    # when
    location, shown, text = _refusal(again, open_link(again, project.pid, token="usage-token-1"))
    unrelated = open_link(flow_client(), project.pid, token="other-token-1")

    # then
    assert (location, shown) == (f"/form/error-page/{page}", 409)
    assert code in text
    assert unrelated["Location"] == "/form/consent"
