"""A page of GET /v3/submission costs the same number of queries however many items it holds:
clients, AML screenings and projections are read once per page (no N+1)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.actors import Actor
from submissions.models import AmlScreening
from submissions.services import SubmissionDetails, submission_create

ACTOR = Actor.system("test")


def _create(project, count: int) -> list[str]:
    project.credits = 100
    project.save(update_fields=["credits"])
    ids = []
    for number in range(count):
        submission = submission_create(project=project, source="api", actor=ACTOR, images={},
                                       details=SubmissionDetails(email=f"p{number}@example.com"))  # fmt: skip
        ids.append(submission.pk)
    return ids


def _queries(api_client, count: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api_client.get(f"/v3/submission?count={count}")
    assert response.status_code == 200
    assert len(response.json()["Items"]) == count
    return len(captured.captured_queries)


def test_a_page_reads_a_fixed_number_of_queries(api_client, project):
    # given: twelve screened submissions
    ids = _create(project, 12)
    for sid in ids:
        AmlScreening.objects.create(submission_id=sid, project=project, current_status="Not Screened",
                                    risk_level_summary="Not Screened", threshold=90)  # fmt: skip

    # when / then: two items or twelve, the same queries
    assert _queries(api_client, 2) == _queries(api_client, 12)
