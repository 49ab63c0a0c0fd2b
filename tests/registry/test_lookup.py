"""The registry provider: match, partial match, unavailable; the project setting; the contract."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from projects.settings_registry import get_setting
from registry.providers import IdentityQuery, ThirdPartyResult, overall_status, run_providers
from registry.selectors import registry_check, third_party_results
from tests.factories import ProjectFactory
from tests.test_architecture import framework_imports

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
COMPARED = ["document_number", "birth_date", "surname", "given_names", "nationality"]
RULE = "document_number+birth_date+surname"
ANNA = IdentityQuery.from_fields(
    surname="ERIKSSON",
    given_names="ANNA<MARIA",  # as an MRZ may give it
    birth_date=dt.date(1990, 1, 31),
    document_number="L898902C3",
    nationality="UTO",
    issuing_country="UTO",
)


@pytest.fixture
def gov(db, tmp_path: Path) -> str:
    path = tmp_path / "gov.csv"
    path.write_text(
        "surname,given_names,birth_date,document_number,nationality\n"
        "Eriksson,Anna Maria,1990-01-31,L-898902-C3,UTO\n"
        "Müller,Jan,1985-05-05,M1,DEU\n"
        "Eriksson,Sven,1990-01-31,Q77,UTO\n",
        encoding="utf-8",
    )
    call_command("import_identity_registry", str(path), "--name", "gov", stdout=io.StringIO())
    return "gov"


def _evidence(result: ThirdPartyResult) -> tuple[str, str, dict]:
    return result.provider, result.status, result.evidence


def test_the_normalised_query():
    assert ANNA == IdentityQuery("ERIKSSON", "ANNA MARIA", "1990-01-31", "L898902C3", "UTO", "UTO")
    assert IdentityQuery.from_fields(surname="O'Brien-Müller", document_number="ab 12-3<", nationality="Korea") == (
        IdentityQuery(surname="O BRIEN MULLER", document_number="AB123")
    )


def test_all_fields_equal_is_a_match(gov):
    result = registry_check(gov, ANNA, now=NOW)

    assert _evidence(result) == ("registry:gov", "match", {"matched": COMPARED, "compared": COMPARED, "rule": RULE})
    assert result.checked_at == NOW


def test_the_three_rule_fields_match_even_when_given_names_differ(gov):
    query = IdentityQuery.from_fields(surname="Muller", given_names="Johannes", birth_date=dt.date(1985, 5, 5),
                                      document_number="m1")  # fmt: skip

    result = registry_check(gov, query, now=NOW)

    assert _evidence(result) == (
        "registry:gov",
        "match",
        {"matched": ["document_number", "birth_date", "surname"], "compared": COMPARED[:4], "rule": RULE},
    )


def test_a_partial_match_is_no_match_with_the_closest_records_fields(gov):
    # given: Anna's document number and surname, another birth date
    query = IdentityQuery.from_fields(surname="ERIKSSON", given_names="ANNA MARIA", birth_date=dt.date(1990, 2, 1),
                                      document_number="L898902C3", nationality="UTO")  # fmt: skip

    result = registry_check(gov, query, now=NOW)

    assert _evidence(result) == (
        "registry:gov",
        "no_match",
        {"matched": ["document_number", "surname", "given_names", "nationality"], "compared": COMPARED, "rule": RULE},
    )


def test_same_name_and_birth_date_with_another_document_is_no_match(gov):
    query = IdentityQuery.from_fields(surname="Eriksson", birth_date=dt.date(1990, 1, 31), document_number="Z9")

    result = registry_check(gov, query, now=NOW)

    assert result.status == "no_match"
    assert result.evidence["matched"] == ["birth_date", "surname"]


def test_nobody_in_the_registry_is_no_match_with_nothing_matched(gov):
    query = IdentityQuery.from_fields(surname="Nobody", birth_date=dt.date(2000, 1, 1), document_number="N0")

    result = registry_check(gov, query, now=NOW)

    assert _evidence(result) == (
        "registry:gov",
        "no_match",
        {"matched": [], "compared": ["document_number", "birth_date", "surname"], "rule": RULE},
    )


def test_a_document_without_the_rule_fields_or_a_missing_registry_is_unavailable(gov):
    no_birth = IdentityQuery.from_fields(surname="ERIKSSON", document_number="L898902C3")

    assert _evidence(registry_check(gov, no_birth, now=NOW)) == (
        "registry:gov",
        "unavailable",
        {"matched": [], "compared": [], "reason": "the document gave no birth_date"},
    )
    assert registry_check("gone", ANNA, now=NOW).evidence["reason"] == "no registry named gone has been imported"


def test_unknown_and_failing_providers_answer_unavailable():
    def broken(query, *, now):
        raise ConnectionError("registry host down: ERIKSSON")

    def resolve(provider_id):
        return broken if provider_id == "registry:broken" else None

    results = run_providers(["registry:broken", "bank:x"], ANNA, resolve, now=NOW)

    assert [(r.provider, r.status, r.reason) for r in results] == [
        ("registry:broken", "unavailable", "provider failed: ConnectionError"),
        ("bank:x", "unavailable", "provider not found"),
    ]
    assert overall_status(results) == "unavailable"


def test_the_overall_status_is_the_worst_answer():
    def result(status):
        return ThirdPartyResult("registry:x", status, NOW)

    assert overall_status((result("match"), result("unavailable"), result("no_match"))) == "no_match"
    assert overall_status((result("match"),)) == "match"
    with pytest.raises(ValueError, match="third-party status 'maybe'"):
        result("maybe")


def test_the_project_setting_names_imported_registries(gov):
    # given
    project = ProjectFactory()
    setting = get_setting("third_party_providers")

    # then: default none; a registry that exists is accepted, in order, without repeats
    assert setting.read(project) == []
    assert third_party_results(project, ANNA, now=NOW) == ()
    assert setting.clean(setting.parse("registry:gov, registry:gov")) == ["registry:gov"]
    with pytest.raises(ValidationError, match="No registry named 'other'"):
        setting.clean(["registry:other"])
    with pytest.raises(ValidationError, match="unknown provider kind 'bank'"):
        setting.clean(["bank:acme"])
    with pytest.raises(ValidationError, match="is not a provider id"):
        setting.clean(["gov"])

    # when
    setting.write(project, ["registry:gov"])

    # then
    assert setting.read(project) == ["registry:gov"]
    assert [(r.provider, r.status) for r in third_party_results(project, ANNA, now=NOW)] == [("registry:gov", "match")]


def test_the_provider_contract_imports_no_web_framework():
    source = (Path(__file__).resolve().parents[2] / "registry" / "providers.py").read_text()

    assert framework_imports(source) == []


def test_an_operator_configures_the_provider_with_configure_project(gov):
    project = ProjectFactory()

    call_command("configure_project", project.pid, "third_party_providers=registry:gov", stdout=io.StringIO())

    assert get_setting("third_party_providers").read(project) == ["registry:gov"]
