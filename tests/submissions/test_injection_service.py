"""The address injection's services and reads without a worker: what GET /v3/submission and the
dashboard show, deletions, a repeated task, and the pure pieces (distance, gazetteer, IP database)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from idcheck.lib.gazetteer import city_place
from network.geoip import ip_location
from submissions.injection import DeclaredAddress, InjectionOptions, great_circle_km
from submissions.models import AddressInjection
from submissions.services import submission_delete, submission_delete_partial
from submissions.services.injection import submission_injection_request, submission_injection_run
from tests.conftest import TEST_HOST, sign_in
from tests.factories import MembershipFactory, TOTPDeviceFactory
from tests.submissions.api.helpers import photo
from tests.submissions.injection_helpers import ACTOR, ADDRESS, city_database, liveform_submission
from webhooks.models import WebhookOutbox


def _requested(submission, **options):
    with mock.patch("submissions.tasks.submission_injection_run_task.delay", autospec=True):
        return submission_injection_request(
            project=submission.project, submission_id=submission.pk, address=DeclaredAddress(**ADDRESS),
            image=photo(), ip="198.51.100.7", options=InjectionOptions(**options), echo={"cf3": "three"},
        )  # fmt: skip


@pytest.fixture
def injected(project):
    submission = liveform_submission(project)
    injection = _requested(submission)
    submission_injection_run(injection_id=injection.pk)
    submission.refresh_from_db()
    return submission


def test_get_submission_shows_the_injection_action_and_the_new_address(api_client, injected):
    item = api_client.get("/v3/submission", {"submission_id": injected.pk}).json()["Items"][0]
    action = item["injection_action"]
    assert set(action) == {"type", "created_at", "checks"}
    assert action["type"] == "address"
    assert action["checks"] == {"ipRisk_failCategory": {"result": "not_asked"},
                                "blackliskCountries": {"result": "passed"},
                                "distanceChecks_ipGeo": {"result": "not_asked"}}  # fmt: skip
    assert {key: item["data"][key] for key in ("address_street", "address_city", "address_zipcode", "address_country")} == {
        "address_street": "12 Rue de Rivoli", "address_city": "Paris", "address_zipcode": "75001",
        "address_country": "FRA"}  # fmt: skip
    others = api_client.get("/v3/submission", {"submission_id": injected.pk, "request_type": "others"}).json()
    assert others["Items"][0]["injection_action"] == action


def test_the_submission_page_shows_the_injection_card(project, injected):
    owner = MembershipFactory(project=project).user
    TOTPDeviceFactory(user=owner)
    page = sign_in(Client(HTTP_HOST=TEST_HOST), owner).get(f"/dashboard/p/{project.pid}/submissions/{injected.pk}/")
    text = page.content.decode()
    assert '<section class="card" aria-label="Address injection" data-injection>' in text
    assert "<dt>Outcome</dt><dd>address replaced</dd>" in text
    assert "<tr><td>Country blacklist</td><td>passed</td><td></td></tr>" in text


def test_a_repeated_task_changes_nothing(injected):
    injection = AddressInjection.objects.get(submission=injected)
    counts = (WebhookOutbox.objects.count(), injected.updated_at)
    assert submission_injection_run(injection_id=injection.pk) is None
    injected.refresh_from_db()
    assert (WebhookOutbox.objects.count(), injected.updated_at) == counts


def test_a_partial_deletion_of_injection_action_removes_it(api_client, project, injected):
    submission_delete_partial(
        project=project, submission_id=injected.pk, fields=["injection_action"], data_fields=[], actor=ACTOR
    )
    item = api_client.get("/v3/submission", {"submission_id": injected.pk}).json()["Items"][0]
    assert "injection_action" not in item
    assert item["data"]["address_city"] == "Paris"  # only the action went


def test_a_deletion_drops_a_pending_injection_and_its_photo(project, django_capture_on_commit_callbacks):
    submission = liveform_submission(project)
    injection = _requested(submission)
    assert default_storage.exists(injection.storage_name)

    with django_capture_on_commit_callbacks(execute=True):
        submission_delete(project=project, submission_id=submission.pk, actor=ACTOR)

    injection.refresh_from_db()
    assert (injection.state, injection.sealed_request, injection.sealed_echo, injection.storage_name) == (
        "failed", None, None, "")  # fmt: skip
    assert not default_storage.exists(injection.storage_name or "x")
    assert submission_injection_run(injection_id=injection.pk) is None
    assert not WebhookOutbox.objects.filter(event__startswith="injection").exists()


def test_great_circle_distances():
    assert round(great_circle_km(48.8566, 2.3522, 51.5074, -0.1278)) == 344  # Paris–London
    assert great_circle_km(10, 20, 10, 20) == 0.0
    assert round(great_circle_km(0, 0, 0, 180)) == 20015  # half the circumference


def test_the_gazetteer_finds_a_city_by_any_name_in_its_country_only():
    paris = city_place(city="Paris", country="FRA")
    assert paris is not None
    assert round(paris.latitude, 1) == 48.9
    assert city_place(city="  PARÍS ", country="fra") == paris
    assert city_place(city="München", country="DEU") == city_place(city="Munich", country="DEU")
    assert city_place(city="Paris", country="KOR") is None
    assert city_place(city="Nowhere-on-Earth", country="FRA") is None
    assert city_place(city="Paris", country="ZZZ") is None


def test_an_ip_is_located_only_with_a_readable_database(settings, tmp_path):
    settings.IDCHECK_GEOIP_CITY_DB = ""
    assert ip_location("127.0.0.1").status == "no_database"
    settings.IDCHECK_GEOIP_CITY_DB = str(tmp_path / "missing.mmdb")
    assert ip_location("127.0.0.1").status == "no_database"
    (tmp_path / "junk.mmdb").write_bytes(b"not a database")
    settings.IDCHECK_GEOIP_CITY_DB = str(tmp_path / "junk.mmdb")
    assert ip_location("127.0.0.1").status == "no_database"
    settings.IDCHECK_GEOIP_CITY_DB = str(city_database(tmp_path / "city.mmdb", latitude=1.5, longitude=2.5))
    assert ip_location("127.0.0.1") == type(ip_location("127.0.0.1"))("found", 1.5, 2.5, "XX")
    assert ip_location("8.8.8.8").status == "not_found"
    assert ip_location("not an ip").status == "no_address"


def test_the_sweeper_resends_an_injection_whose_message_was_lost(project, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from idcheck.celery import app
    from submissions.services.injection import injections_requeue_stuck

    # given: three injections: queued 11 minutes ago, queued just now, and one already checked
    submission, other, done = (liveform_submission(project) for _ in range(3))
    lost = _requested(submission)
    _requested(other)  # queued just now
    checked = _requested(done)
    submission_injection_run(injection_id=checked.pk)
    long_ago = timezone.now() - dt.timedelta(minutes=11)
    AddressInjection.objects.filter(pk__in=[lost.pk, checked.pk]).update(queued_at=long_ago)

    # when: the sweeper runs twice in a row
    with mock.patch("submissions.tasks.submission_injection_run_task.delay", autospec=True) as delay:
        with django_capture_on_commit_callbacks(execute=True):
            first = injections_requeue_stuck()
        with django_capture_on_commit_callbacks(execute=True):
            second = injections_requeue_stuck()

    # then: only the lost one was sent again, once, and the beat runs the sweeper every minute
    assert (first, second) == (1, 0)
    delay.assert_called_once_with(lost.pk)
    entry = app.conf.beat_schedule["injections-requeue-stuck"]
    assert (entry["task"], entry["schedule"]) == ("submissions.tasks.injections_requeue_stuck_task", 60.0)


def test_the_outbox_keeps_no_personal_value_of_the_injection(injected):
    # the e-mail, userid and cf are filled in at delivery from sealed data (submissions.webhook_payloads)
    [payload] = WebhookOutbox.objects.filter(resource_id=injected.pk, event="injection").values_list(
        "payload", flat=True
    )
    assert set(payload) == {"webhook_trigger", "action", "submission_id", "kyc_status"}
    assert set(payload["action"]) == {"type", "created_at"}
