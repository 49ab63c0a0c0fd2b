"""The decision trace (``policy.engine.Decision.to_json()``) in words a reviewer understands.

The engine writes terse lines for machines and back-tests (``face_not_matched``, ``similarity
31.2 below 39.4``); this module names each check, says what it measures, and for reject codes
quotes the §8.4 comment the integrator receives. Nothing here decides anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policy.reject_codes import OTHER, REJECT_COMMENTS

SCORE_CHECKS = {
    "document_read": ("Document read", "how confidently the printed fields were read"),
    "mrz_integrity": ("Machine-readable zone", "the MRZ check digits or the barcode verify the data"),
    "visual_consistency": ("Printed vs machine-readable", "the printed fields agree with the MRZ or barcode"),
    "capture_authenticity": ("Genuine capture", "no sign of a photographed screen or a photocopy"),
    "image_quality": ("Image quality", "blur, glare and resolution warnings"),
    "face_match": ("Face match", "the selfie matches the portrait on the document"),
    "liveness": ("Liveness", "a live person took the selfie (live Liveform capture only)"),
    "data_entry": ("Data entry", "fields the person corrected by hand"),
    # Knowledge-Based (no document; policy.score)
    "selfie_face": ("Face in the selfie", "one usable face, for lack of a document portrait to match"),
    "age_consistency": ("Apparent age", "the selfie's apparent age against the typed birth date"),
}

CAUSES = {
    "expiry_unverified": "The document looks expired, but its expiry date is not machine-verified",
    "age_unverified": "The person looks under the age limit, but the birth date is not machine-verified",
    "birth_date_missing": "There is no date of birth on the document",
    "age_unknown": "The age limit could not be checked: no date of birth",
    "face_refused": "No usable face on the selfie or on the document portrait",
    "face_not_matched": "The selfie does not match the document portrait",
    "liveness_failed": "The live selfie failed the liveness challenge",
    "third_party_no_match": "A third-party data source did not confirm the identity",
    "third_party_unavailable": "A third-party data source could not be asked",
    "di_duplicate": "Another submission has the same name, birth date, gender and nationality",
    "custom_di_duplicate": "Another submission has the same Custom DI values",
    "face_duplicate": "The same face appears in another submission",
    "device_duplicate": "This device was already used for approved submissions",
    "network_vpn": "Connected through a VPN",
    "network_proxy": "Connected through a proxy",
    "network_tor": "Connected through Tor",
    "network_hosting": "Connected from a hosting provider (data centre)",
    "apparent_age_mismatch": "The selfie looks more than 10 years older or younger than the typed birth date",
    "apparent_age_unknown": "No apparent age could be read from the selfie",
}

KIND_WORDS = {"reject": "Rejects", "review": "Needs review", "note": "Noted", "rule": "Custom rule"}


@dataclass(frozen=True)
class ScoreRow:
    label: str
    measures: str
    detail: str
    percent: int  # the check's value, 0–100 %
    weight: int
    points: float  # the contribution to the score
    threshold: float | None  # what the raw measure was compared with (face similarity)


@dataclass(frozen=True)
class FindingRow:
    kind: str  # reject | review | note | rule
    kind_words: str
    name: str  # the reject code, cause or rule id
    words: str  # what it means
    detail: str  # the engine's own line
    comment: str | None  # reject codes: the §8.4 comment sent to the integrator
    deciding: bool  # this line set the status


@dataclass(frozen=True)
class TraceWords:
    outcome: str  # one sentence: the status and why
    score: int
    base_score: int
    threshold: int
    score_rows: list[ScoreRow]
    findings: list[FindingRow]
    rules_fired: list[str]
    rules_version: int


def explain(decision: dict[str, Any]) -> TraceWords:
    trace = decision.get("trace", [])
    deciding = decision.get("deciding", "")
    score_rows = [_score_row(step) for step in trace if step["kind"] == "score"]
    findings = [_finding_row(step, decision) for step in trace if step["kind"] in KIND_WORDS]
    return TraceWords(
        outcome=_outcome(decision, deciding),
        score=decision.get("score", 0),
        base_score=decision.get("base_score", 0),
        threshold=decision.get("threshold", 0),
        score_rows=score_rows,
        findings=findings,
        rules_fired=list(decision.get("rules_fired", [])),
        rules_version=decision.get("rules_version", 0),
    )


def _score_row(step: dict[str, Any]) -> ScoreRow:
    label, measures = SCORE_CHECKS.get(step["name"], (step["name"], ""))
    return ScoreRow(
        label=label,
        measures=measures,
        detail=step["detail"],
        percent=round((step.get("value") or 0.0) * 100),
        weight=step.get("weight") or 0,
        points=step.get("contribution") or 0.0,
        threshold=step.get("threshold"),
    )


def _finding_row(step: dict[str, Any], decision: dict[str, Any]) -> FindingRow:
    kind, name = step["kind"], step["name"]
    deciding = decision.get("deciding", "") in (f"{kind}:{name}", f"rule:{name}" if kind == "rule" else "")
    comment = None
    if kind == "reject":
        comment = decision.get("reject_comment") if name == OTHER and deciding else REJECT_COMMENTS.get(name)
        words = f"Reject code {name}"
    elif kind == "rule":
        words = "Score adjusted by custom rules" if name == "score" else f"Custom rule {name} applies"
    else:
        words = CAUSES.get(name, name.replace("_", " "))
    return FindingRow(kind, KIND_WORDS[kind], name, words, step["detail"], comment, deciding)


def _outcome(decision: dict[str, Any], deciding: str) -> str:
    status = decision.get("status", "")
    score, threshold = decision.get("score"), decision.get("threshold")
    what, _, name = deciding.partition(":")
    if what == "threshold":
        relation = "meets" if status == "approved" else "is below"
        return f"{status.capitalize()}: the score {score} {relation} the threshold {threshold}."
    if what == "reject":
        comment = decision.get("reject_comment") or ""
        return f"Rejected with code {name}: {comment}".rstrip(": ") + ("" if comment.endswith(".") else ".")
    if what == "review":
        return f"Pending for a person to review: {CAUSES.get(name, name).lower()}."
    if what == "rule":
        return f"{status.capitalize()} by custom rule {name} (score {score}, threshold {threshold})."
    if what == "automated_processing_only":
        return "Rejected: the project allows automated processing only, and this one would need a review."
    if what == "timeout":
        return "Rejected: the person never finished the flow (timeout)."
    return f"{status.capitalize()} ({deciding})."
