"""``manage.py import_identity_registry``: the format, bad lines, duplicates, --replace, hashes only."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from registry.models import IdentityRecord, IdentityRegistry
from registry.records import field_hash

HEADER = "surname,given_names,birth_date,document_number,nationality\n"
ANNA = "Eriksson,Anna Maria,1990-01-31,L898902C3,UTO\n"
TOMAS = "Horváth,Tomas,1996-02-17,145 454-284,EST\n"


def _run(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_identity_registry", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _file(tmp_path: Path, text: str, name: str = "gov.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_registry_file_is_imported_with_duplicates_counted(db, tmp_path):
    # given: a BOM, a comment, a blank line, a repeated person, empty optional fields
    path = _file(tmp_path, "\ufeff" + HEADER + "# exported 2025-06-01\n" + ANNA + "\n" + TOMAS + ANNA
                 + "Okafor,,2001-12-01,X1,\n")  # fmt: skip

    # when
    out, err = _run(path, "--name", "gov-2025")

    # then
    assert err == ""
    assert out == "gov-2025: 7 lines read, 3 added, 1 duplicates, 0 invalid; 3 records\n"
    registry = IdentityRegistry.objects.get(name="gov-2025")
    assert registry.record_count == 3
    okafor = IdentityRecord.objects.get(registry=registry, surname_hash=field_hash("surname", "OKAFOR"))
    assert (okafor.given_names_hash, okafor.nationality_hash) == ("", "")
    assert okafor.document_number_hash == field_hash("document_number", "X1")


def test_bad_lines_are_reported_by_number_and_nothing_is_imported(db, tmp_path):
    # given
    path = _file(tmp_path, HEADER + ANNA + "Smith,John,31/01/1990,A1,GBR\n" + "Lee,,1980-02-30,B2,KOR\n"
                 + "NoNumber,X,1980-01-01, - ,USA\n" + "Short,1980-01-01\n" + "Bad,Nat,1980-01-01,C3,Korea\n"
                 + ",Anon,1980-01-01,D4,USA\n")  # fmt: skip

    # when
    with pytest.raises(CommandError) as refused:
        _run(path, "--name", "gov")

    # then
    assert str(refused.value) == "6 invalid line(s): nothing imported (fix them, or --skip-invalid)"
    assert not IdentityRegistry.objects.exists()
    assert not IdentityRecord.objects.exists()


def test_bad_lines_are_printed_with_their_numbers(db, tmp_path):
    path = _file(tmp_path, HEADER + ANNA + "Smith,John,31/01/1990,A1,GBR\n" + "Lee,,1980-02-30,B2,KOR\n"
                 + "NoNumber,X,1980-01-01, - ,USA\n" + "Short,1980-01-01\n" + "Bad,Nat,1980-01-01,C3,Korea\n"
                 + ",Anon,1980-01-01,D4,USA\n")  # fmt: skip
    err = io.StringIO()

    out, _ = _run_skip(path, err)

    assert err.getvalue().splitlines() == [
        "line 3: birth_date is not a date YYYY-MM-DD",
        "line 4: birth_date is not a date YYYY-MM-DD",
        "line 5: document_number is empty",
        "line 6: expected 5 columns, found 2",
        "line 7: nationality is not an ISO 3166-1 alpha-3 code",
        "line 8: surname is empty",
    ]
    assert out == "gov: 8 lines read, 1 added, 0 duplicates, 6 invalid; 1 records\n"
    assert IdentityRecord.objects.count() == 1


def _run_skip(path: Path, err: io.StringIO) -> tuple[str, str]:
    out = io.StringIO()
    call_command("import_identity_registry", str(path), "--name", "gov", "--skip-invalid", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_wrong_header_refuses_the_file(db, tmp_path):
    path = _file(tmp_path, "name,dob,number\n" + ANNA)
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_identity_registry", str(path), "--name", "gov", stdout=io.StringIO(), stderr=err)

    assert err.getvalue() == "line 1: the header must be surname,given_names,birth_date,document_number,nationality\n"
    assert not IdentityRecord.objects.exists()


def test_a_bad_registry_name_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="--name: 1–64 of a-z"):
        _run(_file(tmp_path, HEADER + ANNA), "--name", "Gov Registry")


def test_import_adds_and_replace_swaps_the_registry_at_once(db, tmp_path):
    # given: two persons imported
    _run(_file(tmp_path, HEADER + ANNA + TOMAS), "--name", "gov")
    old_ids = set(IdentityRecord.objects.values_list("pk", flat=True))

    # when: a second import without --replace adds; with --replace swaps
    added, _ = _run(_file(tmp_path, HEADER + TOMAS + "Okafor,,2001-12-01,X1,\n", "more.csv"), "--name", "gov")
    replaced, _ = _run(_file(tmp_path, HEADER + "Okafor,,2001-12-01,X1,\n", "new.csv"), "--name", "gov", "--replace")

    # then
    assert added == "gov: 3 lines read, 1 added, 1 duplicates, 0 invalid; 3 records\n"
    assert replaced == "gov: 2 lines read, 1 added, 0 duplicates, 0 invalid, 3 old records replaced; 1 records\n"
    record = IdentityRecord.objects.get()
    assert record.pk not in old_ids
    assert record.surname_hash == field_hash("surname", "OKAFOR")
    assert IdentityRegistry.objects.get(name="gov").record_count == 1


def test_a_refused_replace_keeps_the_old_registry(db, tmp_path):
    _run(_file(tmp_path, HEADER + ANNA + TOMAS), "--name", "gov")

    with pytest.raises(CommandError):
        _run(_file(tmp_path, HEADER + "Smith,John,1990-13-01,A1,GBR\n", "bad.csv"), "--name", "gov", "--replace")

    assert IdentityRecord.objects.count() == 2
    assert IdentityRegistry.objects.get(name="gov").record_count == 2


def test_the_table_holds_no_plaintext_identity_values(db, tmp_path):
    # given
    _run(_file(tmp_path, HEADER + ANNA + TOMAS), "--name", "gov")

    # when: every stored column of both tables, as text
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_identityrecord")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM registry_identityregistry")
        rows += cursor.fetchall()
    dump = " ".join(str(value) for row in rows for value in row).upper()

    # then: hashes only (64 hex digits), none of the values in any spelling
    for canary in ("ERIKSSON", "ANNA", "MARIA", "1990-01-31", "19900131", "L898902C3", "HORV", "TOMAS",
                   "145454284", "1996-02-17", "UTO", "EST"):  # fmt: skip
        assert canary not in dump
    record = IdentityRecord.objects.get(surname_hash=field_hash("surname", "ERIKSSON"))
    assert record.birth_date_hash == field_hash("birth_date", "1990-01-31")
    assert len(record.document_number_hash) == 64
    assert int(record.document_number_hash, 16) >= 0
