"""The worker's own approval screens the person too (``process.outcome_emit``), end to end on
the passport specimen: the real run reads the name, the list names that person, Red Flag."""

from __future__ import annotations

from django.test import Client

from projects.services import project_settings_update
from submissions.models import AmlScreening, SubmissionStatus
from submissions.services import submission_process
from submissions.services.aml import screened_person
from tests.conftest import TEST_HOST, sign_in
from tests.factories import MembershipFactory, ProjectFactory, TOTPDeviceFactory
from tests.submissions.test_aml_screening import ACTOR, _eager, aml_events, import_list  # noqa: F401 (the fixture)
from tests.submissions.test_process_run import _passport_submission


def _list_the_specimens_holder(tmp_path, category: str) -> None:
    """A watch list naming the specimen's holder as the run reads them (a run in another project)."""
    probe = _passport_submission(ProjectFactory(credits=1))
    submission_process(submission_id=probe.pk)
    probe.refresh_from_db()
    person = screened_person(probe)
    import_list(tmp_path, "name,aliases,birth_date,nationality,category,source\n"
                          f"{person.name},,{person.birth_date},{person.nationality},{category},test\n")  # fmt: skip


def _approved_in_a_screening_project(capture_on_commit) -> tuple[object, object]:
    """The specimen approved by the worker in a project that screens on approval."""
    project = ProjectFactory(credits=1)
    project_settings_update(project=project, changes={"aml_screening": True}, actor=ACTOR)
    submission = _passport_submission(project)
    with capture_on_commit(execute=True):
        submission_process(submission_id=submission.pk)
    submission.refresh_from_db()
    return project, submission


def test_an_automatic_approval_of_a_listed_person_raises_a_red_flag(db, tmp_path, django_capture_on_commit_callbacks):
    # given the specimen's holder on a sanctions list
    _list_the_specimens_holder(tmp_path, "SAN")

    # when the worker approves it in a project screening on approval
    _, submission = _approved_in_a_screening_project(django_capture_on_commit_callbacks)

    # then the approval was followed by a Red Flag and the aml webhook
    assert submission.status == SubmissionStatus.APPROVED
    assert AmlScreening.objects.get(submission=submission).current_status == "Red Flag"
    assert aml_events(submission)[0]["aml_result"] == {"currentstatus": "Red Flag", "risk_level_summary": "HIGH"}


def test_the_submission_page_shows_the_red_flag_and_its_profiles(db, tmp_path, django_capture_on_commit_callbacks):
    # given: a listed person approved and screened, as above
    _list_the_specimens_holder(tmp_path, "PEP")
    project, submission = _approved_in_a_screening_project(django_capture_on_commit_callbacks)
    owner = MembershipFactory(project=project).user
    TOTPDeviceFactory(user=owner)

    # when
    page = sign_in(Client(HTTP_HOST=TEST_HOST), owner).get(f"/dashboard/p/{project.pid}/submissions/{submission.pk}/")

    # then
    text = page.content.decode()
    screening = AmlScreening.objects.get(submission=submission)
    [match] = screening.matches.all()
    assert "<dt>Result</dt><dd>Red Flag (risk MEDIUM)</dd>" in text  # a PEP is a medium risk (docs/aml.md)
    assert f"<td>{match.resource_id}</td><td>PEP</td><td>{match.score}</td>" in text
