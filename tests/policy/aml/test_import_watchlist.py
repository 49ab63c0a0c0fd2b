"""``manage.py import_watchlist``: the three formats, the atomic replace of a source and its version."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from policy.aml.models import WatchlistEntry, WatchlistSource
from projects.models import AuditEvent

SAMPLE = Path(__file__).resolve().parents[3] / "policy" / "aml" / "samples" / "watchlist.csv"
FTM = [
    {"id": "Q7747", "schema": "Person", "caption": "Ivan Testovich",
     "properties": {"name": ["Ivan Testovich", "Иван Тестович"], "alias": ["Vanya T."], "birthDate": ["1952-10-07"],
                    "nationality": ["ru"], "topics": ["role.pep"]}},
    {"id": "org-1", "schema": "Organization", "properties": {"name": ["Acme Shell Ltd"]}},
    {"id": "san-2", "schema": "Person", "properties": {"name": ["Kim Sample"], "birthDate": ["1984"],
                                                       "citizenship": ["kp"], "topics": ["sanction"]}},
]  # fmt: skip
SIMPLE = (
    "id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,emails,dataset\n"
    "NK-1,Person,Petra Sample,Petra Samplova;Петра Сэмпл,1970-02-03,de;at,,,EU sanctions,,,eu\n"
    "NK-2,Company,Sample GmbH,,,de,,,,,,eu\n"
    "NK-3,Person,Otto Example,,1961,de,,,,,,pep\n"
)


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_watchlist", *args, stdout=out)
    return out.getvalue()


def entries(source: str) -> list[tuple]:
    return list(
        WatchlistEntry.objects.filter(source__name=source)
        .order_by("external_id")
        .values_list("external_id", "name", "aliases", "birth_dates", "nationalities", "category", "risk_level")
    )


def test_it_imports_the_shipped_sample_list_with_every_category(db):
    output = run(str(SAMPLE), "--source", "sample")

    source = WatchlistSource.objects.get(name="sample")
    assert (source.version, source.file_format, source.entry_count) == (1, "csv", 304)
    assert set(WatchlistEntry.objects.values_list("category", flat=True)) == {"PEP", "SAN", "REL", "RRE", "POI",
                                                                            "INS", "DD"}  # fmt: skip
    assert "  entries  304 (before: 0)" in output
    assert "Source sample is now version 1." in output


def test_it_reads_followthemoney_json_lines_keeping_people_only(db, tmp_path):
    # given two people and a company as FtM entities
    path = tmp_path / "entities.ftm.json"
    path.write_text("\n".join(json.dumps(entity, ensure_ascii=False) for entity in FTM) + "\n", encoding="utf-8")

    run(str(path), "--source", "os-default")

    assert entries("os-default") == [
        ("Q7747", "Ivan Testovich", ["Иван Тестович", "Vanya T."], ["1952-10-07"], ["RUS"], "PEP", "MEDIUM"),
        ("san-2", "Kim Sample", [], ["1984"], ["PRK"], "SAN", "HIGH"),
    ]


def test_it_reads_the_opensanctions_simplified_csv(db, tmp_path):
    path = tmp_path / "targets.simple.csv"
    path.write_text(SIMPLE, encoding="utf-8")

    run(str(path), "--source", "os-simple", "--category", "PEP")

    assert WatchlistSource.objects.get(name="os-simple").file_format == "simple"
    assert entries("os-simple") == [
        ("NK-1", "Petra Sample", ["Petra Samplova", "Петра Сэмпл"], ["1970-02-03"], ["DEU", "AUT"], "SAN", "HIGH"),
        ("NK-3", "Otto Example", [], ["1961"], ["DEU"], "PEP", "MEDIUM"),
    ]


def test_a_reimport_replaces_the_source_and_records_its_version(db, tmp_path):
    # given the sample imported once, and another list under another name
    run(str(SAMPLE), "--source", "sample")
    other = tmp_path / "other.csv"
    other.write_text("name,aliases,birth_date,nationality,category,source\nLone Person,,1990,SWE,POI,x\n")
    run(str(other), "--source", "other")

    # when the sample source is imported again from a smaller file
    small = tmp_path / "small.csv"
    small.write_text("name,aliases,birth_date,nationality,category,source\nNew Person,Neu Person,1980-01-02,DE,SAN,x\n")
    output = run(str(small), "--source", "sample", "--format", "csv")

    # then the source holds only the new entries, version 2, and the other list is untouched
    source = WatchlistSource.objects.get(name="sample")
    assert (source.version, source.entry_count) == (2, 1)
    assert entries("sample") == [("row-2", "New Person", ["Neu Person"], ["1980-01-02"], ["DEU"], "SAN", "HIGH")]
    assert len(entries("other")) == 1
    assert "  entries  1 (before: 304)" in output
    event = AuditEvent.objects.filter(action="aml.watchlist_imported").order_by("-id").first()
    assert (event.details["version"], event.details["entries"], event.details["previous_entries"]) == (2, 1, 304)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,aliases\nX,Y\n", "line 1: the header must be name,aliases,birth_date,nationality,category,source"),
        ("name,aliases,birth_date,nationality,category,source\nA B,,1990,SWE,PEP,x\nC D,,31/01/1990,SWE,PEP,x\n",
         "line 3: the birth date '31/01/1990' is not YYYY-MM-DD, YYYY-MM or YYYY"),
        ("name,aliases,birth_date,nationality,category,source\nA B,,1990,SWE,ABC,x\n",
         "line 2: the category 'ABC' is not one of PEP, SAN, REL, RRE, POI, INS, DD"),
        ("name,aliases,birth_date,nationality,category,source\n,,1990,SWE,PEP,x\n", "line 2: the name is empty"),
    ],
)  # fmt: skip
def test_a_bad_file_changes_nothing_and_names_the_line(db, tmp_path, content, message):
    # given the sample imported
    run(str(SAMPLE), "--source", "sample")
    before = entries("sample")
    bad = tmp_path / "bad.csv"
    bad.write_text(content)

    # when a bad file is imported into the same source
    with pytest.raises(CommandError) as refused:
        run(str(bad), "--source", "sample", "--format", "csv")

    # then the source is unchanged
    assert str(refused.value) == f"bad.csv was not imported, nothing changed: {message}"
    assert WatchlistSource.objects.get(name="sample").version == 1
    assert entries("sample") == before


def test_a_broken_json_line_is_refused(db, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"id": "a", "schema": "Person", "properties": {"name": ["A B"]}}\n{not json\n')

    with pytest.raises(CommandError) as refused:
        run(str(path), "--source", "broken")

    assert (
        str(refused.value)
        == "broken.json was not imported, nothing changed: line 2: not JSON (Expecting property name enclosed in double quotes)"
    )
    assert not WatchlistSource.objects.filter(name="broken").exists()
