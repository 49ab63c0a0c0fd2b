"""``GET /v3/submission``: the DI fields, applicant id, IP and device verdicts, retries (spec §3)."""

from __future__ import annotations

import pytest

from network.device import DeviceSignals
from network.importer import import_ranges
from network.models import IpOrigin
from network.services import ClientInfo, submission_client_check, submission_client_record
from tests.factories import SubmissionFactory

URL = "/v3/submission"
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


@pytest.fixture
def checked(project):
    """A Liveform submission with both DIs, an applicant id, two failed attempts, sent from a
    desktop browser on a VPN range, whose run stored the network app's verdicts."""
    import_ranges(["192.0.2.0/24"], kind="vpn", source="vpn-list")
    submission = SubmissionFactory(
        project=project,
        source="liveform",
        duplicated_information="d" * 64,
        custom_duplicated_information="c" * 64,
        applicant_id="ap_3f9k2m1x7q",
        failed_attempts=2,
        retry_code="face_compare_underscore",
    )
    client = ClientInfo(ip="192.0.2.10", ip_origin=IpOrigin.REQUEST, signals=DeviceSignals(user_agent=DESKTOP))
    submission_client_record(submission_id=submission.id, project_id=project.pk, client=client)
    submission_client_check(submission_id=submission.id)
    return submission


EXPECTED_NETWORK = {
    "checked": True,
    "kinds": ["vpn"],
    "level": "medium",
    "risk_score": 60.0,
    "action": "review",
    "connection_type": None,
}
EXPECTED_DEVICE = {
    "checked": True,
    "mobile": False,
    "static_passed": False,
    "static_failures": ["user_agent"],
    "fingerprint_flags": [],
}


@pytest.mark.parametrize("query", [{"submission_id": "ID"}, {}], ids=["one", "list"])
def test_the_new_fields_carry_what_was_stored(api_client, checked, query):
    # when
    response = api_client.get(URL, {key: checked.id for key in query})

    # then
    assert response.status_code == 200
    [item] = response.json()["Items"]
    assert (item["duplicated_information"], item["custom_duplicated_information"], item["applicant_id"]) == (
        "d" * 64,
        "c" * 64,
        "ap_3f9k2m1x7q",
    )
    assert item["data"] == {"ip_address": "192.0.2.10"}
    assert item["idcheck"] == {
        "processing": {"state": "waiting", "attempts": 0},
        "network": EXPECTED_NETWORK,
        "device": EXPECTED_DEVICE,
        "retry": {"attempts": 2, "retryCode": "face_compare_underscore"},
    }


def test_a_client_captured_but_not_yet_checked_shows_only_its_address(api_client, project):
    # given
    submission = SubmissionFactory(project=project)
    client = ClientInfo(ip="198.51.100.7", ip_origin=IpOrigin.DECLARED)
    submission_client_record(submission_id=submission.id, project_id=project.pk, client=client)

    # when
    [item] = api_client.get(URL, {"submission_id": submission.id}).json()["Items"]

    # then
    assert item["data"] == {"ip_address": "198.51.100.7"}
    assert item["idcheck"] == {"processing": {"state": "waiting", "attempts": 0}}
    assert not {"duplicated_information", "custom_duplicated_information", "applicant_id"} & set(item)
