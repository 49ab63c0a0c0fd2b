"""AML ongoing monitoring end to end (issue 10, spec §2.16, §4.11, §8.12): a person approved while
the list does not name them stays clean; an import that names them raises OPEN matches and one
``aml_monitor`` webhook, shown on the AML monitoring page and resolved there; re-importing the
same list raises nothing; a deletion removes the records; another project sees none of it."""

from __future__ import annotations

import pytest

from policy.aml.models import AmlMonitorMatch, AmlMonitorRecord, AmlWorklist, MonitorMatchStatus
from projects.models import AuditEvent, Role
from projects.services import project_settings_update
from submissions.models import SubmissionStatus
from submissions.services import submission_delete
from submissions.services.aml_monitoring import aml_monitor_match_resolve, aml_monitor_rescreen_all
from tests.factories import ProjectFactory
from tests.projects.settings.helpers import member_client
from tests.submissions.test_aml_screening import LISTED, UNRELATED, _eager, approved_by_review, import_list  # noqa: F401
from tests.submissions.test_submission_update import ACTOR, decided_submission
from webhooks.models import WebhookOutbox


def monitoring_on(project) -> None:
    project_settings_update(project=project, changes={"aml_monitoring": True}, actor=ACTOR)


def monitor_events(project) -> list[dict]:
    return list(
        WebhookOutbox.objects.filter(project=project, event="aml_monitor")
        .order_by("id")
        .values_list("payload", flat=True)
    )


def matches(record) -> list[tuple]:
    return list(
        AmlMonitorMatch.objects.filter(record=record)
        .order_by("-score")
        .values_list("source", "list_version", "category", "score", "status")
    )


@pytest.fixture
def monitored(project, tmp_path, django_capture_on_commit_callbacks):
    """A person approved by a reviewer while the list names someone else, monitoring on."""
    import_list(tmp_path, UNRELATED)
    monitoring_on(project)
    submission = approved_by_review(project, django_capture_on_commit_callbacks)
    return AmlMonitorRecord.objects.get(submission=submission)


def test_an_approval_registers_the_person_in_the_default_worklist_and_they_stay_clean(project, monitored):
    # given a person approved while the list does not name them (the fixture)
    worklist = AmlWorklist.objects.get(project=project)

    # then the record is in the default worklist, screened, with no match and one aml_monitor webhook
    assert (worklist.name, worklist.is_default, worklist.active) == ("Approved submissions", True, True)
    assert monitored.pk == f"{worklist.pk}_{monitored.submission_id}"
    assert monitored.screened_versions == {"test": 1}
    assert matches(monitored) == []
    assert monitor_events(project) == [
        {
            "webhook_trigger": "aml_monitor",
            "submission_id": monitored.submission_id,
            "records": [
                {"recordId": monitored.pk, "worklistId": worklist.pk, "created_at": monitor_events(project)[0]
                 ["records"][0]["created_at"]},
            ],
        }
    ]  # fmt: skip
    assert AuditEvent.objects.filter(project=project, action="submission.aml_monitor_registered").count() == 1


def test_a_new_list_version_naming_the_person_raises_open_matches_and_one_webhook(project, monitored, tmp_path):
    # given a monitored person who is clean
    # when a new version of the list that names them is imported
    import_list(tmp_path, LISTED)

    # then both profiles of their name are raised OPEN at version 2, with one new aml_monitor webhook
    assert matches(monitored) == [("test", 2, "SAN", 100, "OPEN"), ("test", 2, "PEP", 91, "OPEN")]
    events = monitor_events(project)
    assert len(events) == 2
    assert events[1]["records"][0]["recordId"] == monitored.pk
    rescreened = AuditEvent.objects.get(project=project, action="submission.aml_monitor_rescreened")
    assert rescreened.details == {"records": {monitored.pk: 2}, "list_versions": {"test": 2}}


def test_importing_the_same_list_again_raises_nothing_new(project, monitored, tmp_path):
    # given the person's matches raised by a first import, one already resolved
    import_list(tmp_path, LISTED)
    first = AmlMonitorMatch.objects.filter(record=monitored).order_by("-score").first()
    aml_monitor_match_resolve(project=project, match_id=first.pk, resolution="false_positive", actor=ACTOR)

    # when the same list is imported again (version 3), and the rescreen task runs twice
    import_list(tmp_path, LISTED)
    assert aml_monitor_rescreen_all() == 0

    # then no match and no webhook is added
    assert matches(monitored) == [("test", 2, "SAN", 100, "FALSE_POSITIVE"), ("test", 2, "PEP", 91, "OPEN")]
    assert len(monitor_events(project)) == 2
    monitored.refresh_from_db()
    assert monitored.screened_versions == {"test": 3}


def test_a_changed_profile_is_raised_again(project, monitored, tmp_path):
    # given the person's matches raised and resolved
    import_list(tmp_path, LISTED)
    for match in AmlMonitorMatch.objects.filter(record=monitored):
        aml_monitor_match_resolve(project=project, match_id=match.pk, resolution="discard", actor=ACTOR)

    # when the list changes the SAN profile (a new alias)
    import_list(tmp_path, LISTED.replace("Анна Мария Эрикссон", "Анна Мария Эрикссон;A. M. Eriksson"))

    # then only that profile is raised again, at the new version
    assert matches(monitored) == [
        ("test", 2, "SAN", 100, "DISCARDED"),
        ("test", 3, "SAN", 100, "OPEN"),
        ("test", 2, "PEP", 91, "DISCARDED"),
    ]
    assert len(monitor_events(project)) == 3


def test_reviewers_see_and_resolve_the_match_on_the_aml_monitoring_page(project, monitored, tmp_path):
    # given a raised match
    import_list(tmp_path, LISTED)
    match = AmlMonitorMatch.objects.get(record=monitored, category="SAN")
    reviewer = member_client(project, Role.REVIEWER)

    # when a reviewer opens the page
    page = reviewer.get(f"/dashboard/p/{project.pid}/submissions/aml-monitoring/")

    # then it lists the match with the person, the profile and the explanation, oldest first
    text = page.content.decode()
    assert page.status_code == 200
    assert monitored.pk in text
    assert "ERIKSSON ANNA MARIA, 1990-01-31, UTO" in text
    assert "Anna Maria Eriksson (test v2," in text
    assert text.index(f'data-match="{match.pk}"') < text.index(f'data-match="{match.pk + 1}"')

    # when they mark it a true positive
    response = reviewer.post(
        f"/dashboard/p/{project.pid}/submissions/aml-monitoring/{match.pk}/", {"resolution": "true_positive"}
    )

    # then it is resolved, in the Event Log, and listed under its status only
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.status == MonitorMatchStatus.TRUE_POSITIVE
    event = AuditEvent.objects.get(project=project, action="submission.aml_monitor_match_resolved")
    assert event.details == {"record": monitored.pk, "match": match.pk, "status": "TRUE_POSITIVE", "category": "SAN",
                             "score": 100}  # fmt: skip
    assert (
        f'data-match="{match.pk}"'
        not in reviewer.get(f"/dashboard/p/{project.pid}/submissions/aml-monitoring/").content.decode()
    )
    assert (
        f'data-match="{match.pk}"'
        in reviewer.get(f"/dashboard/p/{project.pid}/submissions/aml-monitoring/?status=TRUE_POSITIVE").content.decode()
    )


def test_viewers_see_no_person_and_cannot_resolve(project, monitored, tmp_path):
    import_list(tmp_path, LISTED)
    match = AmlMonitorMatch.objects.get(record=monitored, category="SAN")
    viewer = member_client(project, Role.VIEWER)

    text = viewer.get(f"/dashboard/p/{project.pid}/submissions/aml-monitoring/").content.decode()
    response = viewer.post(
        f"/dashboard/p/{project.pid}/submissions/aml-monitoring/{match.pk}/", {"resolution": "true_positive"}
    )

    assert "ERIKSSON" not in text
    assert response.status_code == 403
    match.refresh_from_db()
    assert match.status == MonitorMatchStatus.OPEN


def test_another_project_neither_sees_nor_resolves_the_match(project, monitored, tmp_path):
    import_list(tmp_path, LISTED)
    match = AmlMonitorMatch.objects.get(record=monitored, category="SAN")
    other = ProjectFactory()
    owner = member_client(other, Role.OWNER)

    text = owner.get(f"/dashboard/p/{other.pid}/submissions/aml-monitoring/").content.decode()
    owner.post(f"/dashboard/p/{other.pid}/submissions/aml-monitoring/{match.pk}/", {"resolution": "discard"})

    assert f'data-match="{match.pk}"' not in text
    match.refresh_from_db()
    assert match.status == MonitorMatchStatus.OPEN
    assert not AuditEvent.objects.filter(project=other, action="submission.aml_monitor_match_resolved").exists()


def test_a_rejection_registers_nothing(project, tmp_path, django_capture_on_commit_callbacks):
    from submissions.services import submission_review_reject

    import_list(tmp_path, LISTED)
    monitoring_on(project)
    submission = decided_submission(project, status=SubmissionStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        submission_review_reject(project=project, submission_id=submission.pk, comment="no", actor=ACTOR)

    assert AmlMonitorRecord.objects.filter(project=project).count() == 0
    assert monitor_events(project) == []


def test_deleting_the_submission_deletes_its_records_and_matches(project, monitored, tmp_path):
    import_list(tmp_path, LISTED)

    submission_delete(project=project, submission_id=monitored.submission_id, actor=ACTOR)

    assert AmlMonitorRecord.objects.filter(pk=monitored.pk).count() == 0
    assert AmlMonitorMatch.objects.filter(project=project).count() == 0


def test_turning_monitoring_on_creates_the_default_worklist_shown_on_the_page(project):
    # given a project that never monitored
    owner = member_client(project, Role.OWNER)
    assert AmlWorklist.objects.filter(project=project).count() == 0

    # when monitoring is turned on, twice
    monitoring_on(project)
    monitoring_on(project)

    # then one default worklist exists and the page shows its id for the API
    worklist = AmlWorklist.objects.get(project=project)
    text = owner.get(f"/dashboard/p/{project.pid}/submissions/aml-monitoring/").content.decode()
    assert f'<span class="mono">{worklist.pk}</span> Approved submissions' in text
    assert "Ongoing monitoring is off" not in text
