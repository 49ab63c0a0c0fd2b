"""Sign-in with password and TOTP: replay, throttling, session rotation and lifetimes (G20)."""

from __future__ import annotations

import datetime as dt
import time

import time_machine
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from projects.models import AuditEvent
from tests.conftest import TEST_HOST, sign_in, totp_code
from tests.factories import DEFAULT_PASSWORD, UserFactory


def _client() -> Client:
    return Client(HTTP_HOST=TEST_HOST)


def test_it_signs_in_with_password_then_code_and_rotates_the_session(owner):
    # given
    client = _client()
    client.get("/dashboard/login/")
    before = client.session.session_key
    # when
    response = client.post("/dashboard/login/", {"email": owner.email.upper(), "password": DEFAULT_PASSWORD})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/otp/?next=%2Fdashboard%2F"
    assert client.session.session_key != before
    device = owner.totpdevice_set.get()
    response = client.post("/dashboard/otp/?next=/dashboard/", {"code": totp_code(device)})
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 302  # one project: straight to it
    actions = list(AuditEvent.objects.filter(target_id=str(owner.pk)).order_by("id").values_list("action", flat=True))
    assert actions == ["auth.password_ok", "auth.otp_ok"]


def test_a_wrong_password_is_refused_and_recorded(owner):
    # when
    response = _client().post("/dashboard/login/", {"email": owner.email, "password": "wrong password 123"})
    # then
    assert response.status_code == 200
    assert "E-mail or password is not right." in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.password_failed", target_id=str(owner.pk)).count() == 1
    assert "_auth_user_id" not in _client().session


def test_ten_wrong_passwords_lock_the_account_for_fifteen_minutes(owner):
    client = _client()
    for _ in range(10):
        client.post("/dashboard/login/", {"email": owner.email, "password": "wrong password 123"})
    # when: the right password now
    response = client.post("/dashboard/login/", {"email": owner.email, "password": DEFAULT_PASSWORD})
    # then
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.sign_in_throttled").count() == 1
    # and after the window it works again
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
        response = _client().post("/dashboard/login/", {"email": owner.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def test_the_same_code_cannot_be_used_twice(owner):
    # given: a code used once
    device = owner.totpdevice_set.get()
    code = totp_code(device)
    first = sign_in(_client(), owner, with_otp=False)
    assert first.post("/dashboard/otp/", {"code": code}).status_code == 302
    # when: replayed in another session
    second = sign_in(_client(), owner, with_otp=False)
    response = second.post("/dashboard/otp/", {"code": code})
    # then
    assert response.status_code == 200
    assert "already used" in response.content.decode()
    assert second.get("/dashboard/").status_code == 302
    assert second.get("/dashboard/")["Location"].startswith("/dashboard/otp/")


def test_wrong_codes_throttle_the_device(owner):
    client = sign_in(_client(), owner, with_otp=False)
    for _ in range(3):
        client.post("/dashboard/otp/", {"code": "000000"})
    # when: even the right code is refused while throttled
    response = client.post("/dashboard/otp/", {"code": totp_code(owner.totpdevice_set.get())})
    # then
    assert "Too many wrong codes" in response.content.decode()
    # the first failure opened a delay, so the next two never reached the device
    assert TOTPDevice.objects.get(user=owner).throttling_failure_count == 1


def test_first_sign_in_sets_up_the_authenticator(project):
    # given: a user without a device
    user = UserFactory()
    client = _client()
    response = client.post("/dashboard/login/", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response["Location"].startswith("/dashboard/otp/setup/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"data:image/svg+xml" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # when: a wrong code, then the right one
    wrong = client.post("/dashboard/otp/setup/", {"code": "123456"})
    assert "not right" in wrong.content.decode()
    response = client.post("/dashboard/otp/setup/", {"code": totp_code(device)})
    # then
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert client.get("/dashboard/").status_code == 200


def test_a_password_only_session_cannot_replace_the_authenticator(owner):
    client = sign_in(_client(), owner, with_otp=False)
    # when
    response = client.get("/dashboard/otp/setup/")
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/dashboard/otp/?")
    assert TOTPDevice.objects.filter(user=owner).count() == 1


def test_an_idle_session_expires_after_thirty_minutes(owner, settings):
    client = sign_in(_client(), owner)
    assert client.get("/dashboard/").status_code == 302  # redirects to the single project
    # when
    with time_machine.travel(time.time() + 31 * 60):
        response = client.get("/dashboard/")
    # then
    assert response["Location"].startswith("/dashboard/login/")


def test_an_active_session_still_ends_after_twelve_hours(owner):
    client = sign_in(_client(), owner)
    start = time.time()
    for hour in range(1, 13):
        with time_machine.travel(start + hour * 3600 - 60):
            for minute in range(0, 60, 20):
                client.get(f"/dashboard/?t={hour}-{minute}")
    # when
    with time_machine.travel(start + 12 * 3600 + 120):
        response = client.get("/dashboard/")
    # then
    assert response["Location"].startswith("/dashboard/login/")


def test_sign_out_ends_the_session(owner):
    client = sign_in(_client(), owner)
    # when
    response = client.post("/dashboard/logout/")
    # then
    assert response["Location"] == "/dashboard/login/"
    assert client.get("/dashboard/")["Location"].startswith("/dashboard/login/")
    assert AuditEvent.objects.filter(action="auth.signed_out").count() == 1


def test_next_cannot_point_to_another_site(owner):
    client = _client()
    response = client.post("/dashboard/login/?next=https://evil.example.com/",
                           {"email": owner.email, "password": DEFAULT_PASSWORD})
    assert response["Location"] == "/dashboard/otp/?next=%2Fdashboard%2F"
