"""The visual zone's text rules: printed dates, names against the MRZ, captions, field checks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from submissions.pipeline.visual.crosscheck import check_field
from submissions.pipeline.visual.dates import dates_in
from submissions.pipeline.visual.labels import Caption, caption_of, value_line
from submissions.pipeline.visual.ocr import TextBox, TextLine
from submissions.pipeline.visual.text import name_words, number_key, similarity


def line(text: str, left: float = 0, top: float = 0, height: float = 20, width: float = 200, score: float = 0.99):
    corners = np.float32([[left, top], [left + width, top], [left + width, top + height], [left, top + height]])
    return TextLine(text, score, TextBox(corners))


@pytest.mark.parametrize(
    ("printed", "dates"),
    [
        ("09 JUL 1981", {dt.date(1981, 7, 9)}),
        ("09 JUIL/JUL 1981", {dt.date(1981, 7, 9)}),
        ("12 0CT 2024", {dt.date(2024, 10, 12)}),  # the O of OCT read as a zero
        ("19MAR1959", {dt.date(1959, 3, 19)}),
        ("O9 DEC 2035", {dt.date(2035, 12, 9)}),  # the zero of the day read as an O
        ("3 MAI 99", {dt.date(1999, 5, 3), dt.date(2099, 5, 3)}),  # both centuries: the caller knows
        ("1981/07/09", {dt.date(1981, 7, 9)}),
        ("1981-07-09", {dt.date(1981, 7, 9)}),
        ("07/09/1981", {dt.date(1981, 7, 9), dt.date(1981, 9, 7)}),  # US or European: both
        ("13.09.1981", {dt.date(1981, 9, 13)}),  # no thirteenth month: one reading
        ("Statement date 14 March 2025", {dt.date(2025, 3, 14)}),  # full month, after a word
        ("1 SEPTEMBER 2030", {dt.date(2030, 9, 1)}),
        ("15 JUIN 2020", {dt.date(2020, 6, 15)}),  # JUIN is June, JUIL July: four letters tell
        ("4 OKTOBER 2019", {dt.date(2019, 10, 4)}),
        ("DATE 14", set()),  # a word is never a day
        ("10JUL 2029", {dt.date(2029, 7, 10)}),  # a two-digit day run into its month
        ("31.02.1990", set()),
        ("AUTH 4786", set()),
        ("176 cm", set()),
    ],
)
def test_it_reads_printed_dates_in_every_common_format(printed, dates):
    assert dates_in(printed) == dates


def test_it_compares_names_as_the_mrz_writes_them():
    assert name_words("Müller-Lüdenscheidt") == ["MULLER", "LUDENSCHEIDT"]
    assert name_words("Müller", icao_spelling=True) == ["MUELLER"]
    assert name_words("O'NEIL<<J0HN") == ["O", "NEIL", "JOHN"]
    assert number_key("B29 554-132") == "829554132"
    assert similarity("FERNANDEZ", "FERNANDES") == pytest.approx(1 - 1 / 9)


@pytest.mark.parametrize(
    ("printed", "field", "weak", "rest"),
    [
        ("Surname / Nom", "surname", False, ""),
        ("Sumame/Nom", "surname", False, ""),  # OCR damage on one language, the other holds
        ("Given names / Prénoms", "given_names", False, ""),
        ("Date of expiry / Date d'expiration", "expiry_date", False, ""),
        ("Until / Au", "expiry_date", False, ""),
        ("Passport No./ No du passeport", "document_number", True, ""),
        ("Surname / Nom: DUPONT", "surname", False, "DUPONT"),
        ("3 DOB", "birth_date", False, ""),
        ("4b EXP", "expiry_date", False, ""),
        ("15SEX", "sex", False, ""),
        ("1", "surname", False, ""),
        ("4a ISS", None, False, ""),
    ],
)
def test_it_knows_the_captions(printed, field, weak, rest):
    caption = caption_of(line(printed))
    assert caption is not None
    assert (caption.field, caption.weak, caption.rest) == (field, weak, rest)


@pytest.mark.parametrize("printed", ["HERNANDEZ", "190362561", "SAINT NOME", "09 JUL 1981"])
def test_values_are_not_captions(printed):
    assert caption_of(line(printed)) is None


def test_a_caption_introduces_the_value_below_it_not_its_neighbours_value():
    surname_caption = line("Surname / Nom", left=100, top=100, height=12)
    sex_caption = line("Sex / Sexe", left=400, top=100, height=12)
    sex = line("F", left=400, top=116, height=20, width=15)
    surname = line("OWUSU", left=101, top=116, height=20)
    lines = [surname_caption, sex_caption, sex, surname]
    captions = {index: caption_of(item) for index, item in enumerate(lines)}
    assert value_line(surname_caption, lines, captions) is surname
    assert value_line(sex_caption, lines, captions) is sex


def test_a_field_matches_when_printed_anywhere_with_mrz_truncation_allowed():
    lines = [line("Given names / Prénoms"), line("MARIA-JOSEFINA ANTONELLA")]
    check = check_field("given_names", "MARIA JOSEFINA ANTON", lines, None, truncated=True)
    assert (check.status, check.printed) == ("match", "MARIA-JOSEFINA ANTONELLA")
    # a name that was not cut to fit is not a prefix of a longer word
    assert check_field("surname", "LI", [line("DRIVER'S LICENCE")], None).status == "unread"


def test_a_confidently_different_value_is_a_mismatch_and_a_damaged_one_is_unread():
    caption, printed = line("Surname / Nom"), line("JOHNSON", top=30)
    mismatch = check_field("surname", "FERNANDEZ", [caption, printed], printed)
    assert (mismatch.status, mismatch.printed) == ("mismatch", "JOHNSON")
    damaged = line("FERNANOEZ", top=30, score=0.95)
    assert check_field("surname", "FERNANDEZ", [caption, damaged], damaged).status == "match"
    blurred = line("JOHNSON", top=30, score=0.6)
    assert check_field("surname", "FERNANDEZ", [caption, blurred], blurred).status == "unread"
    assert check_field("surname", "FERNANDEZ", [caption], None).status == "unread"


def test_a_different_date_under_its_caption_is_a_mismatch():
    printed = line("09 JUL 1982", top=30)
    check = check_field("birth_date", dt.date(1981, 7, 9), [line("Date of birth"), printed], printed)
    assert (check.status, check.expected, check.printed) == ("mismatch", "1981-07-09", "09 JUL 1982")


def test_words_run_together_by_the_ocr_still_match():
    check = check_field("given_names", "RAHUL JEAN", [line("RAHULJEAN")], None)
    assert check.status == "match"


def test_a_capitalised_value_that_starts_like_a_caption_is_a_value():
    assert caption_of(line("DU PONT")) is None
    assert caption_of(line("Du / From")) == Caption(None, False, "")  # styled as a caption: one
    assert caption_of(line("9 CLASS")).field is None
