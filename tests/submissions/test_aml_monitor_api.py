"""The AML Ongoing Monitoring API (spec §2.16): ``POST /v3/submission/aml/monitor/{worklistId}``
with per-item results, ``GET …/{worklistId}/{recordId}``, ``DELETE …/{worklistId}`` with the
partial-failure envelope, every refusal with its exact body, the 25-item limit, and projects kept
apart. A refusal changes nothing."""

from __future__ import annotations

import json

import pytest

from policy.aml.models import AmlMonitorRecord, AmlWorklist
from policy.aml.monitoring import aml_worklist_default
from projects.models import AuditEvent
from projects.services import api_key_issue
from submissions.models import SubmissionStatus
from tests.conftest import TEST_HOST
from tests.factories import ProjectFactory
from tests.submissions.test_aml_monitoring import monitoring_on
from tests.submissions.test_aml_screening import LISTED, UNRELATED, _eager, import_list  # noqa: F401
from tests.submissions.test_submission_update import ACTOR, decided_submission
from webhooks.models import WebhookOutbox

ADMIN = "admin@company.com"


def url(worklist_id: str, record_id: str = "") -> str:
    return f"/v3/submission/aml/monitor/{worklist_id}" + (f"/{record_id}" if record_id else "")


def send(api_client, method: str, path: str, body) -> object:
    raw = body if isinstance(body, str) else json.dumps(body)
    return getattr(api_client, method)(path, raw, content_type="application/json")


def snapshot(project) -> tuple:
    return (
        AmlMonitorRecord.objects.filter(project=project).count(),
        WebhookOutbox.objects.filter(project=project, event="aml_monitor").count(),
        AuditEvent.objects.filter(project=project, action__startswith="submission.aml_monitor").count(),
        AuditEvent.objects.filter(project=project, action="aml.monitor_records_deleted").count(),
    )


@pytest.fixture
def worklist(project, tmp_path):
    import_list(tmp_path, UNRELATED)
    monitoring_on(project)
    return aml_worklist_default(project)


@pytest.fixture
def approved(project):
    return decided_submission(project)


def test_it_registers_approved_submissions_and_reports_each_item(api_client, project, worklist, approved):
    # given an approved submission, a pending one and an id that names nothing
    pending = decided_submission(project, status=SubmissionStatus.PENDING)

    # when the three are registered
    response = send(api_client, "post", url(worklist.pk),
                    {"submissionIds": [approved.pk, pending.pk, "nosuchsubmission0"], "admin": ADMIN})  # fmt: skip

    # then the approved one is a record, the others fail in the spec's words
    record_id = f"{worklist.pk}_{approved.pk}"
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "successCount": 1,
        "failedCount": 2,
        "successResults": [{"submissionId": approved.pk, "recordIds": [record_id], "status": "success"}],
        "failedResults": [
            {"submissionId": pending.pk, "recordIds": [], "status": "failed",
             "error": f"This submission is not approved: {pending.pk}"},
            {"submissionId": "nosuchsubmission0", "recordIds": [], "status": "failed",
             "error": "Cannot find submission: nosuchsubmission0"},
        ],
    }  # fmt: skip
    assert list(AmlMonitorRecord.objects.filter(project=project).values_list("pk", "admin")) == [(record_id, ADMIN)]


def test_registering_again_answers_the_same_record(api_client, project, worklist, approved):
    send(api_client, "post", url(worklist.pk), {"submissionIds": [approved.pk], "admin": ADMIN})
    before = snapshot(project)

    response = send(api_client, "post", url(worklist.pk), {"submissionIds": [approved.pk], "admin": ADMIN})

    assert response.json()["successResults"] == [
        {"submissionId": approved.pk, "recordIds": [f"{worklist.pk}_{approved.pk}"], "status": "success"}
    ]
    assert snapshot(project) == before


def test_it_reads_a_record_in_the_spec_s_body(api_client, project, worklist, approved, tmp_path):
    # given a registered person whom a later list names
    send(api_client, "post", url(worklist.pk), {"submissionIds": [approved.pk], "admin": ADMIN})
    import_list(tmp_path, LISTED)
    record_id = f"{worklist.pk}_{approved.pk}"

    # when it is read
    response = api_client.get(url(worklist.pk, record_id))

    # then it is §2.16's body, with the two open matches counted
    body = response.json()
    assert response.status_code == 200
    assert body == {
        "name": "ERIKSSON ANNA MARIA",
        "id": record_id,
        "submissionId": approved.pk,
        "nationality": "UTO",
        "status": "screenedMatches",
        "dob": "1990-01-31",
        "email": "person@example.com",
        "memo": "",
        "tags": [],
        "admin": ADMIN,
        "updateTime": body["updateTime"],
        "openCount": 2,
        "falsePositiveCount": 0,
        "truePositiveCount": 0,
        "discardedCount": 0,
    }
    assert body["updateTime"].endswith("Z")


def test_a_clean_record_reads_screened_no_matches(api_client, worklist, approved):
    send(api_client, "post", url(worklist.pk), {"submissionIds": [approved.pk], "admin": ADMIN})

    body = api_client.get(url(worklist.pk, f"{worklist.pk}_{approved.pk}")).json()

    assert (body["status"], body["openCount"]) == ("screenedNoMatches", 0)


def test_an_unknown_record_is_not_found(api_client, worklist):
    response = api_client.get(url(worklist.pk, f"{worklist.pk}_nosuchsubmission0"))

    assert response.status_code == 404
    assert response.json() == {"errorCode": "invalid_record", "message": "Resource not found"}


def test_it_deletes_records(api_client, project, worklist, approved):
    send(api_client, "post", url(worklist.pk), {"submissionIds": [approved.pk], "admin": ADMIN})

    response = send(api_client, "delete", url(worklist.pk),
                    {"recordIds": [f"{worklist.pk}_{approved.pk}"], "admin": ADMIN})  # fmt: skip

    assert response.status_code == 200
    assert response.json() == {"message": "records deleted successfully"}
    assert AmlMonitorRecord.objects.filter(project=project).count() == 0
    assert AuditEvent.objects.get(project=project, action="aml.monitor_records_deleted").details == {
        "records": [f"{worklist.pk}_{approved.pk}"],
        "admin": ADMIN,
    }


def test_deleting_missing_records_answers_the_partial_failure_and_deletes_the_others(
    api_client, project, worklist, approved
):
    send(api_client, "post", url(worklist.pk), {"submissionIds": [approved.pk], "admin": ADMIN})

    response = send(api_client, "delete", url(worklist.pk),
                    {"recordIds": [f"{worklist.pk}_{approved.pk}", "nosuchrecord"], "admin": ADMIN})  # fmt: skip

    assert response.status_code == 400
    assert response.json() == {
        "errorCode": "invalid_record",
        "errorMessage": "Some records do not exist",
        "details": [
            {
                "recordId": "nosuchrecord",
                "statusCode": 404,
                "error": {"code": "MAPI-001", "message": "Resource not found"},
            }
        ],
    }
    assert AmlMonitorRecord.objects.filter(project=project).count() == 0


def test_twenty_five_items_are_taken(api_client, project, worklist, approved):
    ids = [approved.pk, *(f"nosuchsubmission{n:02d}" for n in range(24))]

    response = send(api_client, "post", url(worklist.pk), {"submissionIds": ids, "admin": ADMIN})

    assert response.status_code == 200
    assert (response.json()["successCount"], response.json()["failedCount"]) == (1, 24)


POST_REFUSALS = [
    ({"admin": ADMIN}, "missing_required_parameters", "submissionIds and admin are required."),
    ({"submissionIds": ["x"]}, "missing_required_parameters", "submissionIds and admin are required."),
    ("[1, 2]", "missing_required_parameters", "submissionIds and admin are required."),
    ("{not json", "missing_required_parameters", "submissionIds and admin are required."),
    ({"submissionIds": "x", "admin": ADMIN}, "invalid_submissionIds", "submissionIds must be an array of 1 to 25 ids."),
    ({"submissionIds": [], "admin": ADMIN}, "invalid_submissionIds", "submissionIds must be an array of 1 to 25 ids."),
    ({"submissionIds": [7], "admin": ADMIN}, "invalid_submissionIds", "submissionIds must be an array of 1 to 25 ids."),
    ({"submissionIds": [f"s{n}" for n in range(26)], "admin": ADMIN}, "invalid_submissionIds",
     "submissionIds must be an array of 1 to 25 ids."),
    ({"submissionIds": ["x"], "admin": "not an e-mail"}, "invalid_admin", "admin must be an e-mail address."),
    ({"submissionIds": ["x"], "admin": 7}, "invalid_admin", "admin must be an e-mail address."),
]  # fmt: skip


@pytest.mark.parametrize(("body", "code", "message"), POST_REFUSALS)
def test_a_malformed_registration_is_refused_in_the_spec_s_words(
    api_client, project, worklist, approved, body, code, message
):
    before = snapshot(project)

    response = send(api_client, "post", url(worklist.pk), body)

    assert (response.status_code, response.json()) == (400, {"errorCode": code, "message": message})
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"admin": ADMIN}, "missing_required_parameters", "recordIds and admin are required."),
        ({"recordIds": [], "admin": ADMIN}, "invalid_recordIds", "recordIds must be an array of 1 to 25 ids."),
        ({"recordIds": [f"r{n}" for n in range(26)], "admin": ADMIN}, "invalid_recordIds",
         "recordIds must be an array of 1 to 25 ids."),
        ({"recordIds": ["r"], "admin": "nobody"}, "invalid_admin", "admin must be an e-mail address."),
    ],
)  # fmt: skip
def test_a_malformed_deletion_is_refused(api_client, project, worklist, approved, body, code, message):
    send(api_client, "post", url(worklist.pk), {"submissionIds": [approved.pk], "admin": ADMIN})
    before = snapshot(project)

    response = send(api_client, "delete", url(worklist.pk), body)

    assert (response.status_code, response.json()) == (400, {"errorCode": code, "message": message})
    assert snapshot(project) == before


@pytest.mark.parametrize("path", ["/v3/submission/aml/monitor", "/v3/submission/aml/monitor/bad!worklist"])
def test_a_path_without_a_valid_worklist_is_invalid_path(api_client, project, worklist, approved, path):
    response = send(api_client, "post", path, {"submissionIds": [approved.pk], "admin": ADMIN})

    message = (
        "Invalid path: worklistId is required."
        if path.endswith("monitor")
        else "Invalid path: worklistId is not valid."
    )
    assert (response.status_code, response.json()) == (400, {"errorCode": "invalid_path", "message": message})
    assert AmlMonitorRecord.objects.count() == 0


def test_a_project_without_monitoring_is_invalid_project(api_client, project, worklist, approved):
    from projects.services import project_settings_update

    project_settings_update(project=project, changes={"aml_monitoring": False}, actor=ACTOR)
    before = snapshot(project)

    response = send(api_client, "post", url(worklist.pk), {"submissionIds": [approved.pk], "admin": ADMIN})

    assert (response.status_code, response.json()) == (
        400,
        {"errorCode": "invalid_project", "message": "Ongoing monitoring is not enabled for this project."},
    )
    assert snapshot(project) == before


@pytest.mark.parametrize("inactive", [False, True])
def test_an_unknown_or_inactive_worklist_is_invalid_worklist(api_client, project, worklist, approved, inactive):
    worklist_id = worklist.pk if inactive else "NoSuchList00"
    AmlWorklist.objects.filter(pk=worklist.pk).update(active=not inactive)
    before = snapshot(project)

    response = send(api_client, "post", url(worklist_id), {"submissionIds": [approved.pk], "admin": ADMIN})

    assert (response.status_code, response.json()) == (
        400,
        {"errorCode": "invalid_worklist", "message": f"Worklist is not found or not active: {worklist_id}"},
    )
    assert snapshot(project) == before


def test_every_item_failing_is_all_submissions_failed(api_client, project, worklist):
    before = snapshot(project)

    response = send(api_client, "post", url(worklist.pk), {"submissionIds": ["nosuchsubmission0"], "admin": ADMIN})

    assert response.status_code == 500
    assert response.json() == {
        "errorCode": "all_submissions_failed",
        "message": "All submissions failed.",
        "success": False,
        "successCount": 0,
        "failedCount": 1,
        "successResults": [],
        "failedResults": [{"submissionId": "nosuchsubmission0", "recordIds": [], "status": "failed",
                           "error": "Cannot find submission: nosuchsubmission0"}],
    }  # fmt: skip
    assert snapshot(project) == before


def test_another_project_reaches_neither_the_worklist_nor_its_records(project, worklist, approved, api_client):
    # given a record of this project, and another project with monitoring on and its own key
    send(api_client, "post", url(worklist.pk), {"submissionIds": [approved.pk], "admin": ADMIN})
    other = ProjectFactory()
    monitoring_on(other)
    from django.test import Client

    other_client = Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=api_key_issue(project=other, actor=ACTOR).plaintext)
    record_id = f"{worklist.pk}_{approved.pk}"
    refusal = {"errorCode": "invalid_worklist", "message": f"Worklist is not found or not active: {worklist.pk}"}

    # when it registers, reads and deletes through this project's worklist
    posted = send(other_client, "post", url(worklist.pk), {"submissionIds": [approved.pk], "admin": ADMIN})
    read = other_client.get(url(worklist.pk, record_id))
    deleted = send(other_client, "delete", url(worklist.pk), {"recordIds": [record_id], "admin": ADMIN})

    # then each is refused and the record is still there
    assert [(r.status_code, r.json()) for r in (posted, read, deleted)] == [(400, refusal)] * 3
    assert AmlMonitorRecord.objects.filter(pk=record_id).exists()
    # and its own worklist cannot register this project's submission
    own = aml_worklist_default(other)
    response = send(other_client, "post", url(own.pk), {"submissionIds": [approved.pk], "admin": ADMIN})
    assert response.json()["failedResults"][0]["error"] == f"Cannot find submission: {approved.pk}"
