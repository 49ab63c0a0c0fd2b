"""``POST /v3/submission/aml`` (spec §2.14) with its error table, ``GET /v3/report/aml`` (§2.15),
and the stored result in ``GET /v3/submission`` (``request_type=aml`` and the full item)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from projects.actors import Actor
from projects.models import AuditEvent
from projects.services import api_key_issue
from submissions.models import AmlMatch, AmlScreening, Submission, SubmissionStatus
from submissions.services import submission_delete
from tests.conftest import TEST_HOST
from tests.factories import ProjectFactory
from tests.policy.builders import genuine, with_fields
from tests.submissions.test_aml_screening import _eager, import_list  # noqa: F401 (the fixture)
from tests.submissions.test_submission_update import decided_submission
from webhooks.models import WebhookOutbox

URL = "/v3/submission/aml"


def post(api_client, body, content_type="application/json"):
    raw = body if isinstance(body, str) else json.dumps(body)
    return api_client.post(URL, raw, content_type=content_type)


def snapshot(project) -> tuple:
    return (
        AmlScreening.objects.filter(project=project).count(),
        AuditEvent.objects.filter(project=project, action="submission.aml_screened").count(),
        WebhookOutbox.objects.filter(project=project, event="aml").count(),
    )


@pytest.fixture
def approved(project, tmp_path):
    import_list(tmp_path)
    return decided_submission(project)


def test_it_screens_an_approved_submission_and_answers_the_result(api_client, project, approved):
    response = post(api_client, {"submissionId": approved.pk})

    assert response.status_code == 200
    body = response.json()
    screening = AmlScreening.objects.get(submission=approved)
    resource_ids = list(AmlMatch.objects.filter(screening=screening).values_list("resource_id", flat=True))
    assert body["message"] == "success"
    assert body["result"] == {
        "currentstatus": "Red Flag",
        "risk_level_summary": "HIGH",
        "threshold": 90,
        "screened_at": body["result"]["screened_at"],
        "matches": [
            {"resourceId": resource_ids[0], "category": "SAN", "score": 100},
            {"resourceId": resource_ids[1], "category": "PEP", "score": 91},
        ],
    }
    assert body["raw_data"]["person"] == {"name": "ERIKSSON ANNA MARIA", "birth_date": "1990-01-31",
                                          "nationality": "UTO"}  # fmt: skip
    assert [match["explanation"]["birth_date"] for match in body["raw_data"]["matches"]] == ["exact", "year"]
    assert WebhookOutbox.objects.filter(project=project, event="aml").count() == 1


def test_the_request_threshold_overrides_the_project_one(api_client, approved):
    response = post(api_client, {"submissionId": approved.pk, "amlThreshold": 95})

    assert response.json()["result"]["threshold"] == 95
    assert [match["score"] for match in response.json()["result"]["matches"]] == [100]


def test_a_new_screening_replaces_the_previous_one(api_client, approved):
    post(api_client, {"submissionId": approved.pk})
    first = set(AmlMatch.objects.values_list("resource_id", flat=True))

    response = post(api_client, {"submissionId": approved.pk, "amlThreshold": 100})

    assert AmlScreening.objects.filter(submission=approved).count() == 1
    assert set(AmlMatch.objects.values_list("resource_id", flat=True)).isdisjoint(first)
    assert len(response.json()["result"]["matches"]) == 1


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ("[1, 2]", "invalid_payload", "Invalid payload."),
        ("{not json", "invalid_payload", "Invalid payload."),
        ({"submissionId": 12}, "invalid_payload", "Invalid payload."),
        ({}, "missing_parameter", "submissionId is required."),
        ({"submissionId": ""}, "missing_parameter", "submissionId is required."),
        ({"submissionId": "nosuchsubmission_x"}, "invalid_submissionId", "Cannot find submission."),
        ({"submissionId": "APPROVED", "amlThreshold": 101}, "invalid_aml_threshold", "Invalid AML Threshold."),
        ({"submissionId": "APPROVED", "amlThreshold": "high"}, "invalid_aml_threshold", "Invalid AML Threshold."),
        ({"submissionId": "APPROVED", "amlThreshold": True}, "invalid_aml_threshold", "Invalid AML Threshold."),
        ({"submissionId": "REJECTED"}, "request_failed", "Fail to search AML."),
        ({"submissionId": "NO_NAME"}, "request_failed", "Fail to search AML."),
        ({"submissionId": "BAD_NATIONALITY"}, "invalid_country", "The nationality is invalid : D<<"),
    ],
)  # fmt: skip
def test_every_refusal_has_the_spec_code_and_changes_nothing(api_client, project, tmp_path, body, code, message):
    # given submissions in every state the table names
    import_list(tmp_path)
    ids = {
        "APPROVED": decided_submission(project).pk,
        "REJECTED": decided_submission(project, status=SubmissionStatus.REJECTED).pk,
        "NO_NAME": decided_submission(project, evidence=with_fields(genuine(), surname="", given_names="")).pk,
        "BAD_NATIONALITY": decided_submission(project, evidence=with_fields(genuine(), nationality="D<<")).pk,
    }
    if isinstance(body, dict) and body.get("submissionId") in ids:
        body = {**body, "submissionId": ids[body["submissionId"]]}
    before = snapshot(project)

    response = post(api_client, body)

    assert (response.status_code, response.json()) == (400, {"errorCode": code, "message": message})
    assert snapshot(project) == before


def test_the_report_is_a_pdf_of_the_matched_profile(api_client, approved):
    post(api_client, {"submissionId": approved.pk})
    resource_id = AmlMatch.objects.get(rank=1).resource_id

    response = api_client.get("/v3/report/aml", {"resourceId": resource_id})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert response.content.startswith(b"%PDF-")


def test_a_deleted_submission_has_no_report_any_more(api_client, project, approved):
    # given a Red Flag
    post(api_client, {"submissionId": approved.pk})
    resource_id = AmlMatch.objects.get(rank=1).resource_id

    # when the submission is deleted
    submission_delete(project=project, submission_id=approved.pk, actor=Actor.system("test"))

    # then its report cannot be read, and it cannot be screened again
    assert api_client.get("/v3/report/aml", {"resourceId": resource_id}).status_code == 404
    assert post(api_client, {"submissionId": approved.pk}).json()["errorCode"] == "invalid_submissionId"


def test_the_report_refusals(api_client, approved):
    missing = api_client.get("/v3/report/aml")
    unknown = api_client.get("/v3/report/aml", {"resourceId": "0" * 24})

    assert (missing.status_code, missing.json()) == (
        400, {"errorCode": "missing_parameter", "message": "resourceId is required."})  # fmt: skip
    assert (unknown.status_code, unknown.json()) == (404, {"errorCode": "not_found", "message": "Cannot find report."})


def test_another_project_sees_neither_the_submission_nor_the_report(api_client, approved):
    # given a Red Flag of this project
    post(api_client, {"submissionId": approved.pk})
    resource_id = AmlMatch.objects.get(rank=1).resource_id
    other = ProjectFactory()
    other_client = Client(
        HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=api_key_issue(project=other, actor=Actor.system("t")).plaintext
    )

    # when another project's key asks for them
    screened = post(other_client, {"submissionId": approved.pk})
    report = other_client.get("/v3/report/aml", {"resourceId": resource_id})

    # then it is told they do not exist, and nothing of its own was screened
    assert screened.json() == {"errorCode": "invalid_submissionId", "message": "Cannot find submission."}
    assert report.status_code == 404
    assert AmlScreening.objects.filter(project=other).count() == 0


def test_get_shows_the_stored_result_in_the_aml_slice_and_the_item(api_client, project, approved):
    post(api_client, {"submissionId": approved.pk})
    resource_ids = list(AmlMatch.objects.order_by("rank").values_list("resource_id", flat=True))

    sliced = api_client.get("/v3/submission", {"submission_id": approved.pk, "request_type": "aml"}).json()
    full = api_client.get("/v3/submission", {"submission_id": approved.pk}).json()

    (item,) = sliced["Items"]
    assert item["aml"]["currentstatus"] == "Red Flag"
    assert [match["resourceId"] for match in item["aml"]["matches"]] == resource_ids
    assert full["Items"][0]["aml"] == item["aml"]


def test_an_unscreened_submission_reads_not_screened(api_client, project):
    submission = decided_submission(project)

    sliced = api_client.get("/v3/submission", {"submission_id": submission.pk, "request_type": "aml"}).json()
    full = api_client.get("/v3/submission", {"submission_id": submission.pk}).json()

    assert sliced["Items"] == [{"submission_id": submission.pk, "aml": {"currentstatus": "Not Screened",
                                                                        "risk_level_summary": "Not Screened"}}]  # fmt: skip
    assert "aml" not in full["Items"][0]
    assert Submission.objects.filter(pk=submission.pk).exists()
