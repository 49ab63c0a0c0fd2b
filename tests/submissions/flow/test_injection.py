"""The address injection link and step (``action=addveri``, spec §6.1, §6.2, §6.6): each refusal
shows the spec's sentence with our code and writes nothing; a valid address queues its checks."""

from __future__ import annotations

from unittest import mock

import pytest

from projects.models import AuditEvent
from projects.services import api_key_issue
from submissions.models import AddressInjection, SubmissionImage, SubmissionStatus
from tests.factories import ProjectFactory
from tests.submissions.flow.helpers import encrypted, flow_client
from tests.submissions.injection_helpers import ACTOR, address_post, injection_link, liveform_submission
from webhooks.models import WebhookOutbox


@pytest.fixture
def submission(db):
    return liveform_submission(ProjectFactory(credits=5))


def _error_page(client, response, code: str, sentence: str) -> None:
    assert response.status_code == 302
    page = client.get(response["Location"])
    text = page.content.decode()
    assert f"<h1>{sentence}</h1>" in text
    assert f'<code class="lf-code">{code}</code>' in text


def _nothing_written(submission) -> bool:
    return (
        not AddressInjection.objects.filter(submission=submission).exists()
        and not AuditEvent.objects.filter(target_id=submission.pk, action__startswith="submission.injection").exists()
    )


@pytest.mark.parametrize(
    "params",
    [
        {"action": "addveri", "sid": "x" * 15 + "_aa"},  # no pid
        {"pid": "PID", "action": "addveri"},  # no sid
        {"pid": "PID", "sid": "SID"},  # no action
        {"pid": "PID", "action": "addveri", "sid": ""},
    ],
)
def test_a_link_without_pid_sid_or_action_is_required_field_is_missing(submission, params):
    client = flow_client()
    values = {k: v.replace("PID", submission.project.pid).replace("SID", submission.pk) for k, v in params.items()}
    _error_page(client, injection_link(client, **values), "PV-40102", "Required field is missing")
    assert _nothing_written(submission)


@pytest.mark.parametrize("pid", ["zzzzzzzzzz", "not a pid"])
def test_an_unknown_project_is_invalid_project_id(submission, pid):
    client = flow_client()
    response = injection_link(client, pid=pid, action="addveri", sid=submission.pk)
    _error_page(client, response, "NF-10102", "Invalid projectId")
    assert _nothing_written(submission)


@pytest.mark.parametrize("changes", [{"action": "verify"}, {"cf1": "x" * 201}, {"userid": "a\nb"}])
def test_another_action_or_a_malformed_value_is_invalid_required(submission, changes):
    client = flow_client()
    params = {"pid": submission.project.pid, "action": "addveri", "sid": submission.pk, **changes}
    _error_page(client, injection_link(client, **params), "PV-40101", "Invalid required")
    assert _nothing_written(submission)


def _other_submissions(submission):
    project = submission.project
    rejected = liveform_submission(project, status=SubmissionStatus.REJECTED)
    incomplete = liveform_submission(project)
    incomplete.status = SubmissionStatus.INCOMPLETE
    incomplete.save()
    deleted = liveform_submission(project)
    deleted.wrapped_data_key = None
    deleted.save()
    elsewhere = liveform_submission(ProjectFactory(credits=1))
    return [rejected.pk, incomplete.pk, deleted.pk, elsewhere.pk, "abcdefghijklmno_pq", "short"]


def test_a_submission_that_cannot_take_an_address_is_invalid_submission_id(submission):
    for sid in _other_submissions(submission):
        client = flow_client()
        response = injection_link(client, pid=submission.project.pid, action="addveri", sid=sid)
        _error_page(client, response, "NF-10101", "Invalid submissionId")
    assert not AddressInjection.objects.exists()


def test_a_pending_or_approved_liveform_submission_opens_the_address_step(submission):
    pending = liveform_submission(submission.project, status=SubmissionStatus.PENDING)
    for sid in (submission.pk, pending.pk):
        client = flow_client()
        response = injection_link(client, pid=submission.project.pid, action="addveri", sid=sid)
        assert response["Location"] == "/form/injection/address"
        page = client.get("/form/injection/address")
        assert page.status_code == 200
        assert 'name="street"' in page.content.decode()
        assert 'name="photo"' in page.content.decode()


def _encrypted_link(submission, values):
    key = api_key_issue(project=submission.project, actor=ACTOR).plaintext
    return {"pid": submission.project.pid, "encrypted": encrypted(key, values)}


@pytest.mark.parametrize(
    "options",
    [
        {"ipRiskCategory": "vpn"},  # without its pair
        {"ipRiskDurationHours": 24},
        {"ipRiskCategory": "vpn,satellite", "ipRiskDurationHours": 24},
        {"ipRiskCategory": "vpn", "ipRiskDurationHours": 0},
        {"ipRiskCategory": "vpn", "ipRiskDurationHours": 1.5},
        {"distanceCheckSource": "gps", "distanceMaxDistanceKm": 50},
        {"distanceCheckSource": "ipGeo"},
        {"distanceCheckSource": "ipGeo", "distanceMaxDistanceKm": -1},
        {"action": "other"},
    ],
)
def test_an_encrypted_link_with_a_bad_option_is_invalid_required(submission, options):
    client = flow_client()
    link = _encrypted_link(submission, {"action": "addveri", "sid": submission.pk, **options})
    _error_page(client, injection_link(client, **link), "PV-40101", "Invalid required")
    assert _nothing_written(submission)


def test_an_encrypted_link_without_sid_is_required_field_is_missing(submission):
    client = flow_client()
    link = _encrypted_link(submission, {"action": "addveri"})
    _error_page(client, injection_link(client, **link), "PV-40102", "Required field is missing")


def test_an_encrypted_injection_keeps_its_options_and_echoes(submission):
    client = flow_client()
    values = {"action": "addveri", "sid": submission.pk, "cf2": "enc", "ipRiskCategory": "vpn,tor",
              "ipRiskDurationHours": "12", "distanceCheckSource": "ipGeo", "distanceMaxDistanceKm": 80}  # fmt: skip
    assert injection_link(client, **_encrypted_link(submission, values))["Location"] == "/form/injection/address"
    state = client.session["liveform_injection"]
    assert (state["submission_id"], state["echo"]) == (submission.pk, {"cf2": "enc"})
    assert state["options"] == {"ip_risk_categories": ["vpn", "tor"], "ip_risk_hours": 12,
                                "distance_source": "ipGeo", "distance_max_km": 80.0}  # fmt: skip


def test_a_plain_action_beside_encrypted_ignores_the_encrypted_options(submission):
    # given: a plain injection link that also carries an encrypted part (here not even decryptable)
    client = flow_client()
    params = {"pid": submission.project.pid, "action": "addveri", "sid": submission.pk, "userid": "u-9",
              "encrypted": "not-a-ciphertext"}  # fmt: skip

    # when / then: it behaves as a plain addveri, with no check option
    assert injection_link(client, **params)["Location"] == "/form/injection/address"
    state = client.session["liveform_injection"]
    assert state["echo"] == {"userid": "u-9"}
    assert state["options"] == {"ip_risk_categories": [], "ip_risk_hours": 0, "distance_source": "",
                                "distance_max_km": 0.0}  # fmt: skip


def _opened(submission, **params):
    client = flow_client()
    link = {"pid": submission.project.pid, "action": "addveri", "sid": submission.pk, **params}
    assert injection_link(client, **link).status_code == 302
    return client


@pytest.mark.parametrize("missing", ["street", "city", "country", "photo"])
def test_a_missing_address_field_is_required_field_is_missing_and_nothing_is_kept(submission, missing):
    client = _opened(submission)
    response = address_post(client, **{missing: None})
    assert response.status_code == 400
    assert '<p class="lf-error" id="form-error" role="alert">Required field is missing</p>' in response.content.decode()
    assert _nothing_written(submission)


def test_a_photo_the_intake_refuses_is_shown_and_nothing_is_kept(submission):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _opened(submission)
    response = address_post(client, photo=SimpleUploadedFile("bill.pdf", b"%PDF-1.4 nothing", "application/pdf"))
    assert response.status_code == 400
    assert 'id="photo-error"' in response.content.decode()
    assert _nothing_written(submission)


def test_a_valid_address_queues_its_checks_after_commit(submission, django_capture_on_commit_callbacks):
    client = _opened(submission, cf3="c3")
    images_before = list(SubmissionImage.objects.filter(submission=submission).values_list("kind", "storage_name"))

    with mock.patch("submissions.tasks.submission_injection_run_task.delay", autospec=True) as delay:
        with django_capture_on_commit_callbacks(execute=True):
            response = address_post(client)

    injection = AddressInjection.objects.get(submission=submission)
    assert response["Location"] == "/form/injection/result"
    delay.assert_called_once_with(injection.pk)
    assert injection.state == "queued"
    assert injection.storage_name
    assert injection.sealed_request
    assert b"Rivoli" not in bytes(injection.sealed_request)
    # the submission is untouched until the checks pass
    assert (
        list(SubmissionImage.objects.filter(submission=submission).values_list("kind", "storage_name")) == images_before
    )
    assert not WebhookOutbox.objects.filter(event__startswith="injection").exists()
    assert AuditEvent.objects.filter(target_id=submission.pk, action="submission.injection_requested").count() == 1
    page = client.get("/form/injection/result")
    assert page.status_code == 200
    assert 'http-equiv="refresh"' in page.content.decode()


def test_a_second_injection_while_one_is_checked_is_error_in_injecting_address(submission):
    first = _opened(submission)
    with mock.patch("submissions.tasks.submission_injection_run_task.delay", autospec=True):
        address_post(first)
    client = _opened(submission)
    with mock.patch("submissions.tasks.submission_injection_run_task.delay", autospec=True) as delay:
        response = address_post(client)
    _error_page(client, response, "PV-40103", "Error in injecting address")
    assert AddressInjection.objects.filter(submission=submission).count() == 1
    delay.assert_not_called()


def test_a_submission_deleted_after_the_link_opened_is_invalid_submission_id(submission):
    client = _opened(submission)
    type(submission).objects.filter(pk=submission.pk).update(wrapped_data_key=None)
    response = address_post(client)
    _error_page(client, response, "NF-10101", "Invalid submissionId")
    assert not AddressInjection.objects.exists()


def _checked(client, capture_on_commit) -> None:
    """Post the address and run its checks here, as the worker would."""
    from submissions.services.injection import submission_injection_run

    with mock.patch("submissions.tasks.submission_injection_run_task.delay", autospec=True) as delay:
        with capture_on_commit(execute=True):
            assert address_post(client)["Location"] == "/form/injection/result"
    submission_injection_run(injection_id=delay.call_args.args[0])


def test_a_failed_injection_may_be_tried_again_three_times_per_link(submission, django_capture_on_commit_callbacks):
    # given: a project whose blacklist refuses the declared country
    from projects.services import project_settings_update

    project_settings_update(project=submission.project, changes={"policy_blacklist_countries": ["FRA"]}, actor=ACTOR)
    client = _opened(submission)
    for attempt in range(1, 4):
        # when
        _checked(client, django_capture_on_commit_callbacks)
        page = client.get("/form/injection/result").content.decode()

        # then: the failure, with a way back while attempts are left
        assert "<h1>Address verification failed</h1>" in page
        assert ("Try again" in page) is (attempt < 3)
        response = client.post("/form/injection/retry", {"flow": client.session["liveform_injection"]["flow"]})
        assert response["Location"] == "/form/injection/address"
        if attempt < 3:
            assert client.get("/form/injection/address").status_code == 200

    # and after the third, the address step leads back to the last outcome
    assert "You have used every attempt of this link." in client.get("/form/injection/result").content.decode()
    assert client.get("/form/injection/address")["Location"] == "/form/injection/result"
    assert AddressInjection.objects.filter(submission=submission, state="failed").count() == 3


def test_the_address_step_speaks_the_links_language_and_stays_light(submission):
    from tests.submissions.flow.test_page_weight import LIMIT, _weight

    # given: a link asking for Korean
    client = _opened(submission, lang="ko")

    # when
    page = client.get("/form/injection/address").content.decode()
    refused = address_post(client, city=None).content.decode()

    # then: Korean words, the spec's sentence translated, and far under the page budget
    assert "<h1>주소</h1>" in page
    assert "필수 항목이 누락되었습니다" in refused
    assert _weight(page) < LIMIT / 4
