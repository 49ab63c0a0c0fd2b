"""MRZ repair by alphabet, lookalikes and filler structure (K read for <)."""

from __future__ import annotations

import datetime as dt

import pytest

from submissions.pipeline.mrz import MrzRepair, check_digit, parse_mrz

TODAY = dt.date(2025, 6, 1)
TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
TD1_LONG = ("I<UTOD23145890<7349<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")


def _with(line: str, position: int, char: str) -> str:
    return line[:position] + char + line[position + 1 :]


NAMES = "P<UTOBOGSIZ<<ANNA<<<<<<<<<<<<<<<<<<<<<<<<<<<"  # B O G S I Z at positions 5-10


@pytest.mark.parametrize(
    ("position", "read", "printed", "field"),
    [
        (15, "O", "0", "birth_date"),
        (15, "Q", "0", "birth_date"),
        (15, "D", "0", "birth_date"),
        (15, "U", "0", "birth_date"),
        (17, "I", "1", "birth_date"),
        (17, "L", "1", "birth_date"),
        (18, "Z", "2", "birth_date"),
        (26, "S", "5", "expiry_date"),
        (9, "G", "6", "document_number_check"),
        (13, "T", "7", "birth_date"),
        (16, "B", "8", "birth_date"),
        (19, "Z", "2", "birth_date_check"),
        (43, "O", "0", "composite_check"),
        (42, "I", "1", "personal_number_check"),
    ],
)
def test_a_letter_read_where_only_a_digit_fits_is_mapped_to_its_digit(position, read, printed, field):
    # given
    line2 = _with(TD3[1], position, read)

    # when
    result = parse_mrz((TD3[0], line2), today=TODAY)

    # then
    assert result.valid is True
    assert result.lines == TD3
    assert result.repairs == (MrzRepair(1, position, read, printed, field),)


@pytest.mark.parametrize(
    ("position", "read", "printed"),
    [(5, "8", "B"), (6, "0", "O"), (7, "6", "G"), (8, "5", "S"), (9, "1", "I"), (10, "2", "Z")],
)
def test_a_digit_read_in_a_name_is_mapped_to_its_letter(position, read, printed):
    # given
    line1 = _with(NAMES, position, read)

    # when
    result = parse_mrz((line1, TD3[1]), today=TODAY)

    # then
    assert result.lines == (NAMES, TD3[1])
    assert result.repairs == (MrzRepair(0, position, read, printed, "name"),)
    assert result.fields.surname == "BOGSIZ"


@pytest.mark.parametrize(
    ("line", "position", "read", "printed", "field"),
    [
        (0, 4, "0", "O", "issuing_country"),
        (1, 12, "0", "O", "nationality"),
        (1, 20, "K", "<", "sex"),
    ],
)
def test_codes_and_sex_are_repaired_by_their_alphabet(line, position, read, printed, field):
    # given
    lines = (TD3[0], _with(TD3[1], 20, "<"))
    corrupted = tuple(_with(text, position, read) if index == line else text for index, text in enumerate(lines))

    # when
    result = parse_mrz(corrupted, today=TODAY)

    # then
    assert result.valid is True
    assert result.lines == lines
    assert result.repairs == (MrzRepair(line, position, read, printed, field),)


def test_a_td1_document_code_read_as_one_is_mapped_to_i():
    # when
    result = parse_mrz(("1<UTOD231458907<<<<<<<<<<<<<<<", *TD1[1:]), today=TODAY)

    # then
    assert result.lines == TD1
    assert result.repairs == (MrzRepair(0, 0, "1", "I", "document_code"),)


@pytest.mark.parametrize(
    ("line", "position", "read"),
    [
        (0, 0, "Р"),  # Cyrillic Er
        (0, 2, "u"),
        (0, 4, "Ο"),  # Greek Omicron
        (0, 5, "Е"),  # Cyrillic Ie
        (0, 13, "«"),
        (0, 14, "く"),
        (0, 30, "‹"),
        (0, 43, "＜"),
        (1, 14, "４"),  # full-width digit
        (1, 38, "〈"),
    ],
)
def test_lookalikes_and_lower_case_become_mrz_characters(line, position, read):
    # given
    corrupted = tuple(_with(text, position, read) if index == line else text for index, text in enumerate(TD3))

    # when
    result = parse_mrz(corrupted, today=TODAY)

    # then
    assert result.valid is True
    assert result.lines == TD3
    assert result.lines_read == corrupted
    assert [(repair.line, repair.position, repair.from_char) for repair in result.repairs] == [(line, position, read)]


@pytest.mark.parametrize(
    ("name_read", "name_repaired"),
    [
        ("ERIKSSON<<ANNA<MARIA<<K<<<<<<<<<<<<<<<<<", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<"),
        ("ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<KKKK", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<"),
        ("MADONNA<<<K<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", "MADONNA<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<"),
    ],
)
def test_ks_after_the_end_of_the_name_are_fillers(name_read, name_repaired):
    # when
    result = parse_mrz(("P<UTO" + name_read[:39], TD3[1]), today=TODAY)

    # then
    assert result.lines[0] == "P<UTO" + name_repaired[:39]
    assert {repair.to_char for repair in result.repairs} == {"<"}
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("name_field", "surname", "given_names"),
    [
        ("SMITH<<JOHN<K<<<<<<<<<<<<<<<<<<<<<<<<<<", "SMITH", "JOHN K"),  # a one-letter given name
        ("MADONNA<<K<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", "MADONNA", "K"),
        ("SMITHK<<JOHN<<<<<<<<<<<<<<<<<<<<<<<<<<<", "SMITHK", "JOHN"),
        ("SMITH<<JOHN<<PAUL<K<<<<<<<<<<<<<<<<<<<<", "SMITH", "JOHN PAUL K"),  # structure broken: hands off
    ],
)
def test_a_k_that_may_be_part_of_the_name_is_kept(name_field, surname, given_names):
    # when
    result = parse_mrz(("P<UTO" + name_field, TD3[1]), today=TODAY)

    # then
    assert result.repairs == ()
    assert (result.fields.surname, result.fields.given_names) == (surname, given_names)


def test_ks_in_the_padding_of_a_document_number_are_fillers():
    # given a 7-character number padded with fillers, the second read as K
    number = "AB12345<<"
    line2 = number + check_digit(number) + TD3[1][10:43]
    line2 += check_digit(line2[0:10] + line2[13:20] + line2[21:43])

    # when
    result = parse_mrz((TD3[0], _with(line2, 8, "K")), today=TODAY)

    # then
    assert result.valid is True
    assert result.lines == (TD3[0], line2)
    assert result.repairs == (MrzRepair(1, 8, "K", "<", "document_number"),)
    assert result.fields.document_number == "AB12345"


def test_a_k_touching_the_document_number_is_kept_as_no_check_digit_can_tell():
    # given
    number = "AB12345<<"
    line2 = number + check_digit(number) + TD3[1][10:43]
    line2 += check_digit(line2[0:10] + line2[13:20] + line2[21:43])

    # when
    result = parse_mrz((TD3[0], _with(line2, 7, "K")), today=TODAY)

    # then K and < differ by 20: every check digit still passes
    assert result.valid is True
    assert result.repairs == ()
    assert result.fields.document_number == "AB12345K"


def test_ks_in_a_state_code_padding_are_fillers():
    # when
    result = parse_mrz(("P<D<K" + TD3[0][5:], TD3[1]), today=TODAY)

    # then
    assert result.lines[0] == "P<D<<" + TD3[0][5:]
    assert result.fields.issuing_country == "D"


def test_an_empty_personal_number_with_a_filler_check_digit_has_no_k():
    # given
    line2 = "L898902C36UTO7408122F1204159" + "<" * 15
    line2 += check_digit(line2[0:10] + line2[13:20] + line2[21:43])
    corrupted = line2[:28] + "K<<K<<<<<<<<<<K" + line2[43]

    # when
    result = parse_mrz((TD3[0], corrupted), today=TODAY)

    # then
    assert result.valid is True
    assert result.lines == (TD3[0], line2)
    assert [(repair.position, repair.field) for repair in result.repairs] == [
        (28, "personal_number"),
        (31, "personal_number"),
        (42, "personal_number_check"),
    ]


def test_a_td1_long_number_filler_read_as_k_is_a_filler():
    # when
    result = parse_mrz((_with(TD1_LONG[0], 14, "K"), *TD1_LONG[1:]), today=TODAY)

    # then
    assert result.valid is True
    assert result.lines == TD1_LONG
    assert result.repairs == (MrzRepair(0, 14, "K", "<", "document_number_check"),)


def test_a_td1_long_number_check_digit_read_as_a_letter_is_a_digit():
    # given D23145890735, check digit 0
    lines = ("I<UTOD23145890<7350<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", TD1[2])

    # when
    result = parse_mrz((_with(lines[0], 18, "O"), *lines[1:]), today=TODAY)

    # then
    assert result.valid is True
    assert result.lines == lines
    assert result.fields.document_number == "D23145890735"
    assert result.repairs == (MrzRepair(0, 18, "O", "0", "document_number_check"),)


def test_a_character_that_folds_into_several_is_left_as_read_and_flagged():
    # given the ligature ﬁ (NFKC: "fi", two characters) inside the name
    line1 = _with(TD3[0], 7, "ﬁ")

    # when
    result = parse_mrz((line1, TD3[1]), today=TODAY)

    # then
    assert result.lines == (line1, TD3[1])
    assert result.repairs == ()
    assert result.valid is True  # names are outside every check digit
    assert result.warnings == ("invalid_characters",)
    assert result.fields.surname == "ERﬁKSSON"
