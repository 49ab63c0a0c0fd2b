"""MRZ repair by check digit (confusable swaps) and line length."""

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


def _td3_line2(personal: str) -> str:
    personal = personal.ljust(14, "<")
    line = "L898902C36UTO7408122F1204159" + personal + check_digit(personal)
    return line + check_digit(line[0:10] + line[13:20] + line[21:43])


@pytest.mark.parametrize(
    ("line", "position", "read", "printed"),
    [(0, 10, "S", "5"), (0, 13, "O", "0")],
)
def test_a_td1_long_number_is_repaired_against_its_check_digit_and_the_composite(line, position, read, printed):
    # when
    result = parse_mrz((_with(TD1_LONG[0], position, read), *TD1_LONG[1:]), today=TODAY)

    # then
    assert result.valid is True
    assert result.lines == TD1_LONG
    assert result.repairs == (MrzRepair(line, position, read, printed, "document_number"),)
    assert result.warnings == ("document_number_long_form", "check_digit_repair")


def test_a_document_number_is_repaired_when_one_swap_alone_fits_its_check_digit():
    # when
    result = parse_mrz((TD3[0], _with(TD3[1], 5, "O")), today=TODAY)

    # then
    assert result.valid is True
    assert result.lines == TD3
    assert result.repairs == (MrzRepair(1, 5, "O", "0", "document_number"),)
    assert result.warnings == ("check_digit_repair",)


@pytest.mark.parametrize(("position", "read", "printed"), [(28, "I", "1"), (29, "Z", "2"), (32, "S", "5")])
def test_a_personal_number_is_repaired_when_one_swap_alone_fits_its_check_digit(position, read, printed):
    # given
    line2 = _td3_line2("1234567")

    # when
    result = parse_mrz((TD3[0], _with(line2, position, read)), today=TODAY)

    # then
    assert result.valid is True
    assert result.lines == (TD3[0], line2)
    assert result.repairs == (MrzRepair(1, position, read, printed, "personal_number"),)
    assert result.warnings == ("check_digit_repair",)


@pytest.mark.parametrize(
    ("position", "read"),
    [(1, "B"), (6, "Z")],  # L898902C3: 8→B at 1 is matched by 8→B at 3, 2→Z at 6 by others
)
def test_two_swaps_that_fit_the_check_digit_equally_are_refused(position, read):
    # given
    corrupted = _with(TD3[1], position, read)

    # when
    result = parse_mrz((TD3[0], corrupted), today=TODAY)

    # then
    assert result.valid is False
    assert result.lines == (TD3[0], corrupted)
    assert result.repairs == ()
    assert result.warnings == ("check_digit_ambiguous_repair",)
    assert [check.name for check in result.checks if not check.passed] == ["document_number", "composite"]


def test_a_field_that_needs_two_swaps_is_refused():
    # given L898902C3 read as L8989OZC3: no single swap fits the check digit
    corrupted = TD3[1][:5] + "OZ" + TD3[1][7:]

    # when
    result = parse_mrz((TD3[0], corrupted), today=TODAY)

    # then
    assert result.valid is False
    assert result.lines == (TD3[0], corrupted)
    assert result.repairs == ()
    assert result.warnings == ()


def test_a_check_digit_repair_is_flagged_as_an_unknown_misread_can_fool_it():
    # given L898902C3 with its 9 misread as 5 (a confusion the search does not know)
    corrupted = _with(TD3[1], 2, "5")

    # when
    result = parse_mrz((TD3[0], corrupted), today=TODAY)

    # then a 0 elsewhere is "explained" as an O: valid, wrong, and flagged
    assert result.valid is True
    assert result.fields.document_number == "L8589O2C3"
    assert result.repairs == (MrzRepair(1, 5, "0", "O", "document_number"),)
    assert result.warnings == ("check_digit_repair",)


def test_a_swap_must_also_satisfy_the_composite():
    # given the one swap that fits the document number (O→0 at 5) while the birth date is wrong
    line2 = _with(_with(TD3[1], 5, "O"), 18, "3")

    # when
    result = parse_mrz((TD3[0], line2), today=TODAY)

    # then
    assert result.lines == (TD3[0], line2)
    assert result.repairs == ()
    assert result.warnings == ()
    assert [check.name for check in result.checks if not check.passed] == ["document_number", "birth_date", "composite"]


@pytest.mark.parametrize(("position", "char"), [(3, "?"), (43, "?")])
def test_nothing_is_swapped_when_the_field_or_the_composite_holds_a_foreign_character(position, char):
    # given O→0 at 5, repairable on its own
    line2 = _with(_with(TD3[1], 5, "O"), position, char)

    # when
    result = parse_mrz((TD3[0], line2), today=TODAY)

    # then
    assert result.lines == (TD3[0], line2)
    assert result.repairs == ()
    assert result.warnings == ("invalid_characters",)
    assert [check.name for check in result.checks if not check.passed] == ["document_number", "composite"]


def test_check_digit_blind_confusions_are_never_swapped():
    # G/6, K/<, U/0 and L/1 differ by a multiple of 10: no check digit can see them
    assert check_digit("L898902G3") == check_digit("L89890263")
    assert check_digit("AB12345K<") == check_digit("AB12345<<")
    assert check_digit("U1") == check_digit("01")
    assert check_digit("L1") == check_digit("11")


def test_a_line_one_filler_too_long_at_the_end_is_trimmed():
    # when
    result = parse_mrz((TD3[0] + "<", TD3[1]), today=TODAY)

    # then
    assert result.valid is True
    assert result.lines == TD3
    assert result.lines_read == (TD3[0] + "<", TD3[1])
    assert result.repairs == (MrzRepair(0, 44, "<", "", "line_length"),)


def test_a_line_one_filler_too_short_at_the_end_is_padded():
    # when
    result = parse_mrz((TD1[0], TD1[1], TD1[2][:-1]), today=TODAY)

    # then
    assert result.valid is True
    assert result.lines == TD1
    assert result.repairs == (MrzRepair(2, 29, "", "<", "line_length"),)


@pytest.mark.parametrize(
    ("lines", "repair"),
    [
        ((TD3[0], TD3[1][:-1]), True),  # a short line that ends in a digit lost something else
        ((TD3[0], TD3[1] + "0"), True),
        ((TD3[0] + "<<", TD3[1]), True),
        ((TD3[0][:-2], TD3[1]), True),
        ((TD3[0] + "<", TD3[1]), False),
    ],
)
def test_other_line_lengths_are_refused(lines, repair):
    assert parse_mrz(lines, today=TODAY, repair=repair) is None
