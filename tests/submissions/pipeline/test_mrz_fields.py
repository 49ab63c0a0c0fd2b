"""MRZ field normalisation: century resolution, unknown dates, names, sex, codes, optional data."""

from __future__ import annotations

import datetime as dt

import pytest

from submissions.pipeline.mrz import check_digit, parse_mrz

TODAY = dt.date(2025, 6, 1)
TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")


def _with(line: str, position: int, char: str) -> str:
    return line[:position] + char + line[position + 1 :]


@pytest.mark.parametrize(
    ("yymmdd", "today", "expected"),
    [
        ("740812", TODAY, dt.date(1974, 8, 12)),
        ("250601", TODAY, dt.date(2025, 6, 1)),  # today is not in the future
        ("250602", TODAY, dt.date(1925, 6, 2)),  # tomorrow is, so a century back
        ("991231", TODAY, dt.date(1999, 12, 31)),
        ("000101", TODAY, dt.date(2000, 1, 1)),
        ("000229", TODAY, dt.date(2000, 2, 29)),
        ("240229", TODAY, dt.date(2024, 2, 29)),
        ("500101", dt.date(2049, 12, 31), dt.date(1950, 1, 1)),
        ("490101", dt.date(2049, 12, 31), dt.date(2049, 1, 1)),
        ("050101", dt.date(2101, 3, 1), dt.date(2005, 1, 1)),
        ("010101", dt.date(2101, 3, 1), dt.date(2101, 1, 1)),
    ],
)
def test_a_birth_date_is_the_latest_date_not_after_today(yymmdd, today, expected):
    # given
    line2 = TD3[1][:13] + yymmdd + check_digit(yymmdd) + TD3[1][20:43]
    line2 += check_digit(line2[0:10] + line2[13:20] + line2[21:43])

    # when
    result = parse_mrz((TD3[0], line2), today=today)

    # then
    assert result.valid is True
    assert result.fields.birth_date == expected


@pytest.mark.parametrize(
    ("yymmdd", "today", "expected"),
    [
        ("120415", TODAY, dt.date(2012, 4, 15)),
        ("350601", TODAY, dt.date(2035, 6, 1)),
        ("961210", TODAY, dt.date(1996, 12, 10)),
        ("741231", TODAY, dt.date(2074, 12, 31)),  # 49.6 years ahead beats 50.4 years ago
        ("760101", TODAY, dt.date(1976, 1, 1)),  # 49.4 years ago beats 50.6 years ahead
        ("750601", TODAY, dt.date(2075, 6, 1)),  # 50 years either way: 2075 is fewer days away
        ("750602", TODAY, dt.date(1975, 6, 2)),  # 2075-06-02 is past today + 50 years
        ("750531", TODAY, dt.date(2075, 5, 31)),  # 1975-05-31 is before today - 50 years
        ("000229", TODAY, dt.date(2000, 2, 29)),
        ("050101", dt.date(2095, 1, 1), dt.date(2105, 1, 1)),
        ("990101", dt.date(2003, 1, 1), dt.date(1999, 1, 1)),
        ("090101", dt.date(2003, 1, 1), dt.date(2009, 1, 1)),
        ("740228", dt.date(2024, 2, 29), dt.date(2074, 2, 28)),  # today - 50 years is 1974-02-28
    ],
)
def test_an_expiry_date_takes_the_century_closest_to_today(yymmdd, today, expected):
    # given
    line2 = TD3[1][:21] + yymmdd + check_digit(yymmdd) + TD3[1][28:43]
    line2 += check_digit(line2[0:10] + line2[13:20] + line2[21:43])

    # when
    result = parse_mrz((TD3[0], line2), today=today)

    # then
    assert result.valid is True
    assert result.fields.expiry_date == expected


@pytest.mark.parametrize(
    ("birth", "expiry", "birth_date", "expiry_date", "warnings"),
    [
        ("7408<<", "120415", None, dt.date(2012, 4, 15), ("birth_date_unknown",)),
        ("74<<<<", "120415", None, dt.date(2012, 4, 15), ("birth_date_unknown",)),
        ("<<<<<<", "<<<<<<", None, None, ("birth_date_unknown", "expiry_date_unknown")),
        ("741332", "120415", None, dt.date(2012, 4, 15), ("birth_date_invalid",)),
        ("740812", "130229", dt.date(1974, 8, 12), None, ("expiry_date_invalid",)),
    ],
)
def test_unknown_or_impossible_dates_are_none_with_a_warning(birth, expiry, birth_date, expiry_date, warnings):
    # given
    line2 = TD3[1][:13] + birth + check_digit(birth) + "F" + expiry + check_digit(expiry) + TD3[1][28:43]
    line2 += check_digit(line2[0:10] + line2[13:20] + line2[21:43])

    # when
    result = parse_mrz((TD3[0], line2), today=TODAY)

    # then
    assert result.valid is True
    assert result.fields.birth_date == birth_date
    assert result.fields.expiry_date == expiry_date
    assert result.warnings == warnings


@pytest.mark.parametrize(
    ("name_field", "surname", "given_names", "warnings"),
    [
        ("ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "ERIKSSON", "ANNA MARIA", ()),
        ("VAN<DER<BERG<<JAN<<<<<<<<<<<<<<<<<<<<<<", "VAN DER BERG", "JAN", ()),
        ("MADONNA<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", "MADONNA", None, ()),
        ("<<ANNA<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", None, "ANNA", ()),
        (
            "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLM",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLM",
            None,
            ("name_truncated",),
        ),
        ("ERIKSSON<<ANNA<MARIA<ELISABETH<CHARLOTT", "ERIKSSON", "ANNA MARIA ELISABETH CHARLOTT", ("name_truncated",)),
    ],
)
def test_names_split_on_the_double_filler(name_field, surname, given_names, warnings):
    # when
    result = parse_mrz(("P<UTO" + name_field, TD3[1]), today=TODAY)

    # then
    assert (result.fields.surname, result.fields.given_names) == (surname, given_names)
    assert result.warnings == warnings


@pytest.mark.parametrize(("printed", "sex"), [("M", "M"), ("F", "F"), ("<", "X"), ("X", "X")])
def test_sex_is_m_f_or_x(printed, sex):
    # given
    line2 = _with(TD3[1], 20, printed)

    # when
    result = parse_mrz((TD3[0], line2), today=TODAY)

    # then
    assert result.valid is True  # sex is outside every check digit
    assert result.fields.sex == sex


@pytest.mark.parametrize(
    ("code", "state", "nationality", "document_type", "issuing_country", "nationality_out"),
    [
        ("P<", "D<<", "D<<", "P", "D", "D"),
        ("PD", "GBD", "GBR", "PD", "GBD", "GBR"),
        ("PO", "UNO", "XXA", "PO", "UNO", "XXA"),
        ("AC", "UTO", "XXB", "AC", "UTO", "XXB"),
    ],
)
def test_codes_lose_their_fillers_and_keep_icao_special_codes(
    code, state, nationality, document_type, issuing_country, nationality_out
):
    # given
    line1 = code + state + TD3[0][5:]
    line2 = TD3[1][:10] + nationality + TD3[1][13:]

    # when
    result = parse_mrz((line1, line2), today=TODAY)

    # then
    assert result.valid is True
    assert result.fields.document_type == document_type
    assert result.fields.issuing_country == issuing_country
    assert result.fields.nationality == nationality_out


def test_td1_optional_data_joins_both_lines_as_printed():
    # given
    line1 = "I<UTOD231458907AB12<<<<<<<<<<<"
    line2 = "7408122F1204159UTO<<<CD34<<<<"
    line2 += check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])

    # when
    result = parse_mrz((line1, line2, TD1[2]), today=TODAY)

    # then
    assert result.valid is True
    assert result.fields.optional_data == "AB12<<<<<<<<<<<<<<CD34"


def test_today_defaults_to_the_current_date():
    # when
    result = parse_mrz(TD3)

    # then
    assert result.fields.birth_date == dt.date(1974, 8, 12)


def test_a_date_with_a_letter_left_in_it_is_invalid():
    # given
    line2 = _with(TD3[1], 15, "X")

    # when
    result = parse_mrz((TD3[0], line2), today=TODAY, repair=False)

    # then
    assert result.fields.birth_date is None
    assert result.warnings == ("birth_date_invalid", "invalid_characters")
