"""Custom rule sets: published as numbered, immutable versions; the newest decides."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction

from policy.errors import InvalidPolicyRules, RulesVersionConflict
from policy.models import PolicyRuleSet
from policy.selectors import project_policy
from policy.services import policy_rules_publish
from projects.actors import Actor
from projects.models import AuditEvent
from tests.factories import ProjectFactory

ACTOR = Actor.system("test")
LOW_OCR = {
    "id": "low-ocr",
    "when": [{"condition": "ocr_confidence_below", "value": 0.6}],
    "then": {"action": "force_status", "status": "pending"},
}
CAP = {"id": "cap", "when": [{"condition": "liveness_not_passed"}], "then": {"action": "cap_score", "value": 80}}


def test_versions_are_numbered_per_project_and_the_newest_is_current(project):
    # when
    first = policy_rules_publish(project=project, document=[LOW_OCR], actor=ACTOR)
    second = policy_rules_publish(project=project, document={"version": 9, "rules": [LOW_OCR, CAP]}, actor=ACTOR)
    other = policy_rules_publish(project=ProjectFactory(), document=[CAP], actor=ACTOR)

    # then
    assert (first.version, second.version, other.version) == (1, 2, 1)
    settings, rules = project_policy(project)
    assert rules.version == 2
    assert [rule.id for rule in rules.rules] == ["low-ocr", "cap"]
    assert second.rules["version"] == 2
    event = AuditEvent.objects.filter(project=project, action="policy.rules_published").latest("sequence")
    assert (event.target_type, event.target_id) == ("policy_rule_set", "2")
    assert event.details == {"version": 2, "previous_version": 1, "rules": 2}


def test_a_project_without_rules_decides_with_none(project):
    assert project_policy(project)[1] is None


def test_invalid_rules_are_refused_with_every_path_and_nothing_is_stored(project):
    # given
    bad = [
        {"id": "a", "when": [{"condition": "ocr_confidence_below", "value": 2}], "then": {"action": "penalty"}},
        {"id": "a", "when": [], "then": {"action": "cap_score", "value": 50}},
    ]

    # when
    with pytest.raises(InvalidPolicyRules) as raised:
        policy_rules_publish(project=project, document=bad, actor=ACTOR)

    # then
    paths = {problem["path"]: problem["reason"] for problem in raised.value.extra["errors"]}
    assert paths == {
        "rules[0].when[0].value": "must be a number from 0 to 1, got 2",
        "rules[0].then.points": "is required by action penalty",
        "rules[1].when": "must be a non-empty list of conditions",
    }
    assert not PolicyRuleSet.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_published_version_cannot_be_changed_in_the_database(project):
    # given
    published = policy_rules_publish(project=project, document=[LOW_OCR], actor=ACTOR)

    # when / then
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        PolicyRuleSet.objects.filter(pk=published.pk).update(rules={"version": 1, "rules": []})
    published.refresh_from_db()
    assert published.rules["rules"][0]["id"] == "low-ocr"


def test_publishing_over_a_version_published_meanwhile_is_refused(project):
    # given
    policy_rules_publish(project=project, document=[LOW_OCR], actor=ACTOR)
    policy_rules_publish(project=project, document=[CAP], actor=ACTOR, based_on_version=1)

    # when / then
    with pytest.raises(RulesVersionConflict):
        policy_rules_publish(project=project, document=[LOW_OCR, CAP], actor=ACTOR, based_on_version=1)
    assert PolicyRuleSet.objects.filter(project=project).count() == 2


def test_the_policy_rules_command_publishes_shows_and_lists(project, tmp_path):
    # given
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"rules": [LOW_OCR]}))

    # when
    call_command("policy_rules", project.pid, "--publish", str(path), stderr=io.StringIO())
    shown, history = io.StringIO(), io.StringIO()
    call_command("policy_rules", project.pid, stdout=shown)
    call_command("policy_rules", project.pid, "--history", stdout=history)

    # then
    assert '"id": "low-ocr"' in shown.getvalue()
    assert history.getvalue().startswith("v1  ")
    assert "cli" in history.getvalue()


def test_the_policy_rules_command_prints_each_problem_with_its_path(project, tmp_path):
    path = tmp_path / "rules.json"
    path.write_text('[{"id": "Bad Id", "when": [{"condition": "nope"}], "then": {"action": "cap_score"}}]')

    with pytest.raises(CommandError) as raised:
        call_command("policy_rules", project.pid, "--publish", str(path))

    assert str(raised.value).splitlines() == [
        "rules[0].id: must be 1–64 of a-z, 0-9, '-', '_', got 'Bad Id'",
        "rules[0].when[0].condition: unknown condition 'nope'; one of ocr_confidence_below, face_similarity_below, "
        "fields_edited, warning_raised, issuing_country_in, id_type_in, score_between, liveness_not_passed, "
        "age_below, duplicate_found, network_flagged, third_party_status",
        "rules[0].then.value: is required by action cap_score",
    ]
    assert not PolicyRuleSet.objects.exists()
