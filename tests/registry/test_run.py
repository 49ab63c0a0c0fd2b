"""The verification run with a registry provider configured (the passport specimen of
tests/submissions/test_process_run.py: HORVATH TOMAS, EST, 145454284, born 1996-02-17)."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management import call_command

from projects.settings_registry import get_setting
from submissions.models import CheckResult
from submissions.selectors import submission_view
from submissions.services import submission_process
from tests.factories import ProjectFactory
from tests.submissions.test_process_run import EXPECTED_SCORE, _passport_submission

HEADER = "surname,given_names,birth_date,document_number,nationality\n"
ALL = ["document_number", "birth_date", "surname", "given_names", "nationality"]


def _project_with_registry(tmp_path: Path, rows: str):
    path = tmp_path / "gov.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    call_command("import_identity_registry", str(path), "--name", "gov", stdout=io.StringIO())
    project = ProjectFactory(credits=1)
    get_setting("third_party_providers").write(project, ["registry:gov"])
    return project


def test_a_registry_match_is_stored_as_a_step_and_the_passport_is_approved(db, tmp_path):
    # given
    project = _project_with_registry(tmp_path, "Horváth,Tomas,1996-02-17,145454284,EST\n")
    submission = _passport_submission(project)

    # when
    submission_process(submission_id=submission.id)

    # then
    submission.refresh_from_db()
    assert (submission.status, submission.argos_score) == ("approved", EXPECTED_SCORE)
    step = CheckResult.objects.get(submission=submission, step="third_party")
    assert step.outcome == "match"
    [summary] = step.summary["results"]
    assert {key: summary[key] for key in ("provider", "status", "matched", "compared")} == {
        "provider": "registry:gov",
        "status": "match",
        "matched": ALL,
        "compared": ALL,
    }
    assert "HORVATH" not in str(step.summary)
    assert "145454284" not in str(step.summary)
    check = submission_view(submission).evidence.third_party.checks[0]
    assert (check.provider, check.status, check.matched) == ("registry:gov", "match", tuple(ALL))


def test_a_registry_mismatch_sends_the_passport_to_review(db, tmp_path):
    # given: the registry knows the document number with another birth date
    project = _project_with_registry(tmp_path, "Horvath,Tomas,1996-02-18,145454284,EST\n")
    submission = _passport_submission(project)

    # when
    submission_process(submission_id=submission.id)

    # then
    submission.refresh_from_db()
    view = submission_view(submission)
    assert (submission.status, submission.argos_score, view.decision["deciding"]) == (
        "pending",
        EXPECTED_SCORE,
        "review:third_party_no_match",
    )
    assert CheckResult.objects.get(submission=submission, step="third_party").outcome == "no_match"
    [line] = [step for step in view.decision["trace"] if step["name"] == "third_party_no_match"]
    assert line["detail"] == (
        "registry:gov: matched document_number, surname, given_names, nationality of "
        "document_number, birth_date, surname, given_names, nationality"
    )
