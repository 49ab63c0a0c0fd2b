"""The phone step's limits hold under concurrency: one code per 60 s for a flow, 5 flows per
number an hour, 5 wrong entries per code, whatever several tabs or flows do at the same moment."""

from __future__ import annotations

import pytest

from submissions.models import PhoneVerification
from submissions.services.phone import PhoneRefused, phone_code_check, phone_code_send
from tests.submissions.phone_helpers import MOBILE, last_code, sms_sent, use_file_backend

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def folder(settings, tmp_path):
    return use_file_backend(settings, tmp_path / "sms")


def _send(project, flow: str) -> str:
    try:
        phone_code_send(project=project, flow=flow, phone_number=MOBILE)
    except PhoneRefused as refusal:
        return refusal.code
    return "sent"


def test_eight_tabs_of_one_flow_send_one_code(run_in_threads, project, folder):
    results = run_in_threads(lambda index: _send(project, "flow"), 8)
    assert sorted(results) == ["sent"] + ["sms_too_soon"] * 7
    assert len(sms_sent(folder)) == 1
    assert PhoneVerification.objects.get().sends == 1


def test_eight_flows_racing_for_one_number_send_five_codes(run_in_threads, project, folder):
    results = run_in_threads(lambda index: _send(project, f"flow-{index}"), 8)
    assert sorted(results) == ["sent"] * 5 + ["sms_number_limit"] * 3
    assert len(sms_sent(folder)) == 5
    assert PhoneVerification.objects.filter(sends=1).count() == 5


def test_eight_wrong_codes_at_once_count_five(run_in_threads, project, folder):
    phone_code_send(project=project, flow="flow", phone_number=MOBILE)
    wrong = "000000" if last_code(folder) != "000000" else "111111"
    results = run_in_threads(
        lambda index: phone_code_check(project=project, flow="flow", phone_number=MOBILE, code=wrong).reason, 8
    )
    assert sorted(results) == ["locked"] * 4 + ["wrong"] * 4
    assert PhoneVerification.objects.get().wrong_attempts == 5
