"""A Pending submission's page: the trace in words, images, extracted data, face and liveness."""

from __future__ import annotations

from submissions.services.steps import UPLOADED_REASON
from tests.submissions.dashboard.helpers import client_for, pending_policy, pending_submission

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
