"""AML screening on approval (spec §8.12, §4.10): an approved person on an imported list raises a
Red Flag with one resourceId per matched profile and the ``aml`` webhook; an unrelated person stays
``Not Screened``; a rejected submission is never screened."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from policy.aml.index import watchlist_index_reset
from projects.models import AuditEvent
from projects.services import project_settings_update
from submissions.models import AmlMatch, AmlScreening, SubmissionStatus
from submissions.services import submission_review_approve, submission_review_reject, submission_update
from submissions.services.aml import aml_result_open
from tests.factories import MembershipFactory
from tests.submissions.test_submission_update import ACTOR, decided_submission
from webhooks.models import WebhookOutbox

LISTED = "name,aliases,birth_date,nationality,category,source\n" + "\n".join(
    [
        "Anna Maria Eriksson,Анна Мария Эрикссон,1990-01-31,UTO,SAN,test",  # the genuine passport's holder
        "Anna Eriksson,,1990,UTO,PEP,test",
        "Hong Gildong,홍길동,1970-05-05,KOR,PEP,test",
    ]
)
UNRELATED = "name,aliases,birth_date,nationality,category,source\nHong Gildong,홍길동,1970-05-05,KOR,PEP,test\n"


def import_list(tmp_path: Path, content: str = LISTED, source: str = "test") -> None:
    path = tmp_path / f"{source}.csv"
    path.write_text(content, encoding="utf-8")
    call_command("import_watchlist", str(path), "--source", source, stdout=open(path.with_suffix(".log"), "w"))  # noqa: SIM115


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    watchlist_index_reset()
    yield
    watchlist_index_reset()


def screening_on(project) -> None:
    project_settings_update(project=project, changes={"aml_screening": True}, actor=ACTOR)


def aml_events(submission) -> list[dict]:
    return list(WebhookOutbox.objects.filter(resource_id=submission.pk, event="aml").values_list("payload", flat=True))


def approved_by_review(project, django_capture_on_commit_callbacks):
    submission = decided_submission(project, status=SubmissionStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        submission_review_approve(project=project, submission_id=submission.pk, actor=ACTOR)
    return submission


def test_approving_a_listed_person_raises_a_red_flag_with_the_aml_webhook(
    project, tmp_path, django_capture_on_commit_callbacks
):
    # given the list naming the passport's holder, and a project screening on approval
    import_list(tmp_path)
    screening_on(project)

    # when a reviewer approves the submission
    submission = approved_by_review(project, django_capture_on_commit_callbacks)

    # then it is a Red Flag with both profiles of that name, the best first, and the aml webhook
    screening = AmlScreening.objects.get(submission=submission)
    assert (screening.current_status, screening.risk_level_summary, screening.threshold) == ("Red Flag", "HIGH", 90)
    assert list(AmlMatch.objects.filter(screening=screening).values_list("rank", "category", "score")) == [
        (1, "SAN", 100),
        (2, "PEP", 91),
    ]
    assert aml_events(submission) == [
        {
            "webhook_trigger": "aml",
            "submission_id": submission.pk,
            "aml_result": {"currentstatus": "Red Flag", "risk_level_summary": "HIGH"},
        }
    ]
    opened = aml_result_open(screening)
    assert opened["person"] == {"name": "ERIKSSON ANNA MARIA", "birth_date": "1990-01-31", "nationality": "UTO"}
    assert opened["matches"][0]["explanation"]["matched_name"] == "Anna Maria Eriksson"
    assert opened["matches"][0]["resourceId"] == AmlMatch.objects.get(screening=screening, rank=1).resource_id
    event = AuditEvent.objects.get(project=project, action="submission.aml_screened")
    assert event.details == {"status": "Red Flag", "matches": 2, "threshold": 90, "list_versions": {"test": 1}}


def test_an_unrelated_person_stays_not_screened(project, tmp_path, django_capture_on_commit_callbacks):
    # given a list without the passport's holder
    import_list(tmp_path, UNRELATED)
    screening_on(project)

    submission = approved_by_review(project, django_capture_on_commit_callbacks)

    screening = AmlScreening.objects.get(submission=submission)
    assert (screening.current_status, screening.risk_level_summary) == ("Not Screened", "Not Screened")
    assert not AmlMatch.objects.filter(screening=screening).exists()
    assert aml_events(submission)[0]["aml_result"] == {"currentstatus": "Not Screened",
                                                       "risk_level_summary": "Not Screened"}  # fmt: skip


def test_a_rejected_submission_is_never_screened(project, tmp_path, django_capture_on_commit_callbacks):
    import_list(tmp_path)
    screening_on(project)
    submission = decided_submission(project, status=SubmissionStatus.PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        submission_review_reject(project=project, submission_id=submission.pk, comment="No.", actor=ACTOR)

    assert not AmlScreening.objects.filter(submission=submission).exists()
    assert aml_events(submission) == []


def test_a_project_that_does_not_screen_on_approval_is_not_screened(
    project, tmp_path, django_capture_on_commit_callbacks
):
    import_list(tmp_path)

    submission = approved_by_review(project, django_capture_on_commit_callbacks)

    assert not AmlScreening.objects.filter(submission=submission).exists()


def test_a_patch_from_rejected_to_approved_screens_the_submission(
    project, tmp_path, django_capture_on_commit_callbacks
):
    # given a rejected submission of a listed person
    import_list(tmp_path)
    screening_on(project)
    submission = decided_submission(project, status=SubmissionStatus.REJECTED)
    admin = MembershipFactory(project=project).user

    # when the admin approves it with PATCH
    with django_capture_on_commit_callbacks(execute=True):
        submission_update(project=project, submission_id=submission.pk, changes={"kycStatus": "approved"},
                          admin=admin.email, actor=ACTOR)  # fmt: skip

    # then it is screened
    assert AmlScreening.objects.get(submission=submission).current_status == "Red Flag"


def test_the_project_threshold_decides_what_is_a_match(project, tmp_path, django_capture_on_commit_callbacks):
    import_list(tmp_path)
    screening_on(project)
    project_settings_update(project=project, changes={"aml_threshold": 95}, actor=ACTOR)

    submission = approved_by_review(project, django_capture_on_commit_callbacks)

    screening = AmlScreening.objects.get(submission=submission)
    assert screening.threshold == 95
    assert list(AmlMatch.objects.filter(screening=screening).values_list("category", "score")) == [("SAN", 100)]
