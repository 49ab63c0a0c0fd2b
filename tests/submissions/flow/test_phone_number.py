"""The SMS-verified phone number step (spec §6.2 ``auxidField=phoneNumber``): only from an
encrypted link, never beside a preselected document, after the e-mail; the verified number is
sealed with the submission and shown as ``data.phoneNumber``."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from submissions import vault
from submissions.flow.state import SESSION_KEY
from submissions.models import PhoneVerification, Submission
from tests.submissions.flow.helpers import (
    confirm_details,
    encrypted,
    flow_client,
    nothing_written,
    open_link,
    post,
)
from tests.submissions.flow.test_capture import _upload
from tests.submissions.phone_helpers import MOBILE, OTHER_MOBILE, last_code, sms_sent

PHONE = {"auxidField": "phoneNumber", "email": "person@example.com"}


def _open(client, project, issued_key, **values) -> object:
    return open_link(client, project.pid, encrypted=encrypted(issued_key.plaintext, {**PHONE, **values}))


@pytest.fixture
def client(project, issued_key, sms_folder):
    client = flow_client()
    assert _open(client, project, issued_key)["Location"] == "/form/consent"
    assert post(client, "/form/consent", {"agree": "on"})["Location"] == "/form/phone-number"
    return client


def _send(client, number: str = "+33 6 12 34 56 78"):
    return post(client, "/form/phone-number", {"action": "send", "phone": number})


def _check(client, code: str):
    return post(client, "/form/phone-number", {"action": "check", "code": code})


def test_the_step_asks_for_a_mobile_number_after_the_email(client):
    page = client.get("/form/phone-number")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'type="tel" name="phone" id="id_phone" autocomplete="tel"' in text
    assert "Step 1 of" in text  # the e-mail came with the link
    assert client.get("/form/country")["Location"] == "/form/phone-number"  # not skippable


def test_a_verified_number_goes_on_to_the_country(client, sms_folder):
    # when
    sent = _send(client)
    page = client.get("/form/phone-number").content.decode()
    verified = _check(client, last_code(sms_folder))
    # then
    assert sent["Location"] == "/form/phone-number"
    assert "We sent a 6-digit code by text message to +33 6 12 34 56 78." in page
    assert 'autocomplete="one-time-code" inputmode="numeric"' in page
    assert verified["Location"] == "/form/country"
    flow = client.session[SESSION_KEY]
    assert (flow["phone_number"], flow["phone_pending"]) == (MOBILE, "")
    assert client.get("/form/phone-number")["Location"] == "/form/country"


def test_the_verified_number_is_sealed_with_the_submission_and_shown(client, project, api_client, sms_folder):
    _send(client)
    _check(client, last_code(sms_folder))
    post(client, "/form/country", {"choice": "EST"})
    post(client, "/form/id-type", {"choice": "passport"})
    _upload(client, "front")
    confirm_details(client)
    # when
    _upload(client, "selfie")
    # then
    submission = Submission.objects.get(project=project)
    assert MOBILE.encode() not in bytes(submission.sealed_metadata)
    metadata = vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT)
    assert metadata["phoneNumber"] == MOBILE
    [item] = api_client.get("/v3/submission", {"submission_id": submission.id}).json()["Items"]
    assert item["data"]["phoneNumber"] == MOBILE


def test_a_wrong_code_is_refused_with_the_attempts_left(client, sms_folder):
    _send(client)
    code = last_code(sms_folder)
    wrong = "000000" if code != "000000" else "111111"
    # when
    response = _check(client, wrong)
    # then
    assert response.status_code == 400
    assert "This code is not right. Attempts left: 4." in response.content.decode()
    assert client.session[SESSION_KEY]["phone_number"] == ""
    assert PhoneVerification.objects.get().wrong_attempts == 1


def test_the_fifth_wrong_code_asks_for_a_new_one(client, sms_folder):
    _send(client)
    code = last_code(sms_folder)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        _check(client, wrong)
    # when
    fifth = _check(client, wrong)
    right = _check(client, code)
    # then
    assert "Too many wrong codes. Ask for a new code." in fifth.content.decode()
    assert (right.status_code, "Too many wrong codes. Ask for a new code." in right.content.decode()) == (400, True)
    assert client.session[SESSION_KEY]["phone_number"] == ""


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦"])
def test_a_code_that_is_not_six_digits_is_refused_without_counting(client, code):
    _send(client)
    response = _check(client, code)
    assert response.status_code == 400
    assert "Please enter the 6-digit code." in response.content.decode()
    assert PhoneVerification.objects.get().wrong_attempts == 0


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("06 12 34 56 78", "Enter the number with its country code, starting with +"),
        ("+33 1 23", "This is not a valid phone number."),
        ("+33 1 42 68 53 00", "This number cannot receive text messages. Enter a mobile number."),
        ("", "Please enter your mobile phone number."),
    ],
)
def test_a_number_that_cannot_get_a_text_is_refused_and_nothing_is_sent(client, sms_folder, number, message):
    response = _send(client, number)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert sms_sent(sms_folder) == []
    assert not PhoneVerification.objects.exists()
    assert client.session[SESSION_KEY]["phone_pending"] == ""


def test_a_new_code_waits_a_minute_and_replaces_the_first(client, sms_folder):
    start = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        _send(client)
        first = last_code(sms_folder)
        # when: at once
        too_soon = post(client, "/form/phone-number", {"action": "resend"})
    with time_machine.travel(start + dt.timedelta(seconds=60), tick=False):
        resent = post(client, "/form/phone-number", {"action": "resend"})
        second = last_code(sms_folder)
        if first != second:
            assert "This code is not right." in _check(client, first).content.decode()
        verified = _check(client, second)
    # then
    assert too_soon.status_code == 429
    assert "Please wait 61 seconds before asking for a new code." in too_soon.content.decode()
    assert resent["Location"] == "/form/phone-number"
    assert len(sms_sent(sms_folder)) == 2
    assert verified["Location"] == "/form/country"


def test_the_number_can_be_changed_and_the_new_one_verified(client, sms_folder):
    start = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        _send(client)
        changed = post(client, "/form/phone-number", {"action": "change"})
        page = client.get("/form/phone-number").content.decode()
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        _send(client, OTHER_MOBILE)
        verified = _check(client, last_code(sms_folder))
    assert changed["Location"] == "/form/phone-number"
    assert 'name="phone"' in page
    assert verified["Location"] == "/form/country"
    assert client.session[SESSION_KEY]["phone_number"] == OTHER_MOBILE
    assert sms_sent(sms_folder)[-1].startswith("[DEVELOPMENT ONLY - this SMS was not sent]\nTo: +33698765432\n")


def test_a_gateway_failure_is_said_on_the_page(client, settings):
    settings.IDCHECK_SMS_BACKEND = "idcheck.lib.sms.HttpGatewayBackend"
    settings.IDCHECK_SMS_GATEWAY_URL = ""  # not configured: nothing can be sent
    response = _send(client)
    assert response.status_code == 503
    assert "The text message could not be sent. Please try again in a minute." in response.content.decode()
    assert client.session[SESSION_KEY]["phone_pending"] == ""


def test_a_plain_auxid_field_is_ignored(project, sms_folder):
    client = flow_client()
    open_link(client, project.pid, auxidField="phoneNumber", email="person@example.com")
    assert post(client, "/form/consent", {"agree": "on"})["Location"] == "/form/country"
    assert client.session[SESSION_KEY]["phone_required"] is False


@pytest.mark.parametrize("preselected", [{"selectedIssuingCountry": "EST"}, {"selectedIdType": "passport"}])
def test_auxid_field_beside_a_preselected_document_is_refused(project, issued_key, preselected):
    client = flow_client()
    response = _open(client, project, issued_key, **preselected)
    page = client.get(response["Location"])
    assert response["Location"] == "/form/error-page/auxid-conflict"
    assert page.status_code == 400
    assert "PV-40020" in page.content.decode()
    assert SESSION_KEY not in client.session
    assert nothing_written(project)


@pytest.mark.parametrize("value", ["ssnNumber", "phonenumber", ["phoneNumber"], True])
def test_an_unknown_auxid_field_is_an_invalid_parameter(project, issued_key, value):
    client = flow_client()
    response = _open(client, project, issued_key, auxidField=value)
    assert response["Location"] == "/form/error-page/invalid-parameter"
    assert SESSION_KEY not in client.session


def test_a_fourth_code_is_refused_with_the_way_out(client, sms_folder):
    start = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        _send(client)
    for minutes in (1, 2):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert post(client, "/form/phone-number", {"action": "resend"})["Location"] == "/form/phone-number"
    # when
    with time_machine.travel(start + dt.timedelta(minutes=3), tick=False):
        response = post(client, "/form/phone-number", {"action": "resend"})
    # then
    assert response.status_code == 429
    assert "You have asked for 3 codes, the most one verification may use." in response.content.decode()
    assert len(sms_sent(sms_folder)) == 3
