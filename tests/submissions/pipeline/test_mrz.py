"""MRZ parsing and verification: ICAO 9303 specimens, check digits, formats, long numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from submissions.pipeline.mrz import MrzCheck, check_digit, parse_mrz
from submissions.pipeline.mrz.layouts import layout_for
from submissions.pipeline.types import DocumentFields

TODAY = dt.date(2025, 6, 1)

# ICAO 9303 specimens (parts 4, 5, 6, 7); every check digit recomputed by hand: all correct.
TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
TD2 = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")
# The part 7 visa specimens give the holder ICAO's "unspecified" nationality; here she is of
# Utopia like the others (nationality is under no check digit of a visa, so every check holds).
MRVA = ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4UTO4009078F96121096ZE184226B<<<<<<")
MRVB = ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4UTO4009078F9612109<<<<<<<<")
# Long document number D23145890734 (check digit 9): '<' in the check digit position, the
# rest and its check digit at the start of the optional data (ICAO 9303-5 §4.2.2, 9303-6).
TD1_LONG = ("I<UTOD23145890<7349<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
TD2_LONG = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D23145890<UTO7408122F12041597349<<<2")


def _with(line: str, position: int, char: str) -> str:
    return line[:position] + char + line[position + 1 :]


def _failed(result) -> list[str]:
    return [check.name for check in result.checks if not check.passed]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("L898902C3", "6"),
        ("740812", "2"),
        ("120415", "9"),
        ("ZE184226B<<<<<", "1"),
        ("D23145890", "7"),
        ("D23145890734", "9"),
        ("<<<<<<<<<<<<<<", "0"),
        ("", "0"),
        ("AZ09<", "8"),  # 10*7 + 35*3 + 0*1 + 9*7 + 0*3 = 238
    ],
)
def test_check_digit_weights_7_3_1_with_filler_zero_and_letters_from_ten(value, expected):
    assert check_digit(value) == expected


def test_check_digit_refuses_characters_outside_the_mrz_alphabet():
    with pytest.raises(ValueError, match="not an MRZ character: 'a'"):
        check_digit("12a")


def test_it_parses_the_td3_passport_specimen():
    # when
    result = parse_mrz(TD3, today=TODAY)

    # then
    assert result is not None
    assert result.kind == "TD3"
    assert result.valid is True
    assert result.lines == TD3
    assert result.lines_read == TD3
    assert result.repairs == ()
    assert result.warnings == ()
    assert result.checks == (
        MrzCheck("document_number", True),
        MrzCheck("birth_date", True),
        MrzCheck("expiry_date", True),
        MrzCheck("personal_number", True),
        MrzCheck("composite", True),
    )
    assert result.fields == DocumentFields(
        document_type="P",
        issuing_country="UTO",
        document_number="L898902C3",
        surname="ERIKSSON",
        given_names="ANNA MARIA",
        nationality="UTO",
        birth_date=dt.date(1974, 8, 12),
        sex="F",
        expiry_date=dt.date(2012, 4, 15),
        optional_data="ZE184226B",
    )


def test_it_parses_the_td1_identity_card_specimen():
    # when
    result = parse_mrz(TD1, today=TODAY)

    # then
    assert result.kind == "TD1"
    assert result.valid is True
    assert [check.name for check in result.checks] == ["document_number", "birth_date", "expiry_date", "composite"]
    assert result.fields == DocumentFields(
        document_type="I",
        issuing_country="UTO",
        document_number="D23145890",
        surname="ERIKSSON",
        given_names="ANNA MARIA",
        nationality="UTO",
        birth_date=dt.date(1974, 8, 12),
        sex="F",
        expiry_date=dt.date(2012, 4, 15),
        optional_data=None,
    )
    assert result.warnings == ()


def test_it_parses_the_td2_specimen():
    # when
    result = parse_mrz(TD2, today=TODAY)

    # then
    assert result.kind == "TD2"
    assert result.valid is True
    assert [check.name for check in result.checks] == ["document_number", "birth_date", "expiry_date", "composite"]
    assert result.fields == DocumentFields(
        document_type="I",
        issuing_country="UTO",
        document_number="D23145890",
        surname="ERIKSSON",
        given_names="ANNA MARIA",
        nationality="UTO",
        birth_date=dt.date(1974, 8, 12),
        sex="F",
        expiry_date=dt.date(2012, 4, 15),
        optional_data=None,
    )


def test_it_tells_the_mrv_a_visa_from_a_td3_passport_by_its_code():
    # when
    result = parse_mrz(MRVA, today=TODAY)

    # then
    assert result.kind == "MRVA"
    assert result.valid is True
    assert [check.name for check in result.checks] == ["document_number", "birth_date", "expiry_date"]
    assert result.fields == DocumentFields(
        document_type="V",
        issuing_country="UTO",
        document_number="L8988901C",
        surname="ERIKSSON",
        given_names="ANNA MARIA",
        nationality="UTO",
        birth_date=dt.date(1940, 9, 7),
        sex="F",
        expiry_date=dt.date(1996, 12, 10),
        optional_data="6ZE184226B",
    )


def test_it_tells_the_mrv_b_visa_from_a_td2_card_by_its_code():
    # when
    result = parse_mrz(MRVB, today=TODAY)

    # then
    assert result.kind == "MRVB"
    assert result.valid is True
    assert [check.name for check in result.checks] == ["document_number", "birth_date", "expiry_date"]
    assert result.fields.document_number == "L8988901C"
    assert result.fields.expiry_date == dt.date(1996, 12, 10)
    assert result.fields.optional_data is None


def test_it_reads_a_td1_long_document_number_from_the_optional_data():
    # when
    result = parse_mrz(TD1_LONG, today=TODAY)

    # then
    assert result.valid is True
    assert result.fields.document_number == "D23145890734"
    assert result.fields.optional_data is None
    assert result.warnings == ("document_number_long_form",)
    assert check_digit("D23145890734") == TD1_LONG[0][18]


def test_a_td1_long_document_number_keeps_the_optional_data_that_follows_it():
    # given
    line1 = "I<UTOD23145890<7349<AB12<<<<<<"
    line2 = "7408122F1204159UTOCD34<<<<<<<"
    line2 += check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])

    # when
    result = parse_mrz((line1, line2, TD1[2]), today=TODAY)

    # then
    assert result.valid is True
    assert result.fields.document_number == "D23145890734"
    assert result.fields.optional_data == "AB12<<<<<<CD34"


def test_the_td1_long_document_number_check_digit_covers_the_whole_number():
    # given the check digit of the first 9 characters instead of the whole number
    line1 = _with(TD1_LONG[0], 18, check_digit("D23145890"))

    # when
    result = parse_mrz((line1, *TD1_LONG[1:]), today=TODAY, repair=False)

    # then
    assert _failed(result) == ["document_number", "composite"]


def test_a_filler_check_digit_without_a_continuation_fails_the_document_number():
    # given
    line1 = _with(TD1[0], 14, "<")

    # when
    result = parse_mrz((line1, *TD1[1:]), today=TODAY)

    # then
    assert _failed(result) == ["document_number", "composite"]
    assert result.fields.document_number == "D23145890"
    assert result.warnings == ()


def test_it_reads_a_td2_long_document_number_from_the_optional_data():
    # when
    result = parse_mrz(TD2_LONG, today=TODAY)

    # then
    assert result.valid is True
    assert result.kind == "TD2"
    assert result.fields.document_number == "D23145890734"
    assert result.fields.optional_data is None
    assert result.warnings == ("document_number_long_form",)


@pytest.mark.parametrize(
    ("lines", "line", "position", "failed"),
    [
        (TD3, 1, 3, ["document_number", "composite"]),
        (TD3, 1, 9, ["document_number", "composite"]),
        (TD3, 1, 15, ["birth_date", "composite"]),
        (TD3, 1, 19, ["birth_date", "composite"]),
        (TD3, 1, 24, ["expiry_date", "composite"]),
        (TD3, 1, 27, ["expiry_date", "composite"]),
        (TD3, 1, 30, ["personal_number", "composite"]),
        (TD3, 1, 42, ["personal_number", "composite"]),
        (TD3, 1, 43, ["composite"]),
        (TD1, 0, 7, ["document_number", "composite"]),
        (TD1, 1, 2, ["birth_date", "composite"]),
        (TD1, 1, 10, ["expiry_date", "composite"]),
        (TD1, 1, 29, ["composite"]),
        (TD2, 1, 4, ["document_number", "composite"]),
        (TD2, 1, 14, ["birth_date", "composite"]),
        (TD2, 1, 22, ["expiry_date", "composite"]),
        (TD2, 1, 35, ["composite"]),
        (MRVA, 1, 2, ["document_number"]),
        (MRVA, 1, 16, ["birth_date"]),
        (MRVA, 1, 26, ["expiry_date"]),
        (MRVB, 1, 9, ["document_number"]),
        (MRVB, 1, 19, ["birth_date"]),
        (MRVB, 1, 27, ["expiry_date"]),
    ],
)
def test_one_changed_digit_fails_exactly_its_check_and_the_composite(lines, line, position, failed):
    # given a digit changed by one (a digit where there was a letter stays a letter's job)
    original = lines[line][position]
    changed = str((int(original) + 1) % 10) if original.isdigit() else "7"
    corrupted = tuple(_with(text, position, changed) if index == line else text for index, text in enumerate(lines))

    # when
    result = parse_mrz(corrupted, today=TODAY, repair=False)

    # then
    assert _failed(result) == failed
    assert result.valid is False
    assert result.lines == corrupted


@pytest.mark.parametrize(
    ("lines", "line", "position"),
    [(TD1, 0, 20), (TD1, 1, 20), (TD2, 1, 30)],
)
def test_optional_data_is_covered_by_the_composite_alone(lines, line, position):
    # given
    corrupted = tuple(_with(text, position, "7") if index == line else text for index, text in enumerate(lines))

    # when
    result = parse_mrz(corrupted, today=TODAY)

    # then
    assert _failed(result) == ["composite"]
    assert result.repairs == ()


def test_a_personal_number_of_fillers_may_have_a_filler_check_digit():
    # given
    line2 = "L898902C36UTO7408122F1204159<<<<<<<<<<<<<<<<"
    line2 = line2[:43] + check_digit(line2[0:10] + line2[13:20] + line2[21:43])

    # when
    result = parse_mrz((TD3[0], line2), today=TODAY)

    # then
    assert result.valid is True
    assert result.fields.optional_data is None


def test_a_filler_check_digit_fails_a_personal_number_that_is_not_empty():
    # given
    line2 = _with(TD3[1], 42, "<")

    # when
    result = parse_mrz((TD3[0], line2), today=TODAY, repair=False)

    # then
    assert _failed(result) == ["personal_number", "composite"]


def test_as_json_has_iso_dates_named_checks_and_repairs():
    # given
    line2 = _with(TD3[1], 5, "O")

    # when
    result = parse_mrz((TD3[0], line2), today=TODAY)

    # then
    assert result.as_json() == {
        "kind": "TD3",
        "lines": list(TD3),
        "valid": True,
        "repaired": [{"line": 1, "position": 5, "from": "O", "to": "0", "field": "document_number"}],
        "checks": {
            "document_number": True,
            "birth_date": True,
            "expiry_date": True,
            "personal_number": True,
            "composite": True,
        },
        "fields": {
            "document_type": "P",
            "issuing_country": "UTO",
            "document_number": "L898902C3",
            "surname": "ERIKSSON",
            "given_names": "ANNA MARIA",
            "nationality": "UTO",
            "birth_date": "1974-08-12",
            "sex": "F",
            "expiry_date": "2012-04-15",
            "optional_data": "ZE184226B",
        },
        "warnings": ["check_digit_repair"],
    }


def test_without_repair_lines_are_verified_as_read():
    # given
    line2 = _with(TD3[1], 5, "O")

    # when
    result = parse_mrz((TD3[0], line2), today=TODAY, repair=False)

    # then
    assert result.lines == (TD3[0], line2)
    assert result.repairs == ()
    assert _failed(result) == ["document_number", "composite"]


def test_whitespace_inside_and_around_lines_is_ignored():
    # when
    result = parse_mrz(
        ("  P<UTO ERIKSSON<<ANNA<MARIA <<<<<<<<<<<<<<<<<<<\n", "\tL898902C36 UTO7408122F1204159ZE184226B<<<<<10 ")
    )

    # then
    assert result.lines == TD3
    assert result.lines_read == TD3
    assert result.repairs == ()


@pytest.mark.parametrize(
    "lines",
    [
        (),
        (TD3[0],),
        (TD3[0], TD3[1], TD3[1]),
        (TD3[0], TD2[1]),
        ("", TD3[1]),
        (TD1[0], TD1[1], TD1[2], TD1[2]),
        ("THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG AND", "SOME MORE PROSE THAT IS NOT A MACHINE ZONE ATALL"),
        ("1" * 44, "2" * 44),
        (TD3[0], "X" * 44),  # 17 letters where only digits fit
    ],
)
def test_it_returns_none_for_lines_that_are_no_mrz(lines):
    assert parse_mrz(lines, today=TODAY) is None


@pytest.mark.parametrize(
    ("rows", "width", "first", "kind"),
    [(3, 30, "I", "TD1"), (2, 36, "I", "TD2"), (2, 36, "V", "MRVB"), (2, 44, "P", "TD3"), (2, 44, "V", "MRVA")],
)
def test_the_format_follows_from_lines_width_and_visa_code(rows, width, first, kind):
    assert layout_for(rows, width, first).kind == kind


@pytest.mark.parametrize(("rows", "width"), [(2, 30), (3, 36), (3, 44), (1, 44), (2, 40)])
def test_no_other_shape_is_an_mrz_format(rows, width):
    assert layout_for(rows, width, "P") is None
