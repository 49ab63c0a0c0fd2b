"""The review queue: Pending oldest first with the oldest one's age; deciding from the queue goes
on to the next pending submission, and to the empty queue after the last."""

from __future__ import annotations

from submissions.models import SubmissionStatus
from tests.submissions.dashboard.helpers import client_for, pending_policy, pending_submission


def test_a_reviewer_clears_the_queue_oldest_first(project, owner):
    # given: two pending submissions, the first one older
    pending_policy(project)
    older = pending_submission(project)
    newer = pending_submission(project)
    client = client_for(owner)
    queue_url = f"/dashboard/p/{project.pid}/submissions/queue/"

    # when: the queue, then the oldest opened from it
    queue = client.get(queue_url)
    first = client.get(f"/dashboard/p/{project.pid}/submissions/{older.pk}/?queue=1")

    # then
    assert [s.pk for s in queue.context["page"].items] == [older.pk, newer.pk]
    assert queue.context["oldest"] == older
    assert "data-oldest-age" in queue.content.decode()
    assert (first.context["queue"].previous, first.context["queue"].next) == (None, newer.pk)

    # when: approve the oldest, then reject the next
    approved = client.post(f"/dashboard/p/{project.pid}/submissions/{older.pk}/approve/", {"queue": "1"})
    rejected = client.post(
        f"/dashboard/p/{project.pid}/submissions/{newer.pk}/reject/", {"queue": "1", "comment": "Not the holder."}
    )

    # then: each decision leads on, the last back to the (now empty) queue
    assert approved["Location"] == f"/dashboard/p/{project.pid}/submissions/{newer.pk}/?queue=1"
    assert rejected["Location"] == queue_url
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.status, newer.status) == (SubmissionStatus.APPROVED, SubmissionStatus.REJECTED)
    empty = client.get(queue_url)
    assert (list(empty.context["page"].items), empty.context["oldest"]) == ([], None)
    assert "Nothing to review: no submission is pending." in empty.content.decode()
