"""Custom rules: every condition kind, every action, the validator's errors, the version."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from policy.engine import decide
from policy.evidence import (
    AgeEstimateEvidence,
    LivenessEvidence,
    NetworkEvidence,
    ThirdPartyCheck,
    ThirdPartyEvidence,
)
from policy.reject_codes import REJECT_CODES, reject_comment
from policy.rules import CONDITIONS, RulesError, RuleSet, validate_rules
from policy.settings import PolicySettings
from tests.policy.builders import change, genuine, match, with_document, with_fields, with_warnings

DEFAULTS = PolicySettings()
FACE_AGE_16 = AgeEstimateEvidence(available=True, years=16.0)


def _third_party(*checks: tuple[str, str]):
    found = tuple(ThirdPartyCheck(provider, status) for provider, status in checks)
    return dataclasses.replace(genuine(), third_party=ThirdPartyEvidence(found))


def _one_rule(condition: dict, then: dict | None = None, version: int = 7) -> RuleSet:
    then = then or {"action": "force_status", "status": "pending"}
    return validate_rules({"version": version, "rules": [{"id": "r1", "when": [condition], "then": then}]})


# (condition, evidence where it holds, evidence where it does not); genuine() is 86, 35 years old
CONDITION_CASES = [
    (
        {"condition": "ocr_confidence_below", "value": 0.95},
        genuine(),  # 0.9
        with_document(genuine(), ocr_confidence=0.95),
    ),
    (
        {"condition": "face_similarity_below", "value": 60},
        genuine(),  # 55.4
        change(genuine(), "face", similarity=60.0),
    ),
    (
        {"condition": "fields_edited"},
        with_document(genuine(), edited_fields=("given_names",)),
        genuine(),
    ),
    (
        {"condition": "fields_edited", "fields": ["surname", "birth_date"]},
        with_document(genuine(), edited_fields=("birth_date",)),
        with_document(genuine(), edited_fields=("given_names",)),
    ),
    (
        {"condition": "warning_raised", "code": "suspected_screen_capture"},
        with_warnings(genuine(), ("suspected_screen_capture", 0.1)),
        with_warnings(genuine(), ("suspected_photocopy", 0.9)),
    ),
    (
        {"condition": "warning_raised", "code": "suspected_screen_capture", "min_confidence": 0.7},
        with_warnings(genuine(), ("suspected_screen_capture", 0.7)),
        with_warnings(genuine(), ("suspected_screen_capture", 0.69)),
    ),
    (
        {"condition": "issuing_country_in", "countries": ["KOR", "UTO"]},
        genuine(),
        with_fields(genuine(), issuing_country="USA"),
    ),
    (
        {"condition": "id_type_in", "types": ["passport"]},
        genuine(),
        with_document(genuine(), id_type="drivers_license"),
    ),
    ({"condition": "score_between", "min": 86, "max": 90}, genuine(), with_document(genuine(), ocr_confidence=0.0)),
    ({"condition": "score_between", "min": 70, "max": 86}, genuine(), with_document(genuine(), ocr_confidence=1.0)),
    (
        {"condition": "liveness_not_passed"},
        genuine(),
        dataclasses.replace(genuine(), liveness=LivenessEvidence("passed", 0.9)),
    ),
    (
        {"condition": "age_below", "years": 36},
        genuine(),  # 35 on 2025-06-01
        with_fields(genuine(), birth_date=dt.date(1989, 6, 1)),  # 36 that day
    ),
    (
        {"condition": "age_below", "years": 18, "source": "face"},
        dataclasses.replace(genuine(), age_estimate=FACE_AGE_16),
        genuine(),  # no age estimate: does not hold
    ),
    (
        {"condition": "duplicate_found"},
        change(genuine(), "duplicates", face=(match("s-9", "rejected"),)),
        genuine(),
    ),
    (
        {"condition": "duplicate_found", "kinds": ["di"]},
        change(genuine(), "duplicates", di=(match("s-9"),)),
        change(genuine(), "duplicates", custom_di=(match("s-9"),)),
    ),
    (
        {"condition": "network_flagged", "kinds": ["proxy"], "min_risk": 50},
        dataclasses.replace(genuine(), network=NetworkEvidence(True, ("proxy",), 50.0)),
        dataclasses.replace(genuine(), network=NetworkEvidence(True, ("proxy",), 49.9)),
    ),
    (
        {"condition": "third_party_status", "status": "unavailable"},
        _third_party(("registry:a", "match"), ("registry:b", "unavailable")),
        _third_party(("registry:a", "match")),
    ),
    (
        {"condition": "third_party_status", "status": "match", "providers": ["registry:b"]},
        _third_party(("registry:b", "match")),
        _third_party(("registry:a", "match"), ("registry:b", "unavailable")),
    ),
]


@pytest.mark.parametrize(
    ("condition", "holds", "fails"), CONDITION_CASES, ids=[c[0]["condition"] for c in CONDITION_CASES]
)
def test_each_condition_fires_when_it_holds_and_only_then(condition, holds, fails):
    # given
    rules = _one_rule(condition)

    # when
    fired, quiet = decide(holds, DEFAULTS, rules), decide(fails, DEFAULTS, rules)

    # then
    assert (fired.status, fired.deciding, fired.rules_fired) == ("pending", "rule:r1", ("r1",))
    assert (quiet.status, quiet.deciding, quiet.rules_fired) == ("approved", "threshold", ())


def test_every_condition_kind_is_tested():
    assert {case[0]["condition"] for case in CONDITION_CASES} == set(CONDITIONS)


def test_a_rule_needs_every_condition():
    rules = validate_rules(
        {
            "version": 1,
            "rules": [
                {
                    "id": "both",
                    "when": [
                        {"condition": "issuing_country_in", "countries": ["UTO"]},
                        {"condition": "ocr_confidence_below", "value": 0.5},
                    ],
                    "then": {"action": "force_status", "status": "pending"},
                }
            ],
        }
    )

    assert decide(genuine(), DEFAULTS, rules).status == "approved"
    assert decide(with_document(genuine(), ocr_confidence=0.4), DEFAULTS, rules).status == "pending"


@pytest.mark.parametrize(
    ("actions", "score", "status"),
    [
        ([{"action": "cap_score", "value": 69}], 69, "pending"),
        ([{"action": "cap_score", "value": 90}], 86, "approved"),  # a cap above the score changes nothing
        ([{"action": "penalty", "points": 16}], 70, "approved"),
        ([{"action": "penalty", "points": 17}], 69, "pending"),
        ([{"action": "cap_score", "value": 80}, {"action": "cap_score", "value": 75}], 75, "approved"),
        ([{"action": "cap_score", "value": 75}, {"action": "penalty", "points": 5}], 70, "approved"),
        ([{"action": "penalty", "points": 60}, {"action": "penalty", "points": 60}], 0, "pending"),
    ],
)
def test_caps_and_penalties_combine_regardless_of_order(actions, score, status):
    # given: every rule fires on the base score 86
    always = {"condition": "score_between", "min": 0, "max": 100}
    rules = validate_rules(
        {"version": 1, "rules": [{"id": f"r{i}", "when": [always], "then": a} for i, a in enumerate(actions)]}
    )

    # when
    decision = decide(genuine(), DEFAULTS, rules)

    # then
    assert (decision.base_score, decision.score, decision.status) == (86, score, status)


@pytest.mark.parametrize(("forced", "expected"), [("approved", "approved"), ("pending", "pending")])
def test_force_status_overrides_the_threshold(forced, expected):
    rules = _one_rule(
        {"condition": "score_between", "min": 0, "max": 100}, {"action": "force_status", "status": forced}
    )

    assert decide(with_document(genuine(), ocr_confidence=0.0, kind="card_front"), DEFAULTS, rules).status == expected
    assert decide(genuine(), DEFAULTS, rules).status == expected


def test_force_approved_never_overrides_a_hard_check_or_a_review_cause():
    rules = _one_rule(
        {"condition": "score_between", "min": 0, "max": 100}, {"action": "force_status", "status": "approved"}
    )
    expired = with_fields(genuine(), expiry_date=dt.date(2020, 1, 1))
    not_matched = change(genuine(), "face", similarity=20.0, match=False)

    assert decide(expired, DEFAULTS, rules).reject_code == "expired_id"
    assert decide(not_matched, DEFAULTS, rules).deciding == "review:face_not_matched"


def test_rejected_beats_pending_beats_approved_among_rules():
    always = {"condition": "score_between", "min": 0, "max": 100}
    rules = validate_rules(
        {
            "version": 1,
            "rules": [
                {"id": "a", "when": [always], "then": {"action": "force_status", "status": "approved"}},
                {"id": "p", "when": [always], "then": {"action": "force_status", "status": "pending"}},
                {
                    "id": "x",
                    "when": [always],
                    "then": {"action": "force_status", "status": "rejected", "reject_code": "id_image_invalidId"},
                },
            ],
        }
    )

    decision = decide(genuine(), DEFAULTS, rules)

    assert (decision.status, decision.reject_code, decision.deciding) == ("rejected", "id_image_invalidId", "rule:x")
    assert decision.rules_fired == ("a", "p", "x")


@pytest.mark.parametrize("code", [c for c in REJECT_CODES if c != "other"])
def test_a_rule_can_reject_with_any_spec_code_and_its_exact_comment(code):
    rules = _one_rule(
        {"condition": "score_between", "min": 0, "max": 100},
        {"action": "force_status", "status": "rejected", "reject_code": code},
    )

    decision = decide(genuine(), PolicySettings(age_limit=21), rules)

    assert (decision.reject_code, decision.reject_comment) == (code, reject_comment(code, age_limit=21))


def test_a_rule_rejecting_with_other_carries_its_comment():
    then = {"action": "force_status", "status": "rejected", "reject_code": "other", "comment": "Ask support."}
    decision = decide(genuine(), DEFAULTS, _one_rule({"condition": "liveness_not_passed"}, then))

    assert decision.kyc() == {"result": "rejected", "comment": ["Ask support."], "commentCode": ["other"]}


def test_the_decision_carries_the_rules_version_and_the_reasons():
    decision = decide(genuine(), DEFAULTS, _one_rule({"condition": "ocr_confidence_below", "value": 0.95}, version=12))

    assert decision.rules_version == 12
    assert [(s.name, s.detail) for s in decision.trace if s.kind == "rule"] == [
        ("r1", "force_status status=pending because OCR confidence 0.9 below 0.95")
    ]


def test_without_rules_the_version_is_0():
    assert decide(genuine(), DEFAULTS).rules_version == 0


def test_a_rule_set_round_trips_through_json():
    data = {
        "version": 3,
        "rules": [
            {
                "id": "screen",
                "description": "screens go to review",
                "when": [{"condition": "warning_raised", "code": "suspected_screen_capture", "min_confidence": 0.7}],
                "then": {"action": "force_status", "status": "pending"},
            },
            {
                "id": "cap",
                "when": [{"condition": "fields_edited", "fields": ["surname"]}],
                "then": {"action": "cap_score", "value": 60},
            },
        ],
    }

    assert validate_rules(data).to_json() == data
    assert validate_rules(validate_rules(data).to_json()) == validate_rules(data)


def _rule(**parts) -> dict:
    rule = {"id": "r1", "when": [{"condition": "liveness_not_passed"}], "then": {"action": "penalty", "points": 5}}
    return {"version": 1, "rules": [{**rule, **parts}]}


@pytest.mark.parametrize(
    ("data", "issues"),
    [
        ([], ["<root>: must be an object with 'version' and 'rules'"]),
        ({"version": 0, "rules": []}, ["version: must be a whole number of at least 1, got 0"]),
        ({"version": True, "rules": []}, ["version: must be a whole number of at least 1, got True"]),
        ({"version": 1, "rules": {}}, ["rules: must be a list, got {}"]),
        ({"version": 1, "rules": [], "extra": 1}, ["extra: unknown key"]),
        ({"version": 1, "rules": ["x"]}, ["rules[0]: must be an object with 'id', 'when' and 'then'"]),
        (_rule(id="Bad Id"), ["rules[0].id: must be 1–64 of a-z, 0-9, '-', '_', got 'Bad Id'"]),
        (_rule(when=[]), ["rules[0].when: must be a non-empty list of conditions"]),
        (
            _rule(when=[{"condition": "ocr_below"}]),
            ["rules[0].when[0].condition: unknown condition 'ocr_below'; one of " + ", ".join(CONDITIONS)],
        ),
        (
            _rule(when=[{"condition": "ocr_confidence_below"}]),
            ["rules[0].when[0].value: is required by condition ocr_confidence_below"],
        ),
        (
            _rule(when=[{"condition": "ocr_confidence_below", "value": 60}]),
            ["rules[0].when[0].value: must be a number from 0 to 1, got 60"],
        ),
        (
            _rule(when=[{"condition": "issuing_country_in", "countries": ["KOR", "kr"]}]),
            ["rules[0].when[0].countries: item 1 must be an ISO 3166-1 alpha-3 code in capitals, got 'kr'"],
        ),
        (
            _rule(when=[{"condition": "score_between", "min": 80, "max": 70}]),
            ["rules[0].when[0].max: must not be below min (80), got 70"],
        ),
        (
            _rule(when=[{"condition": "age_below", "years": 18, "source": "selfie"}]),
            ["rules[0].when[0].source: must be one of document, face, got 'selfie'"],
        ),
        (
            _rule(when=[{"condition": "liveness_not_passed", "value": 1}]),
            ["rules[0].when[0].value: unknown key"],
        ),
        (
            _rule(then={"action": "penalty", "points": 0}),
            ["rules[0].then.points: must be a whole number from 1 to 100, got 0"],
        ),
        (
            _rule(then={"action": "cap_score", "value": 70.5}),
            ["rules[0].then.value: must be a whole number from 0 to 100, got 70.5"],
        ),
        (
            _rule(then={"action": "force_status", "status": "rejected"}),
            ["rules[0].then.reject_code: is required when status is rejected"],
        ),
        (
            _rule(then={"action": "force_status", "status": "pending", "reject_code": "timeout"}),
            ["rules[0].then.reject_code: is only allowed when status is rejected, not pending"],
        ),
        (
            _rule(then={"action": "force_status", "status": "rejected", "reject_code": "too_many_retries"}),
            ["rules[0].then.reject_code: must be one of " + ", ".join(REJECT_CODES) + ", got 'too_many_retries'"],
        ),
        (
            _rule(then={"action": "force_status", "status": "rejected", "reject_code": "other"}),
            ["rules[0].then.comment: is required with reject_code other"],
        ),
        (
            _rule(then={"action": "force_status", "status": "rejected", "reject_code": "timeout", "comment": "x"}),
            ["rules[0].then.comment: is only allowed with reject_code other"],
        ),
        (
            _rule(then={"action": "approve"}),
            ["rules[0].then.action: unknown action 'approve'; one of cap_score, penalty, force_status"],
        ),
        (
            {"version": 1, "rules": [_rule()["rules"][0], _rule()["rules"][0]]},
            ["rules[1].id: 'r1' is already the id of rules[0]"],
        ),
        (
            _rule(id="", when=[{"condition": "ocr_confidence_below", "value": -1}], then=None),
            [
                "rules[0].id: must be 1–64 of a-z, 0-9, '-', '_', got ''",
                "rules[0].when[0].value: must be a number from 0 to 1, got -1",
                "rules[0].then: must be an object with 'action'",
            ],
        ),
    ],
)
def test_the_validator_names_the_path_and_the_reason(data, issues):
    # when
    with pytest.raises(RulesError) as raised:
        validate_rules(data)

    # then
    assert [str(issue) for issue in raised.value.issues] == issues
