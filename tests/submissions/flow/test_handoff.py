"""Desktop → phone: the QR code on a desktop's pages, the single-use phone link, the desktop's
page once the phone has taken over."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from submissions.flow.state import SESSION_KEY, FlowState
from submissions.models import LiveformHandoff, Submission
from tests.conftest import TEST_HOST
from tests.submissions.api.helpers import photo
from tests.submissions.flow.helpers import confirm_details, flow_client, flow_id, open_link, post, walk_to_capture

DESKTOP_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)


def desktop_client() -> Client:
    return Client(HTTP_HOST=TEST_HOST, HTTP_USER_AGENT=DESKTOP_UA)


def _token(page: str) -> str:
    match = re.search(r'id="lf-handoff-link" href="[^"]*/form/handoff/([A-Za-z0-9_-]+)"', page)
    assert match, "no phone link on the page"
    return match.group(1)


def _finish_on(phone: Client) -> str:
    """Take the steps still to do on the phone, up to the submission, and say where it went."""
    location = ""
    for _ in range(5):
        step = FlowState.from_session(phone.session[SESSION_KEY]).next_step()
        if step == "processing":
            return location
        if step == "review":  # the OCR confirmation page, shown for a photo nothing can be read on
            location = confirm_details(phone)["Location"]
            continue
        upload = SimpleUploadedFile("p.jpg", photo(), content_type="image/jpeg")
        location = phone.post(f"/form/{step}", {"flow": flow_id(phone), "photo": upload})["Location"]
    raise AssertionError(f"the phone did not finish: {location}")


@pytest.fixture
def desktop(project):
    client = desktop_client()
    walk_to_capture(client, project.pid, email="person@example.com")
    return client


def test_a_desktop_visitor_sees_a_qr_code_and_the_link_on_consent(project):
    client = desktop_client()
    open_link(client, project.pid)
    page = client.get("/form/consent").content.decode()
    assert "Continue on your phone" in page
    assert "<svg" in page
    assert "QR code to continue on your phone" in page
    token = _token(page)
    assert len(token) == 43
    row = LiveformHandoff.objects.get()
    assert row.token_hash != token
    assert row.session_key == client.session.session_key
    assert row.used_at is None
    assert row.flow == flow_id(client)


def test_a_phone_visitor_sees_no_qr_code(project):
    client = flow_client()
    open_link(client, project.pid)
    page = client.get("/form/consent").content.decode()
    assert "Continue on your phone" not in page
    assert not LiveformHandoff.objects.exists()


def test_the_email_step_offers_no_qr_code(project):
    client = desktop_client()
    open_link(client, project.pid)
    post(client, "/form/consent", {"agree": "on"})
    assert "lf-handoff-link" not in client.get("/form/email").content.decode()


def test_the_phone_continues_the_desktops_flow_and_the_desktop_waits(desktop, project):
    # given: the desktop on the front step
    token = _token(desktop.get("/form/front").content.decode())
    desktop_flow = flow_id(desktop)
    phone = flow_client()
    # when
    response = phone.get(f"/form/handoff/{token}")
    # then: the phone is on the same flow, in its own session
    assert response.status_code == 302
    assert response["Location"] == "/form/front"
    assert flow_id(phone) == desktop_flow
    assert phone.session.session_key != desktop.session.session_key
    assert phone.session[SESSION_KEY]["country"] == "EST"
    waiting = desktop.get("/form/front")
    assert waiting["Location"] == "/form/phone"
    page = desktop.get("/form/phone").content.decode()
    assert "Continue on your phone" in page
    assert "The verification is open on your phone." in page
    assert desktop.get("/form/phone/status").json() == {"finished": False}
    # when: the phone takes the photos
    assert _finish_on(phone) == "/form/processing"
    # then
    assert Submission.objects.filter(project=project).count() == 1
    assert desktop.get("/form/phone/status").json() == {"finished": True}
    assert "Your phone has sent everything" in desktop.get("/form/phone").content.decode()


def test_a_phone_link_works_once(desktop):
    token = _token(desktop.get("/form/front").content.decode())
    assert flow_client().get(f"/form/handoff/{token}")["Location"] == "/form/front"
    # when: a second phone
    second = flow_client()
    response = second.get(f"/form/handoff/{token}")
    # then
    assert response["Location"] == "/form/error-page/handoff-expired"
    page = second.get(response["Location"])
    assert page.status_code == 410
    assert "RT-60003" in page.content.decode()
    assert "This QR code has expired" in page.content.decode()
    assert SESSION_KEY not in second.session


def test_a_phone_link_expires_after_ten_minutes(desktop):
    token = _token(desktop.get("/form/front").content.decode())
    LiveformHandoff.objects.update(expires_at=LiveformHandoff.objects.get().expires_at - dt.timedelta(minutes=10))
    phone = flow_client()
    assert phone.get(f"/form/handoff/{token}")["Location"] == "/form/error-page/handoff-expired"
    assert SESSION_KEY not in phone.session
    assert desktop.get("/form/front").status_code == 200  # the desktop goes on as before


def test_an_unknown_token_changes_nothing(desktop):
    desktop.get("/form/front")
    phone = flow_client()
    assert phone.get("/form/handoff/not-a-token")["Location"] == "/form/error-page/handoff-expired"
    assert LiveformHandoff.objects.get().used_at is None
    assert desktop.get("/form/front").status_code == 200


def test_a_link_of_a_restarted_desktop_flow_is_refused(desktop, project):
    token = _token(desktop.get("/form/front").content.decode())
    open_link(desktop, project.pid)  # the desktop opened the link again: a new flow
    phone = flow_client()
    assert phone.get(f"/form/handoff/{token}")["Location"] == "/form/error-page/handoff-expired"
    assert desktop.get("/form/consent").status_code == 200
