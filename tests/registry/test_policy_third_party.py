"""The evidence's ``third_party`` section and what the policy does with it (pure)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from policy.engine import decide
from policy.evidence import Evidence, EvidenceError, ThirdPartyCheck, ThirdPartyEvidence
from policy.settings import PolicySettings
from tests.policy.builders import genuine

CHECKED = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
ALL = ("document_number", "birth_date", "surname", "given_names", "nationality")


def _with(*checks: ThirdPartyCheck) -> Evidence:
    return dataclasses.replace(genuine(), third_party=ThirdPartyEvidence(checks))


def _steps(decision) -> list[tuple[str, str, str]]:
    return [(s.kind, s.name, s.detail) for s in decision.trace if s.name.startswith("third_party")]


def test_a_match_changes_nothing():
    decision = decide(_with(ThirdPartyCheck("registry:gov", "match", ALL[:3], ALL, None, CHECKED)), PolicySettings())

    assert (decision.status, decision.score, decision.deciding) == ("approved", 86, "threshold")
    assert _steps(decision) == []


def test_no_match_sends_to_review_with_a_trace_line():
    check = ThirdPartyCheck("registry:gov", "no_match", ("document_number", "surname"), ALL, None, CHECKED)

    decision = decide(_with(check), PolicySettings())

    assert (decision.status, decision.score, decision.deciding) == ("pending", 86, "review:third_party_no_match")
    assert decision.reviewer == "staff"
    assert _steps(decision) == [
        (
            "review",
            "third_party_no_match",
            "registry:gov: matched document_number, surname of "
            "document_number, birth_date, surname, given_names, nationality",
        )
    ]


def test_unavailable_is_a_note_only():
    check = ThirdPartyCheck("registry:gov", "unavailable", reason="the document gave no birth_date")

    decision = decide(_with(check), PolicySettings())

    assert (decision.status, decision.deciding) == ("approved", "threshold")
    assert _steps(decision) == [("note", "third_party_unavailable", "registry:gov: the document gave no birth_date")]


def test_the_section_round_trips_through_json():
    evidence = _with(ThirdPartyCheck("registry:gov", "no_match", ("surname",), ALL, None, CHECKED))

    data = evidence.to_json()

    assert data["third_party"] == {
        "checks": [
            {
                "provider": "registry:gov",
                "status": "no_match",
                "matched": ["surname"],
                "compared": list(ALL),
                "reason": None,
                "checked_at": "2025-06-01T12:00:00+00:00",
            }
        ]
    }
    assert Evidence.from_json(evidence.dumps()) == evidence


def test_evidence_stored_before_the_section_existed_still_loads():
    # given: stored JSON of the previous shape (no "third_party" key)
    old = genuine().to_json()
    del old["third_party"]

    # when
    loaded = Evidence.from_json(old)

    # then
    assert loaded.third_party == ThirdPartyEvidence(checks=())
    assert loaded == genuine()
    assert decide(loaded, PolicySettings()).status == "approved"


def test_a_stored_status_outside_the_contract_is_refused():
    data = _with(ThirdPartyCheck("registry:gov", "match")).to_json()
    data["third_party"]["checks"][0]["status"] = "maybe"

    with pytest.raises(EvidenceError, match="third-party status 'maybe' is not one of match, no_match, unavailable"):
        Evidence.from_json(data)
