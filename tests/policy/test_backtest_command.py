"""``manage.py policy_backtest``: stored evidence re-decided under proposed rules/settings; nothing written."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from policy.models import PolicyRuleSet, ProjectPolicy
from projects.models import AuditEvent
from submissions.backtest import submission_policy_backtest
from submissions.models import CheckResult, Submission
from tests.policy.builders import genuine, scored
from tests.policy.stored import stored_submission

CAP = {"id": "cap", "when": [{"condition": "liveness_not_passed"}], "then": {"action": "cap_score", "value": 80}}
STANDARD = {"threshold_preset": "standard"}


@pytest.fixture
def decided(project):
    """Decided under the defaults (Conservative 70, no rules): A 60 pending, B 86 approved, C 50 pending."""
    return [
        stored_submission(project, scored(ocr=0), submission_id="sub_c", minutes_ago=1),
        stored_submission(project, genuine(), submission_id="sub_b", minutes_ago=2),
        stored_submission(project, scored(ocr=2 / 3), submission_id="sub_a", minutes_ago=3),
    ]


def _files(tmp_path, rules=None, settings=None):
    args = []
    if rules is not None:
        (tmp_path / "rules.json").write_text(json.dumps(rules))
        args += ["--rules", str(tmp_path / "rules.json")]
    if settings is not None:
        (tmp_path / "settings.json").write_text(json.dumps(settings))
        args += ["--policy-settings", str(tmp_path / "settings.json")]
    return args


def _state():
    return (
        sorted(Submission.objects.values_list("id", "status", "argos_score", "rules_version", "updated_at")),
        Submission.objects.count(),
        CheckResult.objects.count(),
        PolicyRuleSet.objects.count(),
        ProjectPolicy.objects.count(),
        AuditEvent.objects.count(),
    )


def test_it_prints_the_table_and_each_change_with_its_reasons(project, decided, tmp_path):
    # given
    out = io.StringIO()

    # when
    call_command("policy_backtest", "--project", project.pid, *_files(tmp_path, [CAP], STANDARD), stdout=out)

    # then: A 60 and C 50 now reach Standard's 50; B is capped from 86 to 80, still approved
    assert out.getvalue() == (
        f"Rules version 1, project {project.pid}\n"
        "Back-test: 3 submissions, 2 decisions change, 1 score-only changes, 0 not decided\n"
        "\n"
        "from \\ to     approved   pending  rejected\n"
        "approved             1         0         0\n"
        "pending              2         0         0\n"
        "rejected             0         0         0\n"
        "\n"
        "Changes:\n"
        "sub_c  pending score 50 -> approved score 50\n"
        "    rule cap fires: cap_score value=80 because liveness not_performed\n"
        "    score 50 -> 50, threshold 70 -> 50\n"
        "sub_a  pending score 60 -> approved score 60\n"
        "    rule cap fires: cap_score value=80 because liveness not_performed\n"
        "    score 60 -> 60, threshold 70 -> 50\n"
    )


def test_it_writes_nothing(project, decided, tmp_path):
    # given
    before = _state()

    # when
    call_command(
        "policy_backtest", "--project", project.pid, *_files(tmp_path, [CAP], STANDARD), "--json", stdout=io.StringIO()
    )

    # then
    assert _state() == before


def test_last_n_takes_the_newest_decisions_and_json_has_the_same_report(project, decided, tmp_path):
    # given
    out = io.StringIO()

    # when
    call_command("policy_backtest", "--project", project.pid, "--last", "2", *_files(tmp_path, settings=STANDARD),
                 "--json", stdout=out)  # fmt: skip

    # then: C and B only; without new rules the current (none) apply
    report = json.loads(out.getvalue())
    assert (report["total"], report["rules_version"], report["score_only"]) == (2, 0, 0)
    assert [change["submission_id"] for change in report["changes"]] == ["sub_c"]
    assert report["transitions"] == [["approved", "approved", 1], ["pending", "approved", 1]]
    assert report == submission_policy_backtest(project=project, settings_changes=STANDARD, last=2).to_json()


def test_a_submission_whose_data_was_deleted_is_skipped(project, decided):
    # given
    Submission.objects.filter(pk="sub_b").update(wrapped_data_key=None)

    # when
    result = submission_policy_backtest(project=project, settings_changes=STANDARD)

    # then
    assert result.report.total == 2
    assert result.skipped == (("sub_b", "its data was deleted (data key destroyed)"),)


def test_invalid_rules_or_settings_are_reported_with_their_paths(project, decided, tmp_path):
    bad = [{**CAP, "then": {"action": "cap_score", "value": 101}}]
    with pytest.raises(CommandError, match=r"rules\[0\]\.then\.value: must be a whole number from 0 to 100"):
        call_command("policy_backtest", "--project", project.pid, *_files(tmp_path, bad))
    with pytest.raises(CommandError, match="threshold_preset: must be one of"):
        call_command("policy_backtest", "--project", project.pid, *_files(tmp_path, settings={"threshold_preset": "x"}))
