"""Back-test over a hand-computed table: which decisions change, from what to what, and why.

Old policy: defaults (Conservative 70, no rules). New policy: Standard 50 and rules v2
(``weak-ocr``: OCR below 0.5 caps the score at 45; ``screen``: a screen capture at 0.7 or more
rejects with ``id_image_invalidId``).

| id  | evidence                         | old                   | new                                   |
|-----|----------------------------------|-----------------------|---------------------------------------|
| s-1 | genuine, 86                      | approved 86           | approved 86 (unchanged)               |
| s-2 | OCR 0, no selfie: 50             | pending 50            | pending 45: weak-ocr cap (score only) |
| s-3 | OCR 0.6, no selfie: 50 + 9 = 59  | pending 59            | approved 59: threshold 70 -> 50       |
| s-4 | genuine but expired              | rejected expired_id   | rejected expired_id (unchanged)       |
| s-5 | genuine + screen 0.8: 86 - 8     | approved 78           | rejected id_image_invalidId: screen   |
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from policy.backtest import backtest
from policy.engine import decide
from policy.rules import validate_rules
from policy.settings import PolicySettings
from tests.policy.builders import CREATED_AT, genuine, scored, with_fields, with_warnings

OLD = PolicySettings()
NEW = PolicySettings(threshold_preset="standard")
RULES = validate_rules(
    {
        "version": 2,
        "rules": [
            {
                "id": "weak-ocr",
                "when": [{"condition": "ocr_confidence_below", "value": 0.5}],
                "then": {"action": "cap_score", "value": 45},
            },
            {
                "id": "screen",
                "when": [{"condition": "warning_raised", "code": "suspected_screen_capture", "min_confidence": 0.7}],
                "then": {"action": "force_status", "status": "rejected", "reject_code": "id_image_invalidId"},
            },
        ],
    }
)
EVIDENCE = {
    "s-1": genuine(),
    "s-2": scored(0.0, None),
    "s-3": scored(0.6, None),
    "s-4": with_fields(genuine(), expiry_date=dt.date(2024, 1, 1)),
    "s-5": with_warnings(genuine(), ("suspected_screen_capture", 0.8)),
}


def _items():
    return [(sid, evidence, decide(evidence, OLD)) for sid, evidence in EVIDENCE.items()]


def test_the_old_decisions_are_the_table_s_old_column():
    assert [(sid, d.status, d.reject_code, d.score) for sid, _, d in _items()] == [
        ("s-1", "approved", None, 86),
        ("s-2", "pending", None, 50),
        ("s-3", "pending", None, 59),
        ("s-4", "rejected", "expired_id", 86),
        ("s-5", "approved", None, 78),
    ]


def test_the_backtest_lists_the_changes_and_why():
    # when
    report = backtest(_items(), NEW, RULES)

    # then
    assert (report.total, report.score_only, report.not_decided) == (5, 1, ())
    assert [
        (c.submission_id, c.old_status, c.new_status, c.new_code, c.old_score, c.new_score) for c in report.changes
    ] == [
        ("s-3", "pending", "approved", None, 59, 59),
        ("s-5", "approved", "rejected", "id_image_invalidId", 78, 78),
    ]
    assert report.changes[0].reasons == ("score 59 -> 59, threshold 70 -> 50",)
    assert report.changes[1].reasons == (
        "decided by rule:screen (was threshold)",
        "rule screen fires: force_status status=rejected reject_code=id_image_invalidId because"
        " suspected_screen_capture at 0.8 (minimum 0.7)",
        "score 78 -> 78, threshold 70 -> 50",
    )
    assert report.transitions == (
        ("approved", "approved", 1),
        ("approved", "rejected", 1),
        ("pending", "approved", 1),
        ("pending", "pending", 1),
        ("rejected", "rejected", 1),
    )


def test_the_same_policy_changes_nothing():
    report = backtest(_items(), OLD)

    assert (report.changes, report.score_only) == ((), 0)
    assert sum(count for _, _, count in report.transitions) == 5


def test_a_rule_that_no_longer_fires_is_named():
    # given: decided under the new policy, re-run under the old one
    items = [(sid, evidence, decide(evidence, NEW, RULES)) for sid, evidence in EVIDENCE.items()]

    # when
    report = backtest(items, OLD)

    # then
    assert [c.submission_id for c in report.changes] == ["s-3", "s-5"]
    assert report.changes[1].reasons[:2] == ("decided by threshold (was rule:screen)", "rule screen no longer fires")


def test_an_incomplete_submission_inside_its_timeout_is_not_decided():
    evidence = genuine()
    waiting = dataclasses.replace(evidence.timestamps, submitted_at=None, evaluated_at=CREATED_AT)
    items = [("s-9", dataclasses.replace(evidence, timestamps=waiting), decide(evidence, OLD))]

    report = backtest(items, OLD)

    assert (report.total, report.transitions, report.not_decided) == (
        1,
        (),
        (("s-9", "incomplete for 0:00:00, timeout after 24 h"),),
    )


def test_the_text_report():
    text = backtest(_items(), NEW, RULES).to_text()

    assert text == (
        "Back-test: 5 submissions, 2 decisions change, 1 score-only changes, 0 not decided\n"
        "\n"
        "from \\ to     approved   pending  rejected\n"
        "approved             1         0         1\n"
        "pending              1         1         0\n"
        "rejected             0         0         1\n"
        "\n"
        "Changes:\n"
        "s-3  pending score 59 -> approved score 59\n"
        "    score 59 -> 59, threshold 70 -> 50\n"
        "s-5  approved score 78 -> rejected (id_image_invalidId) score 78\n"
        "    decided by rule:screen (was threshold)\n"
        "    rule screen fires: force_status status=rejected reject_code=id_image_invalidId because"
        " suspected_screen_capture at 0.8 (minimum 0.7)\n"
        "    score 78 -> 78, threshold 70 -> 50\n"
    )


def test_the_json_report_is_plain_json():
    data = json.loads(json.dumps(backtest(_items(), NEW, RULES).to_json()))

    assert data["transitions"][1] == ["approved", "rejected", 1]
    assert data["changes"][1]["new_code"] == "id_image_invalidId"
