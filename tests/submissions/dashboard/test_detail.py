"""A Pending submission's page: the trace in words, images, extracted data, face and liveness."""

from __future__ import annotations

import datetime as dt

from submissions import vault
from submissions.models import Submission
from submissions.services import submission_create, submission_delete_partial, submission_process
from submissions.services.knowledge import KnowledgeData
from submissions.services.steps import UPLOADED_REASON
from tests.submissions.api.helpers import passport_case
from tests.submissions.dashboard.helpers import ACTOR, client_for, pending_policy, pending_submission

# tests/submissions/test_process_run.py: the specimen's score lines (points of each weight)
EXPECTED_ROWS = {
    "Document read": (15, 14.9),
    "Machine-readable zone": (15, 15.0),
    "Printed vs machine-readable": (15, 15.0),
    "Genuine capture": (10, 10.0),
    "Image quality": (5, 5.0),
    "Face match": (25, 25.0),
    "Liveness": (10, 0.0),
    "Data entry": (5, 5.0),
}


def test_a_reviewer_reads_why_the_submission_is_pending(project, owner):
    # given
    pending_policy(project)
    submission = pending_submission(project)
    client = client_for(owner)

    # when
    response = client.get(f"/dashboard/p/{project.pid}/submissions/{submission.pk}/")

    # then
    assert response.status_code == 200
    page = response.content.decode()
    trace = response.context["trace"]
    assert trace.outcome == "Pending: the score 90 is below the threshold 99."
    assert "Pending: the score 90 is below the threshold 99." in page
    assert {row.label: (row.weight, row.points) for row in trace.score_rows} == EXPECTED_ROWS
    assert (trace.score, trace.threshold, trace.rules_version, trace.rules_fired) == (90, 99, 0, [])
    assert response.context["images"] == [("id_front", "ID front"), ("selfie", "Selfie")]
    data = {key: value for key, value, _ in response.context["data"]}
    assert (data["full_name"], data["documentNumber"], data["idType"]) == ("HORVATH TOMAS", "145454284", "passport")
    assert dict(response.context["metadata"]) == {"email": "person@example.com", "userid": "user-42"}
    assert response.context["steps"]["face"].outcome == "matched"
    assert UPLOADED_REASON in page
    assert 'id="approve-form"' in page
    assert response.context["duplicates"] == []


def test_a_knowledge_based_submission_is_shown_without_a_document_and_can_be_approved(project, owner):
    # given: typed identity and an uploaded selfie (no liveness): Pending at 50 (docs/liveform.md)
    typed = KnowledgeData(first_name="Tomas", last_name="Horvath", date_of_birth=dt.date(1967, 3, 1), gender="male",
                          nationality="EST", ssn_number="1234-5678")  # fmt: skip
    created = submission_create(project=project, source="liveform", actor=ACTOR,
                                images={"selfie": passport_case().selfie}, knowledge=typed)  # fmt: skip
    submission_process(submission_id=created.id)
    client = client_for(owner)

    # when
    response = client.get(f"/dashboard/p/{project.pid}/submissions/{created.pk}/")

    # then
    page = response.content.decode()
    assert response.context["submission"].status == "pending"
    assert "<dd data-pipeline-name>Knowledge-Based</dd>" in page
    assert "Knowledge-Based: no document" in page
    assert "Document reading" not in page
    assert response.context["images"] == [("selfie", "Selfie")]
    data = {key: value for key, value, confidence in response.context["data"]}
    assert data == {"age_group": "adult", "date_of_birth": "1967-03-01", "first_name": "Tomas", "full_name": "Horvath Tomas",
                    "gender": "male", "last_name": "Horvath", "nationality": "EST"}  # fmt: skip
    assert dict(response.context["metadata"])["ssnNumber"] == "1234-5678"
    assert "Face in the selfie" in page

    # when: the reviewer approves it, as any submission
    approved = client.post(f"/dashboard/p/{project.pid}/submissions/{created.pk}/approve/", follow=True)

    # then
    assert approved.status_code == 200
    assert Submission.objects.get(pk=created.pk).status == "approved"


def test_deleting_a_typed_value_forgets_the_typed_identity_and_the_ssn(project):
    # given: a decided Knowledge-Based submission
    typed = KnowledgeData(first_name="Tomas", last_name="Horvath", date_of_birth=dt.date(1967, 3, 1), gender="male",
                          nationality="EST", ssn_number="1234-5678")  # fmt: skip
    created = submission_create(project=project, source="liveform", actor=ACTOR,
                                images={"selfie": passport_case().selfie}, knowledge=typed)  # fmt: skip
    submission_process(submission_id=created.id)

    # when
    submission_delete_partial(project=project, submission_id=created.id, fields=["data"],
                              data_fields=["date_of_birth", "ssnNumber"], actor=ACTOR)  # fmt: skip

    # then
    submission = Submission.objects.get(pk=created.pk)
    metadata = vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT)
    assert "knowledge" not in metadata
    assert "ssnNumber" not in metadata
