"""``submission_memo_set``: the reviewers' memo, sealed under the submission's data key, at most
2000 characters, one Event Log entry without the text; a deletion takes it with the key."""

from __future__ import annotations

import pytest

from idcheck.timeformat import format_compact
from projects.actors import Actor
from projects.models import AuditEvent
from submissions.models import Submission
from submissions.services import MemoTooLong, memo_open, submission_delete, submission_memo_set
from submissions.services.delete import SubmissionNotFound
from tests.submissions.test_submission_update import decided_submission

ACTOR = Actor.system("test")
TEXT = "Called the applicant: the passport was renewed in May."


def _memo_events(project) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(project=project, action="submission.memo_set").order_by("pk"))


@pytest.fixture
def submission(project):
    return decided_submission(project)


def test_it_seals_the_memo_and_reads_it_back(project, submission):
    # when
    memo = submission_memo_set(project=project, submission_id=submission.pk, text=f"  {TEXT} ", actor=ACTOR)

    # then
    submission.refresh_from_db()
    assert memo.text == TEXT
    assert memo_open(submission) == memo
    assert TEXT.encode() not in bytes(submission.sealed_memo)
    (event,) = _memo_events(project)
    assert (event.target_id, event.details) == (submission.pk, {"length": len(TEXT), "removed": False})
    assert "applicant" not in str(event.details)


def test_an_empty_text_removes_the_memo(project, submission):
    # given
    submission_memo_set(project=project, submission_id=submission.pk, text=TEXT, actor=ACTOR)

    # when
    memo = submission_memo_set(project=project, submission_id=submission.pk, text="   ", actor=ACTOR)

    # then
    submission.refresh_from_db()
    assert memo is None
    assert submission.sealed_memo is None
    assert [event.details for event in _memo_events(project)] == [
        {"length": len(TEXT), "removed": False}, {"length": 0, "removed": True},
    ]  # fmt: skip


def test_the_same_text_again_writes_nothing(project, submission):
    # given
    submission_memo_set(project=project, submission_id=submission.pk, text=TEXT, actor=ACTOR)
    before = Submission.objects.values().get(pk=submission.pk)

    # when
    submission_memo_set(project=project, submission_id=submission.pk, text=TEXT, actor=ACTOR)

    # then
    assert Submission.objects.values().get(pk=submission.pk) == before
    assert len(_memo_events(project)) == 1


def test_a_memo_over_2000_characters_is_refused_and_changes_nothing(project, submission):
    # given
    submission_memo_set(project=project, submission_id=submission.pk, text=TEXT, actor=ACTOR)
    before = Submission.objects.values().get(pk=submission.pk)

    # when
    with pytest.raises(MemoTooLong) as refused:
        submission_memo_set(project=project, submission_id=submission.pk, text="x" * 2001, actor=ACTOR)

    # then
    assert refused.value.message == "The memo is longer than 2000 characters."
    assert Submission.objects.values().get(pk=submission.pk) == before
    assert len(_memo_events(project)) == 1


def test_a_deletion_takes_the_memo_and_a_deleted_submission_gets_none(project, submission):
    # given
    submission_memo_set(project=project, submission_id=submission.pk, text=TEXT, actor=ACTOR)

    # when
    submission_delete(project=project, submission_id=submission.pk, actor=ACTOR)

    # then
    submission.refresh_from_db()
    assert memo_open(submission) is None
    with pytest.raises(SubmissionNotFound):
        submission_memo_set(project=project, submission_id=submission.pk, text=TEXT, actor=ACTOR)
    assert len(_memo_events(project)) == 1


def test_get_shows_the_memo_as_the_spec_spells_it_and_nothing_without_one(project, submission, api_client):
    # given: no memo yet
    url = f"/v3/submission?submission_id={submission.pk}"
    assert "memo" not in api_client.get(url).json()["Items"][0]

    # when
    memo = submission_memo_set(project=project, submission_id=submission.pk, text=TEXT, actor=ACTOR)

    # then: §3.1 {"text", "updated_at"} in the item's compact time format
    item = api_client.get(url).json()["Items"][0]
    assert item["memo"] == {"text": TEXT, "updated_at": format_compact(memo.updated_at)}
