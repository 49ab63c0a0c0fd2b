"""Custom policy rules: data (JSON), a validator with precise errors, and evaluation (pure).

A rule set is versioned; the decision carries the version it was made with::

    {"version": 3,
     "rules": [
       {"id": "low-ocr", "description": "weak OCR goes to review",
        "when": [{"condition": "ocr_confidence_below", "value": 0.6}],
        "then": {"action": "force_status", "status": "pending"}},
       {"id": "screen-kr",
        "when": [{"condition": "warning_raised", "code": "suspected_screen_capture", "min_confidence": 0.7},
                 {"condition": "issuing_country_in", "countries": ["KOR"]}],
        "then": {"action": "force_status", "status": "rejected", "reject_code": "id_image_invalidId"}}]}

A rule fires when every condition of ``when`` holds. Conditions (parameters; ``?`` optional):

- ``ocr_confidence_below`` (value 0–1) · ``face_similarity_below`` (value 0–100)
- ``fields_edited`` (fields?: list; any edited field when absent)
- ``warning_raised`` (code, min_confidence? 0–1, default 0)
- ``issuing_country_in`` (countries: alpha-3 list) · ``id_type_in`` (types: list)
- ``score_between`` (min, max: 0–100, inclusive; on the score *before* any rule)
- ``liveness_not_passed`` () · ``age_below`` (years 1–120, source?: document | face)
- ``duplicate_found`` (kinds?: di, custom_di, face, device, same_person)
- ``network_flagged`` (kinds?: vpn, proxy, tor, hosting; min_risk? 0–100)
- ``third_party_status`` (status: match | no_match | unavailable; providers?: list of provider
  ids): some provider (of ``providers``, when given) answered ``status``; never holds when the
  project has no third-party provider

A condition on a measurement the evidence lacks (no OCR confidence, no selfie, no birth date,
no age estimate) does not hold. Actions: ``cap_score`` (value 0–100), ``penalty`` (points 1–100),
``force_status`` (status approved | pending | rejected; reject_code, one of §8.4, exactly when
rejected; comment exactly when the code is ``other``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policy.evidence import NETWORK_KINDS, THIRD_PARTY_STATUSES, Evidence, full_years
from policy.id_types import ID_TYPES
from policy.reject_codes import OTHER, REJECT_CODES

_RULE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_ALPHA3 = re.compile(r"[A-Z]{3}")
DUPLICATE_KINDS = ("di", "custom_di", "face", "device", "same_person")
STATUSES = ("approved", "pending", "rejected")


class _Bad(Exception):
    pass


@dataclass(frozen=True)
class RuleIssue:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class RulesError(ValueError):
    def __init__(self, issues: list[RuleIssue]):
        super().__init__("; ".join(str(issue) for issue in issues))
        self.issues = issues


# --- parameter checkers: value -> normalised value, or _Bad(reason)


def _number(low: float, high: float, whole: bool = False) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        kind = int if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high:
            noun = "a whole number" if whole else "a number"
            raise _Bad(f"must be {noun} from {low:g} to {high:g}, got {value!r}")
        return value

    return check


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(f"must be a non-empty string, got {value!r}")
    return value.strip()


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in options:
            raise _Bad(f"must be one of {', '.join(options)}, got {value!r}")
        return str(value)

    return check


def _alpha3(value: Any) -> str:
    if not isinstance(value, str) or not _ALPHA3.fullmatch(value):
        raise _Bad(f"must be an ISO 3166-1 alpha-3 code in capitals, got {value!r}")
    return value


def _list(item: Callable[[Any], Any]) -> Callable[[Any], tuple[Any, ...]]:
    def check(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list) or not value:
            raise _Bad(f"must be a non-empty list, got {value!r}")
        items = []
        for index, entry in enumerate(value):
            try:
                items.append(item(entry))
            except _Bad as exc:
                raise _Bad(f"item {index} {exc}") from None
        return tuple(items)

    return check


Params = dict[str, Any]
Test = Callable[[Params, Evidence, int], tuple[bool, str]]


def _ocr_below(p: Params, e: Evidence, score: int) -> tuple[bool, str]:
    value = e.document.ocr_confidence
    return value is not None and value < p["value"], f"OCR confidence {value} below {p['value']}"


def _face_below(p: Params, e: Evidence, score: int) -> tuple[bool, str]:
    value = e.face.similarity if e.face is not None else None
    return value is not None and value < p["value"], f"face similarity {value} below {p['value']}"


def _fields_edited(p: Params, e: Evidence, score: int) -> tuple[bool, str]:
    edited = [f for f in e.document.edited_fields if "fields" not in p or f in p["fields"]]
    return bool(edited), f"edited by the user: {', '.join(edited)}"


def _warning_raised(p: Params, e: Evidence, score: int) -> tuple[bool, str]:
    confidence = e.document.warning(p["code"])
    minimum = p.get("min_confidence", 0)
    return confidence is not None and confidence >= minimum, f"{p['code']} at {confidence} (minimum {minimum})"


def _country_in(p: Params, e: Evidence, score: int) -> tuple[bool, str]:
    country = e.document.fields.issuing_country
    return country in p["countries"], f"issuing country {country}"


def _id_type_in(p: Params, e: Evidence, score: int) -> tuple[bool, str]:
    return e.document.id_type in p["types"], f"ID type {e.document.id_type}"


def _score_between(p: Params, e: Evidence, score: int) -> tuple[bool, str]:
    return p["min"] <= score <= p["max"], f"score {score} in {p['min']}–{p['max']}"


def _liveness_not_passed(p: Params, e: Evidence, score: int) -> tuple[bool, str]:
    return e.liveness.decision != "passed", f"liveness {e.liveness.decision}"


def _age_below(p: Params, e: Evidence, score: int) -> tuple[bool, str]:
    if p.get("source", "document") == "face":
        years = e.age_estimate.years if e.age_estimate.available else None
        return years is not None and years < p["years"], f"estimated age {years} below {p['years']}"
    birth = e.document.fields.birth_date
    age = full_years(birth, e.timestamps.reference_date) if birth else None
    return age is not None and age < p["years"], f"age {age} below {p['years']}"


def _duplicate_found(p: Params, e: Evidence, score: int) -> tuple[bool, str]:
    found = [
        f"{kind}:{m.submission_id}" for kind in p.get("kinds", DUPLICATE_KINDS) for m in getattr(e.duplicates, kind)
    ]
    return bool(found), f"duplicates {', '.join(found)}"


def _network_flagged(p: Params, e: Evidence, score: int) -> tuple[bool, str]:
    network = e.network
    kinds = [k for k in network.kinds if k in p.get("kinds", NETWORK_KINDS)]
    risk_ok = "min_risk" not in p or (network.risk_score is not None and network.risk_score >= p["min_risk"])
    return network.checked and bool(kinds) and risk_ok, f"network {', '.join(kinds)} risk {network.risk_score}"


def _third_party_status(p: Params, e: Evidence, score: int) -> tuple[bool, str]:
    wanted = p.get("providers")
    hits = [c.provider for c in e.third_party.with_status(p["status"]) if wanted is None or c.provider in wanted]
    return bool(hits), f"third party {p['status']}: {', '.join(hits)}"


# name -> (required params, optional params, test)
CONDITIONS: dict[str, tuple[dict[str, Callable[[Any], Any]], dict[str, Callable[[Any], Any]], Test]] = {
    "ocr_confidence_below": ({"value": _number(0, 1)}, {}, _ocr_below),
    "face_similarity_below": ({"value": _number(0, 100)}, {}, _face_below),
    "fields_edited": ({}, {"fields": _list(_text)}, _fields_edited),
    "warning_raised": ({"code": _text}, {"min_confidence": _number(0, 1)}, _warning_raised),
    "issuing_country_in": ({"countries": _list(_alpha3)}, {}, _country_in),
    "id_type_in": ({"types": _list(_choice(ID_TYPES))}, {}, _id_type_in),
    "score_between": ({"min": _number(0, 100, True), "max": _number(0, 100, True)}, {}, _score_between),
    "liveness_not_passed": ({}, {}, _liveness_not_passed),
    "age_below": ({"years": _number(1, 120, True)}, {"source": _choice(("document", "face"))}, _age_below),
    "duplicate_found": ({}, {"kinds": _list(_choice(DUPLICATE_KINDS))}, _duplicate_found),
    "network_flagged": ({}, {"kinds": _list(_choice(NETWORK_KINDS)), "min_risk": _number(0, 100)}, _network_flagged),
    "third_party_status": (
        {"status": _choice(THIRD_PARTY_STATUSES)},
        {"providers": _list(_text)},
        _third_party_status,
    ),
}
ACTIONS: dict[str, tuple[dict[str, Callable[[Any], Any]], dict[str, Callable[[Any], Any]]]] = {
    "cap_score": ({"value": _number(0, 100, True)}, {}),
    "penalty": ({"points": _number(1, 100, True)}, {}),
    "force_status": ({"status": _choice(STATUSES)}, {"reject_code": _choice(REJECT_CODES), "comment": _text}),
}


@dataclass(frozen=True)
class Condition:
    kind: str
    params: Params

    def test(self, evidence: Evidence, score: int) -> tuple[bool, str]:
        return CONDITIONS[self.kind][2](self.params, evidence, score)


@dataclass(frozen=True)
class Action:
    kind: str
    params: Params


@dataclass(frozen=True)
class Rule:
    id: str
    when: tuple[Condition, ...]
    then: Action
    description: str = ""

    def describe_action(self) -> str:
        return " ".join([self.then.kind, *(f"{k}={v}" for k, v in self.then.params.items())])


@dataclass(frozen=True)
class FiredRule:
    rule: Rule
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RuleSet:
    version: int = 0  # 0: the empty rule set nobody saved
    rules: tuple[Rule, ...] = ()

    def fired(self, evidence: Evidence, score: int) -> tuple[FiredRule, ...]:
        """The rules whose conditions all hold, in order, with each condition's explanation."""
        result = []
        for rule in self.rules:
            outcomes = [condition.test(evidence, score) for condition in rule.when]
            if all(holds for holds, _ in outcomes):
                result.append(FiredRule(rule, tuple(reason for _, reason in outcomes)))
        return tuple(result)

    def to_json(self) -> dict[str, Any]:
        def entry(rule: Rule) -> dict[str, Any]:
            data: dict[str, Any] = {"id": rule.id}
            if rule.description:
                data["description"] = rule.description
            data["when"] = [{"condition": c.kind, **_plain(c.params)} for c in rule.when]
            data["then"] = {"action": rule.then.kind, **_plain(rule.then.params)}
            return data

        return {"version": self.version, "rules": [entry(rule) for rule in self.rules]}


def _plain(params: Params) -> Params:
    return {key: list(value) if isinstance(value, tuple) else value for key, value in params.items()}


def validate_rules(data: Any) -> RuleSet:
    """The rule set in ``data``, or :class:`RulesError` listing every problem with its path."""
    issues: list[RuleIssue] = []
    if not isinstance(data, dict):
        raise RulesError([RuleIssue("<root>", "must be an object with 'version' and 'rules'")])
    _unknown(data, {"version", "rules"}, "", issues)
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        issues.append(RuleIssue("version", f"must be a whole number of at least 1, got {version!r}"))
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list):
        issues.append(RuleIssue("rules", f"must be a list, got {raw_rules!r}"))
        raw_rules = []
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_rules):
        rule = _rule(raw, f"rules[{index}]", issues)
        if rule is None:
            continue
        if rule.id in seen:
            issues.append(RuleIssue(f"rules[{index}].id", f"{rule.id!r} is already the id of rules[{seen[rule.id]}]"))
        seen.setdefault(rule.id, index)
        rules.append(rule)
    if issues:
        raise RulesError(issues)
    return RuleSet(version, tuple(rules))


def _unknown(data: dict[str, Any], known: set[str], path: str, issues: list[RuleIssue]) -> None:
    for key in sorted(set(data) - known):
        issues.append(RuleIssue(f"{path}.{key}" if path else key, "unknown key"))


def _rule(raw: Any, path: str, issues: list[RuleIssue]) -> Rule | None:
    if not isinstance(raw, dict):
        issues.append(RuleIssue(path, "must be an object with 'id', 'when' and 'then'"))
        return None
    before = len(issues)
    _unknown(raw, {"id", "description", "when", "then"}, path, issues)
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _RULE_ID.fullmatch(rule_id):
        issues.append(RuleIssue(f"{path}.id", f"must be 1–64 of a-z, 0-9, '-', '_', got {rule_id!r}"))
    description = raw.get("description", "")
    if not isinstance(description, str):
        issues.append(RuleIssue(f"{path}.description", "must be a string"))
    when = raw.get("when")
    conditions: list[Condition] = []
    if not isinstance(when, list) or not when:
        issues.append(RuleIssue(f"{path}.when", "must be a non-empty list of conditions"))
    else:
        for index, item in enumerate(when):
            found = _part(item, "condition", CONDITIONS, f"{path}.when[{index}]", issues)
            if found:
                conditions.append(Condition(*found))
    action = _part(raw.get("then"), "action", ACTIONS, f"{path}.then", issues)
    if action:
        _check_force(action[1], f"{path}.then", issues)
    if len(issues) > before or action is None:
        return None
    return Rule(str(rule_id), tuple(conditions), Action(*action), str(description))


def _part(raw: Any, tag: str, table: dict[str, Any], path: str, issues: list[RuleIssue]) -> tuple[str, Params] | None:
    if not isinstance(raw, dict):
        issues.append(RuleIssue(path, f"must be an object with '{tag}'"))
        return None
    kind = raw.get(tag)
    if kind not in table:
        issues.append(RuleIssue(f"{path}.{tag}", f"unknown {tag} {kind!r}; one of {', '.join(table)}"))
        return None
    required, optional = table[kind][0], table[kind][1]
    before = len(issues)
    _unknown(raw, {tag, *required, *optional}, path, issues)
    params: Params = {}
    for name, check in {**required, **optional}.items():
        if name not in raw:
            if name in required:
                issues.append(RuleIssue(f"{path}.{name}", f"is required by {tag} {kind}"))
            continue
        try:
            params[name] = check(raw[name])
        except _Bad as exc:
            issues.append(RuleIssue(f"{path}.{name}", str(exc)))
    if kind == "score_between" and {"min", "max"} <= set(params) and params["min"] > params["max"]:
        issues.append(RuleIssue(f"{path}.max", f"must not be below min ({params['min']}), got {params['max']}"))
    return (kind, params) if len(issues) == before else None


def _check_force(params: Params, path: str, issues: list[RuleIssue]) -> None:
    status, code, comment = params.get("status"), params.get("reject_code"), params.get("comment")
    if status is None:  # not a force_status action
        return
    if status == "rejected" and code is None:
        issues.append(RuleIssue(f"{path}.reject_code", "is required when status is rejected"))
    if status != "rejected" and code is not None:
        issues.append(RuleIssue(f"{path}.reject_code", f"is only allowed when status is rejected, not {status}"))
    if code == OTHER and comment is None:
        issues.append(RuleIssue(f"{path}.comment", "is required with reject_code other"))
    if code != OTHER and comment is not None:
        issues.append(RuleIssue(f"{path}.comment", "is only allowed with reject_code other"))
