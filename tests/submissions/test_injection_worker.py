"""Address injection end to end with a REAL Celery worker (``pipeline`` queue, Redis broker): the
person's address step on the Liveform, the worker's checks, and what is stored and sent for a
success and for each failCode (spec §4.9, §6.6; docs/liveform.md "Address injection")."""

from __future__ import annotations

import time

import pytest

from network.importer import import_ranges
from projects.models import AuditEvent
from projects.services import api_key_issue, project_settings_update
from submissions.models import AddressInjection, SubmissionImage
from submissions.selectors import submission_view
from tests.factories import ProjectFactory
from tests.submissions.flow.helpers import encrypted, flow_client
from tests.submissions.injection_helpers import ACTOR, address_post, city_database, injection_link, liveform_submission
from tests.submissions.test_process_celery import pipeline_worker  # noqa: F401 (the fixture)
from webhooks.models import WebhookOutbox
from webhooks.registry import payload_fill

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("pipeline_worker")]
SEOUL, PARIS = (37.566, 126.9784), (48.8566, 2.3522)


def _inject(submission, *, encrypted_values: dict | None = None, **params: str):
    """Open the link, post the address and wait for the worker; the client, on the result page."""
    client = flow_client()
    link = {"pid": submission.project.pid, "action": "addveri", "sid": submission.pk, **params}
    if encrypted_values is not None:
        key = api_key_issue(project=submission.project, actor=ACTOR).plaintext
        values = {"action": "addveri", "sid": submission.pk, **encrypted_values}
        link = {"pid": submission.project.pid, "encrypted": encrypted(key, values)}
    assert injection_link(client, **link)["Location"] == "/form/injection/address"
    assert address_post(client)["Location"] == "/form/injection/result"
    deadline = time.monotonic() + 120
    while AddressInjection.objects.filter(submission=submission, state="queued").exists():
        assert time.monotonic() < deadline, "the worker did not check the injection"
        time.sleep(0.1)
    return client, client.get("/form/injection/result")


def _events(submission):
    return [(row.event, payload_fill(project=submission.project, event=row.event, resource_id=submission.pk,
                                     payload=row.payload))
            for row in WebhookOutbox.objects.filter(resource_id=submission.pk, event__startswith="injection")]  # fmt: skip


def _submission():
    return liveform_submission(ProjectFactory(credits=5))


def test_a_declared_address_near_the_ip_replaces_the_submissions_address(settings, tmp_path):
    # given: an approved Liveform submission, an IP database placing the client in Paris
    settings.IDCHECK_GEOIP_CITY_DB = str(city_database(tmp_path / "city.mmdb", latitude=PARIS[0], longitude=PARIS[1]))
    submission = _submission()
    before = set(SubmissionImage.objects.filter(submission=submission).values_list("kind", flat=True))

    # when: the person injects a Paris address through a link asking for the distance check
    _, page = _inject(submission, encrypted_values={"cf1": "link-1", "userid": "u-42", "distanceCheckSource": "ipGeo",
                                                    "distanceMaxDistanceKm": 50})  # fmt: skip

    # then: the success page, the address and proof replaced, the action stored
    assert "<h1>Address verification completed.</h1>" in page.content.decode()
    submission.refresh_from_db()
    view = submission_view(submission)
    assert (view.evidence.address.street, view.evidence.address.city) == ("12 Rue de Rivoli", "Paris")
    assert (view.evidence.address.postal_code, view.evidence.address.country) == ("75001", "FRA")
    assert set(SubmissionImage.objects.filter(submission=submission).values_list("kind", flat=True)) == before | {
        "address"
    }
    action = view.injection_action
    assert action["type"] == "address"
    assert "failCode" not in action
    assert action["checks"]["distanceChecks_ipGeo"]["result"] == "passed"
    assert action["checks"]["distanceChecks_ipGeo"]["km"] < 5
    assert action["checks"]["ipRisk_failCategory"] == {"result": "not_asked"}
    assert action["checks"]["blackliskCountries"] == {"result": "passed"}
    # the webhook is §4.9's body exactly, with the link's cf1 and userid, flat
    [(event, body)] = _events(submission)
    assert event == "injection"
    assert body == {"webhook_trigger": "injection", "action": {"type": "address", "created_at": action["created_at"]},
                    "submission_id": submission.pk, "email": "person@example.com", "kyc_status": "approved",
                    "applicant_id": "a" * 20, "userid": "u-42", "cf1": "link-1"}  # fmt: skip
    assert AuditEvent.objects.filter(target_id=submission.pk, action="submission.address_injected").count() == 1
    injection = AddressInjection.objects.get(submission=submission)
    assert (injection.state, injection.sealed_request, injection.storage_name) == ("completed", None, "")


def _refused(submission, client, page, code: str, message: str) -> dict:
    """The failure page, the failCode stored and sent, and the submission's address untouched."""
    assert "<h1>Address verification failed</h1>" in page.content.decode()
    assert f"<p>{message}</p>" in page.content.decode()
    submission.refresh_from_db()
    view = submission_view(submission)
    assert view.evidence.address.street is None
    assert not SubmissionImage.objects.filter(submission=submission, kind="address").exists()
    action = view.injection_action
    assert action["failCode"] == code
    [(event, body)] = _events(submission)[-1:]
    assert event == "injectionFail"
    assert body == {"webhook_trigger": "injectionFail",
                    "action": {"type": "address", "created_at": action["created_at"], "failCode": code},
                    "submission_id": submission.pk, "email": "person@example.com", "kyc_status": "approved",
                    "applicant_id": "a" * 20, "userid": "user-7",
                    "duplicated_information": "d" * 64}  # fmt: skip
    injection = AddressInjection.objects.filter(submission=submission).latest("created_at")
    assert (injection.state, injection.sealed_request, injection.storage_name) == ("failed", None, "")
    return action


def test_an_ip_in_a_vpn_range_fails_ip_risk_and_stays_blocked():
    # given: the client's address (127.0.0.1) on an imported VPN list
    import_ranges(["127.0.0.0/8"], kind="vpn", source="test-vpn")
    submission = _submission()
    options = {"ipRiskCategory": "vpn,proxy", "ipRiskDurationHours": 24}

    # when
    client, page = _inject(submission, encrypted_values=options)

    # then
    action = _refused(
        submission, client, page, "ipRisk_failCategory", "Please turn off your VPN or proxy, then try again."
    )
    assert action["checks"]["ipRisk_failCategory"] == {"result": "failed", "categories": ["vpn"]}

    # when: the list no longer names the address and the person tries again within the 24 hours
    import_ranges(["10.0.0.0/8"], kind="vpn", source="test-vpn", replace=True)
    import_ranges(["10.0.0.0/8"], kind="proxy", source="test-proxy")
    client, page = _inject(submission, encrypted_values=options)

    # then: still refused, because of the block
    action = _refused(
        submission, client, page, "ipRisk_failCategory", "Please turn off your VPN or proxy, then try again."
    )
    assert action["checks"]["ipRisk_failCategory"]["reason"] == "blocked"


def test_an_address_in_a_blacklisted_country_fails_blacklist():
    submission = _submission()
    project_settings_update(project=submission.project, changes={"policy_blacklist_countries": ["FRA"]}, actor=ACTOR)

    client, page = _inject(submission, cf2="plain-2")

    action = _refused(submission, client, page, "blackliskCountries",
                      "Address verification failed. Addresses in this country cannot be accepted.")  # fmt: skip
    assert action["checks"]["blackliskCountries"] == {"result": "failed"}


def test_an_ip_far_from_the_declared_city_fails_the_distance_check(settings, tmp_path):
    settings.IDCHECK_GEOIP_CITY_DB = str(city_database(tmp_path / "city.mmdb", latitude=SEOUL[0], longitude=SEOUL[1]))
    submission = _submission()

    client, page = _inject(submission, encrypted_values={"distanceCheckSource": "ipGeo", "distanceMaxDistanceKm": 100})

    action = _refused(submission, client, page, "distanceChecks_ipGeo",
                      "Address verification failed. Please try again from a network near your residence.")  # fmt: skip
    check = action["checks"]["distanceChecks_ipGeo"]
    assert check["result"] == "failed"
    assert 8900 < check["km"] < 9000
    assert check["max_km"] == 100.0


def test_a_distance_check_without_an_ip_database_is_not_performed_and_fails(settings):
    settings.IDCHECK_GEOIP_CITY_DB = ""
    submission = _submission()

    client, page = _inject(submission, encrypted_values={"distanceCheckSource": "ipGeo", "distanceMaxDistanceKm": 100})

    action = _refused(submission, client, page, "distanceChecks_ipGeo",
                      "Address verification failed. Please try again from a network near your residence.")  # fmt: skip
    assert action["checks"]["distanceChecks_ipGeo"] == {"result": "not_performed", "reason": "no_ip_database"}


def test_an_ip_risk_check_without_a_list_of_the_category_is_not_performed_and_fails():
    submission = _submission()

    client, page = _inject(submission, encrypted_values={"ipRiskCategory": "tor", "ipRiskDurationHours": 1})

    action = _refused(
        submission, client, page, "ipRisk_failCategory", "Please turn off your VPN or proxy, then try again."
    )
    assert action["checks"]["ipRisk_failCategory"] == {"result": "not_performed", "reason": "no_ranges",
                                                       "categories": ["tor"]}  # fmt: skip
