"""The network and device step in the run: captured at creation, judged by the run, in the trace."""

from __future__ import annotations

import json

import pytest

from network.device import DeviceSignals
from network.importer import import_ranges
from network.models import IpOrigin, SubmissionClient
from network.services import ClientInfo
from policy.rules import RuleSet
from policy.settings import PolicySettings
from projects.actors import Actor
from submissions.models import SubmissionStatus
from submissions.selectors import submission_view
from submissions.services import SubmissionDetails, process, submission_create, submission_process
from tests.factories import ProjectFactory
from tests.network.test_device import IPHONE, WINDOWS
from tests.submissions.api.helpers import passport_case

ACTOR = Actor.system("test")


@pytest.fixture
def policy(monkeypatch):
    """The project's policy with VPN/proxy detection and device verification switched on."""
    chosen = PolicySettings(network_detection=True, device_verification=True, device_duplicate_limit=1)
    monkeypatch.setattr(process, "project_policy", lambda project: (chosen, RuleSet()))
    return chosen


def _create(project, client: ClientInfo):
    case = passport_case()
    return submission_create(
        project=project,
        source="api",
        actor=ACTOR,
        images={"id_front": case.front, "selfie": case.selfie},
        details=SubmissionDetails(email="p@example.com"),
        client=client,
    )


def _trace(submission) -> list[tuple[str, str]]:
    submission.refresh_from_db()
    return [(step["kind"], step["name"]) for step in submission_view(submission).decision["trace"]]


def test_a_vpn_address_sends_the_submission_to_review_with_the_verdict_in_the_trace(db, policy):
    # given
    import_ranges(["198.51.100.0/24"], kind="vpn", source="vpn-exits")
    project = ProjectFactory(credits=1)
    client = ClientInfo(ip="198.51.100.255", ip_origin=IpOrigin.DECLARED, signals=DeviceSignals(user_agent=IPHONE))
    submission = _create(project, client)

    # when
    submission_process(submission_id=submission.id)

    # then: a genuine passport that would be approved waits for a person (§8.10 VPN → Medium)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING
    trace = submission_view(submission).decision["trace"]
    [step] = [step for step in trace if step["name"] == "network_vpn"]
    assert (step["kind"], step["detail"]) == ("review", "vpn connection, level medium, risk 60.0")
    assert trace[-1]["detail"].startswith("review:network_vpn")
    stored = SubmissionClient.objects.get(submission_id=submission.id)
    assert (stored.ip_address, stored.network_verdict["kinds"], stored.network_verdict["sources"]) == (
        "198.51.100.255", ["vpn"], ["vpn-exits"],
    )  # fmt: skip
    assert stored.device_verdict["static_passed"] is True


def test_a_desktop_browser_on_a_hosting_range_is_rejected(db, policy):
    # given
    import_ranges(["2001:db8::/32"], kind="hosting", source="cloud")
    project = ProjectFactory(credits=1)
    submission = _create(project, ClientInfo(ip="2001:db8::1", ip_origin="declared",
                                             signals=DeviceSignals(user_agent=WINDOWS)))  # fmt: skip

    # when
    submission_process(submission_id=submission.id)

    # then: hosting is High (reject, free-text ``other``); the device's DE-20000 is in the trace too
    submission.refresh_from_db()
    assert (submission.status, submission.kyc_comment_code) == (SubmissionStatus.REJECTED, ["other"])
    assert submission.kyc_comment == ["KYC is not accepted through a hosting connection as per policy."]
    assert ("reject", "other") in _trace(submission)
    details = [s["detail"] for s in submission_view(submission).decision["trace"]]
    assert "not a mobile environment" in details


def test_the_device_duplicate_limit_counts_approvals_from_the_same_fingerprint(db, policy):
    # given: a first submission from this phone is approved
    project = ProjectFactory(credits=2)
    phone = ClientInfo(ip="192.0.2.10", ip_origin="request",
                       signals=DeviceSignals(user_agent=IPHONE, platform="iPhone", fingerprint="fp-abc"))  # fmt: skip
    first = _create(project, phone)
    submission_process(submission_id=first.id)
    first.refresh_from_db()
    assert first.status == SubmissionStatus.APPROVED

    # when: the same phone submits again (limit 1 approval per device)
    second = _create(project, phone)
    submission_process(submission_id=second.id)

    # then: DE-40000, and the fingerprint was stored only as a keyed hash
    second.refresh_from_db()
    assert second.status == SubmissionStatus.REJECTED
    assert second.kyc_comment == ["Device verification failed (DE-40000)."]
    hashes = set(SubmissionClient.objects.filter(project=project).values_list("device_hash", flat=True))
    assert len(hashes) == 1
    assert "fp-abc" not in json.dumps(list(SubmissionClient.objects.values()), default=str)


def test_without_a_client_nothing_is_checked_and_the_passport_is_approved(db, policy):
    # given: an API call that relayed neither the end user's address nor user agent
    project = ProjectFactory(credits=1)
    submission = _create(project, ClientInfo())

    # when
    submission_process(submission_id=submission.id)

    # then
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED
    assert not [name for kind, name in _trace(submission) if name.startswith("network") or kind == "reject"]
    stored = SubmissionClient.objects.get(submission_id=submission.id)
    assert (stored.ip_address, stored.network_verdict["checked"], stored.device_verdict["checked"]) == (
        None, False, False,
    )  # fmt: skip
