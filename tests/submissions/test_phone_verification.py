"""The SMS check of a phone number (``submissions.services.phone``): parsing, codes hashed at rest,
10-minute expiry, 5 wrong entries, 60 s between codes, 3 codes per flow, 5 flows per number."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from idcheck.lib.crypto import keyed_hash
from projects.models import AuditEvent
from submissions.models import PhoneVerification
from submissions.services.phone import (
    HASH_PURPOSE,
    PhoneNumberInvalid,
    PhoneRefused,
    phone_code_check,
    phone_code_send,
    phone_number_display,
    phone_number_parse,
)
from tests.factories import ProjectFactory
from tests.submissions.phone_helpers import MOBILE, OTHER_MOBILE, last_code, sms_sent

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
FLOW = "flow-one"


@pytest.mark.parametrize("typed", ["+33612345678", "+33 6 12 34 56 78", "0033 (6) 12-34-56-78", " +33.6.12.34.56.78 "])
def test_a_mobile_number_in_international_form_is_kept_in_e164(typed):
    assert phone_number_parse(typed) == "+33612345678"
    assert phone_number_display("+33612345678") == "+33 6 12 34 56 78"


def test_a_number_that_may_be_mobile_is_accepted():
    assert phone_number_parse("+1 415 555 0123") == "+14155550123"  # US numbers do not say which they are


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("06 12 34 56 78", "phone_no_country"),  # no country code
        ("+44 12", "phone_invalid"),
        ("+999 123456789", "phone_invalid"),  # no such country code
        ("call me", "phone_no_country"),
        ("+44 20 7946 0000", "phone_not_mobile"),  # a London landline
        ("+44 800 123 4567", "phone_not_mobile"),  # toll-free
        ("+44 909 879 0000", "phone_not_mobile"),  # premium rate
        ("+" + "1" * 45, "phone_no_country"),  # too long to be read
    ],
)
def test_what_is_not_a_textable_number_is_refused_with_its_reason(typed, code):
    with pytest.raises(PhoneNumberInvalid) as refusal:
        phone_number_parse(typed)
    assert refusal.value.code == code


@time_machine.travel(NOW, tick=False)
def test_a_code_is_sent_and_kept_only_as_a_keyed_hash(project, sms_folder):
    # when
    verification = phone_code_send(project=project, flow=FLOW, phone_number=MOBILE)
    # then: one message to the number, with a 6-digit code, marked as development only
    [message] = sms_sent(sms_folder)
    code = last_code(sms_folder)
    assert message.startswith("[DEVELOPMENT ONLY - this SMS was not sent]\nTo: +33612345678\n\n")
    assert f"{project.name}: your verification code is {code}. It expires in 10 minutes." in message
    # the row holds neither the number nor the code
    verification.refresh_from_db()
    assert verification.code_hash == keyed_hash(f"{FLOW}\n{MOBILE}\n{code}", purpose=HASH_PURPOSE)
    stored = " ".join(str(value) for value in PhoneVerification.objects.values().get().values())
    assert code not in stored
    assert "612345678" not in stored
    assert (verification.sends, verification.wrong_attempts) == (1, 0)
    assert verification.expires_at == NOW + dt.timedelta(minutes=10)
    event = AuditEvent.objects.get(action="liveform.sms_code_sent")
    assert (event.project, event.target_id, event.details) == (project, str(verification.pk), {"sends": 1})


def test_the_right_code_verifies_once(project, sms_folder):
    phone_code_send(project=project, flow=FLOW, phone_number=MOBILE)
    code = last_code(sms_folder)
    # when
    result = phone_code_check(project=project, flow=FLOW, phone_number=MOBILE, code=code[:3] + " " + code[3:])
    again = phone_code_check(project=project, flow=FLOW, phone_number=MOBILE, code=code)
    # then
    assert (result.verified, again.verified, again.reason) == (True, False, "no_code")
    assert PhoneVerification.objects.get().verified_at is not None
    assert AuditEvent.objects.filter(action="liveform.phone_verified", project=project).count() == 1


def test_a_code_does_not_verify_another_number_or_another_flow(project, sms_folder):
    phone_code_send(project=project, flow=FLOW, phone_number=MOBILE)
    code = last_code(sms_folder)
    # when
    other_number = phone_code_check(project=project, flow=FLOW, phone_number=OTHER_MOBILE, code=code)
    other_flow = phone_code_check(project=project, flow="flow-two", phone_number=MOBILE, code=code)
    other_project = phone_code_check(project=ProjectFactory(), flow=FLOW, phone_number=MOBILE, code=code)
    # then
    assert (other_number.verified, other_number.reason, other_number.remaining) == (False, "wrong", 4)
    assert (other_flow.reason, other_project.reason) == ("no_code", "no_code")
    assert PhoneVerification.objects.get().verified_at is None


def test_a_code_expires_after_ten_minutes(project, sms_folder):
    with time_machine.travel(NOW, tick=False):
        phone_code_send(project=project, flow=FLOW, phone_number=MOBILE)
    code = last_code(sms_folder)
    # when: one second before and at the ten minutes
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        late = phone_code_check(project=project, flow=FLOW, phone_number=MOBILE, code=code)
    with time_machine.travel(NOW + dt.timedelta(minutes=9, seconds=59), tick=False):
        in_time = phone_code_check(project=project, flow=FLOW, phone_number=MOBILE, code=code)
    # then
    assert (late.verified, late.reason) == (False, "expired")
    assert in_time.verified is True


def test_five_wrong_codes_lock_it_until_a_new_one_is_sent(project, sms_folder):
    with time_machine.travel(NOW, tick=False):
        phone_code_send(project=project, flow=FLOW, phone_number=MOBILE)
    code = last_code(sms_folder)
    wrong = "000000" if code != "000000" else "111111"
    # when
    with time_machine.travel(NOW + dt.timedelta(seconds=10), tick=False):
        results = [phone_code_check(project=project, flow=FLOW, phone_number=MOBILE, code=wrong) for _ in range(5)]
        locked = phone_code_check(project=project, flow=FLOW, phone_number=MOBILE, code=code)
    # then: the right code no longer works, and trying it did not count
    assert [(r.reason, r.remaining) for r in results] == [("wrong", 4), ("wrong", 3), ("wrong", 2), ("wrong", 1),
                                                          ("locked", 0)]  # fmt: skip
    assert (locked.verified, locked.reason) == (False, "locked")
    assert PhoneVerification.objects.get().wrong_attempts == 5
    # a new code starts again from zero
    with time_machine.travel(NOW + dt.timedelta(seconds=60), tick=False):
        phone_code_send(project=project, flow=FLOW, phone_number=MOBILE)
        assert phone_code_check(project=project, flow=FLOW, phone_number=MOBILE, code=code).verified is (
            last_code(sms_folder) == code
        )
        assert phone_code_check(project=project, flow=FLOW, phone_number=MOBILE, code=last_code(sms_folder)).verified


def test_a_new_code_waits_sixty_seconds_and_a_flow_gets_three(project, sms_folder):
    with time_machine.travel(NOW, tick=False):
        phone_code_send(project=project, flow=FLOW, phone_number=MOBILE)
        first = last_code(sms_folder)
    # when: 59 s later
    with time_machine.travel(NOW + dt.timedelta(seconds=59), tick=False), pytest.raises(PhoneRefused) as too_soon:
        phone_code_send(project=project, flow=FLOW, phone_number=OTHER_MOBILE)
    # then: refused with the wait, nothing sent, nothing counted
    assert (too_soon.value.code, too_soon.value.extra) == ("sms_too_soon", {"wait": 2})
    assert len(sms_sent(sms_folder)) == 1
    assert PhoneVerification.objects.get().sends == 1
    # the second and third codes go out a minute apart; the second replaces the first
    for minutes in (1, 2):
        with time_machine.travel(NOW + dt.timedelta(minutes=minutes), tick=False):
            phone_code_send(project=project, flow=FLOW, phone_number=MOBILE)
    assert len(sms_sent(sms_folder)) == 3
    with time_machine.travel(NOW + dt.timedelta(minutes=3), tick=False):
        if first != last_code(sms_folder):
            assert phone_code_check(project=project, flow=FLOW, phone_number=MOBILE, code=first).reason == "wrong"
        # a fourth is refused
        with pytest.raises(PhoneRefused) as limit:
            phone_code_send(project=project, flow=FLOW, phone_number=MOBILE)
    assert limit.value.code == "sms_limit"
    assert len(sms_sent(sms_folder)) == 3
    assert PhoneVerification.objects.get().sends == 3
    assert AuditEvent.objects.filter(action="liveform.sms_code_sent").count() == 3


def test_one_number_gets_codes_from_five_flows_an_hour(project, sms_folder):
    with time_machine.travel(NOW, tick=False):
        for n in range(5):
            phone_code_send(project=project, flow=f"flow-{n}", phone_number=MOBILE)
        # when: a sixth flow, of another project
        with pytest.raises(PhoneRefused) as refusal:
            phone_code_send(project=ProjectFactory(), flow="flow-5", phone_number=MOBILE)
        other_number = phone_code_send(project=project, flow="flow-6", phone_number=OTHER_MOBILE)
    # then
    assert refusal.value.code == "sms_number_limit"
    assert len(sms_sent(sms_folder)) == 6
    assert not PhoneVerification.objects.filter(flow="flow-5").exists()
    assert other_number.sends == 1
    with time_machine.travel(NOW + dt.timedelta(hours=1, seconds=1), tick=False):
        assert phone_code_send(project=project, flow="flow-5", phone_number=MOBILE).sends == 1


def test_a_code_the_backend_could_not_send_is_counted(project, settings, tmp_path):
    # given: a file backend whose folder is a file
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.IDCHECK_SMS_BACKEND = "idcheck.lib.sms.FileBackend"
    settings.IDCHECK_SMS_FILE_PATH = str(blocker)
    # when
    with pytest.raises(PhoneRefused) as refusal:
        phone_code_send(project=project, flow=FLOW, phone_number=MOBILE)
    # then
    assert refusal.value.code == "sms_not_sent"
    assert PhoneVerification.objects.get().sends == 1
