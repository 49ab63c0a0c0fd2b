"""``POST /v3/submission/migration`` (spec §2.3): a decided submission stored from strings, shown
by GET like a verified one, without credit or webhook; every row of the spec's error table with
its exact body, and refusals changing nothing."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError

from network.models import SubmissionClient
from projects.models import AuditEvent, CreditLedgerEntry, Project, ProjectStatus
from submissions.models import Submission, SubmissionSource
from tests.factories import MembershipFactory
from webhooks.models import WebhookOutbox

URL = "/v3/submission/migration"


@pytest.fixture
def admin(project):
    return MembershipFactory(project=project).user


@pytest.fixture
def body(admin) -> dict:
    return {
        "admin": admin.email,
        "email": "Hong@Example.com",
        "fullName": "HONG GILDONG",
        "firstName": "GILDONG",
        "lastName": "HONG",
        "birthDate": "1992-06-13",
        "kycStatus": "approved",
        "idType": "drivers_license",
        "issuingCountry": "KOR",
        "nationality": "KOR",
        "gender": "male",
        "issueDate": "2019-01-01",
        "expireDate": "2029-01-01",
        "ipAddress": "1.2.3.4",
        "identityNumber": "920613-1234567",
        "documentNumber": "11-22-333333-44",
        "address_city": "Seoul",
        "address_country": "KOR",
        "address_state": "Seoul",
        "address_street": "1 Sejong-daero",
        "address_full": "1 Sejong-daero, Jung-gu, Seoul",
        "cf1": "plan-a",
        "cf2": "ref-2",
        "cf3": "ref-3",
        "userid": "user-77",
    }


def _post(api_client, body, **headers):
    raw = body if isinstance(body, str) else json.dumps(body)
    return api_client.post(URL, raw, content_type=headers.pop("content_type", "application/json"), **headers)


def _item(api_client, submission_id) -> dict:
    [item] = api_client.get(f"/v3/submission?submission_id={submission_id}").json()["Items"]
    return item


def _state(project) -> tuple:
    return (
        list(Submission.objects.values_list("pk", flat=True)),
        AuditEvent.objects.filter(action="submission.migrated").count(),
        WebhookOutbox.objects.count(),
        SubmissionClient.objects.count(),
        Project.objects.values_list("credits", flat=True).get(pk=project.pk),
    )


def test_it_stores_an_approved_submission_that_get_shows_like_a_verified_one(api_client, project, admin, body):
    # when
    response = _post(api_client, body)

    # then
    assert response.status_code == 200
    submission_id = response.json()["submissionId"]
    assert response.json() == {"message": "success", "submissionId": submission_id}
    item = _item(api_client, submission_id)
    assert item["data"] == {
        "age_group": "adult",
        "first_name": "GILDONG",
        "last_name": "HONG",
        "full_name": "HONG GILDONG",
        "gender": "male",
        "nationality": "KOR",
        "date_of_birth": "1992-06-13",
        "idcard_issuingCountry": "KOR",
        "idcard_issueDate": "2019-01-01",
        "idcard_expireDate": "2029-01-01",
        "idType": "drivers_license",
        "documentNumber": "11-22-333333-44",
        "identityNumber": "920613-1234567",
        "ip_address": "1.2.3.4",
        "address_street": "1 Sejong-daero",
        "address_city": "Seoul",
        "address_state": "Seoul",
        "address_country": "KOR",
        "address_formatted": "1 Sejong-daero, Jung-gu, Seoul",
        "cf1": "plan-a",
        "cf2": "ref-2",
        "cf3": "ref-3",
    }
    assert (item["email"], item["userid"]) == ("Hong@Example.com", "user-77")
    assert item["kyc"] == {"result": "approved", "comment": [], "commentCode": []}
    assert item["reviewer"] == admin.email
    assert item["kyc_result_at"] == item["created_at"]
    assert len(item["applicant_id"]) == 20
    assert len(item["duplicated_information"]) == 64
    assert item["idcheck"]["processing"] == {"state": "decided", "attempts": 0}
    assert "argos_score" not in item
    assert Submission.objects.get(pk=submission_id).source == SubmissionSource.MIGRATION


def test_it_takes_no_credit_and_sends_no_webhook(api_client, project, body):
    # given
    credits = project.credits

    # when
    response = _post(api_client, body)

    # then
    assert response.status_code == 200
    assert Project.objects.get(pk=project.pk).credits == credits
    assert not CreditLedgerEntry.objects.filter(project=project).exists()
    assert not WebhookOutbox.objects.exists()


def test_the_event_log_names_the_fields_and_never_a_value(api_client, project, admin, body):
    # when
    submission_id = _post(api_client, body).json()["submissionId"]

    # then
    [event] = AuditEvent.objects.filter(action="submission.migrated")
    assert (event.project_id, event.target_id) == (project.pk, submission_id)
    assert event.details == {"status": "approved", "fields": sorted(body), "admin_user_id": admin.pk}
    assert event.actor_api_key is not None


def test_a_rejection_gets_code_other_and_no_applicant_id(api_client, body):
    # when
    submission_id = _post(api_client, {**body, "kycStatus": "rejected"}).json()["submissionId"]

    # then
    item = _item(api_client, submission_id)
    assert item["kyc"] == {
        "result": "rejected",
        "comment": ["Rejected by the project's administrator."],
        "commentCode": ["other"],
    }
    assert "applicant_id" not in item


def test_the_same_person_migrated_twice_shares_one_applicant_id(api_client, body):
    # given
    first = _post(api_client, body).json()["submissionId"]

    # when
    second = _post(api_client, {**body, "email": "other@example.com"}).json()["submissionId"]

    # then
    assert _item(api_client, second)["applicant_id"] == _item(api_client, first)["applicant_id"]


def test_only_the_required_fields_with_the_full_name_split_surname_first(api_client, admin):
    # given
    body = {"admin": admin.email.upper(), "email": "a@example.com", "fullName": "ERIKSSON ANNA MARIA",
            "birthDate": "1990-01-31", "kycStatus": "approved"}  # fmt: skip

    # when
    response = _post(api_client, body)

    # then
    item = _item(api_client, response.json()["submissionId"])
    assert item["data"] == {"age_group": "adult", "first_name": "ANNA MARIA", "last_name": "ERIKSSON",
                            "full_name": "ERIKSSON ANNA MARIA", "date_of_birth": "1990-01-31"}  # fmt: skip
    assert "duplicated_information" not in item  # no gender nor nationality: no DI


def test_get_finds_it_by_email_and_userid(api_client, body):
    # given
    submission_id = _post(api_client, body).json()["submissionId"]

    # when
    by_email = api_client.get("/v3/submission?email=hong@example.com").json()["Items"]
    by_userid = api_client.get("/v3/submission?userid=user-77").json()["Items"]

    # then
    assert [item["submission_id"] for item in by_email + by_userid] == [submission_id, submission_id]


def test_json_sent_as_text_plain_is_read(api_client, body):
    # when
    response = _post(api_client, body, content_type="text/plain")

    # then
    assert response.status_code == 200


def test_blank_optional_fields_are_left_out(api_client, body):
    # when
    response = _post(api_client, {**body, "cf1": "", "gender": " "})

    # then
    data = _item(api_client, response.json()["submissionId"])["data"]
    assert ("cf1" in data, "gender" in data) == (False, False)


def test_the_same_idempotency_key_returns_the_same_submission(api_client, project, body):
    # given
    first = _post(api_client, body, HTTP_IDEMPOTENCY_KEY="mig-1")
    after_first = _state(project)

    # when
    again = _post(api_client, body, HTTP_IDEMPOTENCY_KEY="mig-1")
    other = _post(api_client, {**body, "cf1": "changed"}, HTTP_IDEMPOTENCY_KEY="mig-1")

    # then
    assert again.json() == first.json()
    assert (other.status_code, other.json()["errorCode"]) == (422, "idempotency_key_reused")
    assert _state(project) == after_first


def test_it_needs_the_projects_key(client, body):
    # when
    response = client.post(URL, json.dumps(body), content_type="application/json")

    # then
    assert (response.status_code, response.json()) == (403, {"message": "Forbidden"})


def test_the_dashboard_shows_a_migrated_submission(api_client, dashboard_client, project, body):
    # given
    submission_id = _post(api_client, body).json()["submissionId"]

    # when
    response = dashboard_client.get(f"/dashboard/p/{project.pid}/submissions/{submission_id}/")

    # then
    assert response.status_code == 200
    assert b"GILDONG" in response.content


def test_a_migrated_submission_is_corrected_and_deleted_like_any_other(api_client, admin, body):
    # given
    submission_id = _post(api_client, body).json()["submissionId"]

    # when
    patched = api_client.patch("/v3/submission", json.dumps({"submissionId": submission_id, "admin": admin.email,
                               "data": {"documentNumber": "M1234567", "kycStatus": "rejected"}}),
                               content_type="application/json")  # fmt: skip
    shown = _item(api_client, submission_id)
    deleted = api_client.delete(f"/v3/submission?submission_id={submission_id}&admin_name={admin.email}")

    # then
    assert patched.status_code == 200
    assert (shown["data"]["documentNumber"], shown["kyc"]["result"]) == ("M1234567", "rejected")
    assert deleted.status_code == 200
    after = _item(api_client, submission_id)
    assert ("data" in after, "email" in after, after["kyc"]["result"]) == (False, False, "rejected")
    assert list(WebhookOutbox.objects.values_list("event", flat=True).order_by("pk")) == ["updated", "delete"]


# --- refusals: the spec's table (§2.3), 400 {"errorCode", "message"}, nothing written ----------


def _refused(api_client, project, body, status: int = 400, **headers) -> dict:
    before = _state(project)
    response = _post(api_client, body, **headers)
    assert response.status_code == status
    assert _state(project) == before
    return response.json()


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"'])
def test_a_body_that_is_not_a_json_object_is_an_invalid_payload(api_client, project, raw):
    assert _refused(api_client, project, raw) == {"errorCode": "invalid_payload", "message": "Invalid payload."}


def test_a_form_body_is_an_invalid_payload(api_client, project, body):
    response = api_client.post(URL, body)

    assert (response.status_code, response.json()) == (
        400,
        {"errorCode": "invalid_payload", "message": "Invalid payload."},
    )


@pytest.mark.parametrize("name", ["admin", "email", "fullName", "birthDate", "kycStatus"])
def test_a_missing_required_field(api_client, project, body, name):
    missing = {key: value for key, value in body.items() if key != name}
    expected = {"errorCode": "missing_data", "message": "Required input data is missing"}
    assert _refused(api_client, project, missing) == expected
    assert _refused(api_client, project, {**body, name: "  "}) == expected


def test_a_closed_project_is_an_invalid_project(api_client, project, body):
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.CLOSED)

    assert _refused(api_client, project, body) == {"errorCode": "invalid_project", "message": "Invalid project"}


def test_an_emergency_stop_refuses_it_as_every_new_submission(api_client, project, body):
    Project.objects.filter(pk=project.pk).update(emergency_stop=True)

    assert _refused(api_client, project, body, status=403) == {
        "errorCode": "service_blocked",
        "message": "Submissions are paused for this project (emergency stop).",
    }


def test_an_admin_who_is_not_a_member_is_an_invalid_admin(api_client, project, body):
    # given: a member of another project
    stranger = MembershipFactory().user

    # when / then
    expected = {"errorCode": "invalid_admin", "message": "Invalid admin"}
    assert _refused(api_client, project, {**body, "admin": stranger.email}) == expected
    assert _refused(api_client, project, {**body, "admin": "nobody@example.com"}) == expected


@pytest.mark.parametrize("name", ["colour", "isEncrypted", "submissionId"])
def test_an_unknown_parameter(api_client, project, body, name):
    assert _refused(api_client, project, {**body, name: "x"}) == {
        "errorCode": "invalid_parameter",
        "message": f"invalid parameter: {name}",
    }


def test_a_long_unknown_parameter_is_named_in_forty_characters(api_client, project, body):
    name = "x" * 500

    assert _refused(api_client, project, {**body, name: "1"})["message"] == f"invalid parameter: {'x' * 40}…"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("birthDate", "13/06/1992"),
        ("birthDate", "1992-02-30"),
        ("birthDate", "2999-01-01"),
        ("kycStatus", "pending"),
        ("gender", "other"),
        ("idType", "drvlic"),
        ("issuingCountry", "kor"),
        ("nationality", "KOREA"),
        ("address_country", "Korea"),
        ("issueDate", "yesterday"),
        ("expireDate", "2030-13-01"),
        ("ipAddress", "999.1.1.1"),
        ("email", "not-an-email"),
        ("documentNumber", "<script>"),
        ("userid", "u" * 201),
        ("cf1", "line\nbreak"),
        ("cf2", 5),
        ("fullName", ["HONG"]),
        ("admin", None),
    ],
)
def test_a_value_that_does_not_parse_is_an_invalid_format(api_client, project, body, name, value):
    assert _refused(api_client, project, {**body, name: value}) == {
        "errorCode": "invalid_format",
        "message": f"invalid format: {name}",
    }


def test_a_too_long_idempotency_key_is_an_invalid_format(api_client, project, body):
    assert _refused(api_client, project, body, HTTP_IDEMPOTENCY_KEY="k" * 256) == {
        "errorCode": "invalid_format",
        "message": "invalid format: Idempotency-Key",
    }


def test_a_failure_of_the_store_is_a_processing_error_and_leaves_nothing(api_client, project, body, monkeypatch):
    # given: the duplicate look-up fails after the submission row was written
    def broken(*args, **kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr("submissions.services.migration.duplicates.duplicates_lookup", broken)

    # when / then
    assert _refused(api_client, project, body) == {
        "errorCode": "processing_error",
        "message": "Failed to complete migration",
    }
