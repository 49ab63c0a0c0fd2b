"""Choosing the layout of an MRZ reading: a glyph the position's alphabet cannot hold drops the
layout, unless it is the look-alike of one it can (O for 0, I for 1…)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from submissions.pipeline.mrz_choice import _parse_reading
from submissions.pipeline.mrz_glyphs import ALPHABET
from submissions.pipeline.mrz_reader import MrzReading

TODAY = dt.date(2026, 11, 25)
TD2 = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")


def _reading(lines: tuple[str, ...]) -> MrzReading:
    """What the classifier says about glyphs it is certain of: one character scores 1, the others
    a billionth, as the LDA model does on sharp glyphs."""
    scores = []
    for line in lines:
        table = np.full((len(line), len(ALPHABET)), 1e-9)
        table[np.arange(len(line)), [ALPHABET.index(char) for char in line]] = 1.0
        scores.append(table)
    cells = tuple(np.zeros((len(line), 4, 4)) for line in lines)
    return MrzReading(lines, tuple(scores), cells, 1.0, 0.0, (0, 0, 100, 20))


def test_a_letter_o_printed_where_only_digits_go_is_read_as_zero_and_reported():
    # the birth date 740812 read with a sure letter O for its 0
    misread = (TD2[0], TD2[1].replace("7408122", "74O8122"))
    result = _parse_reading(_reading(misread), TODAY)
    assert result is not None
    assert (result.valid, result.lines) == (True, TD2)
    assert result.fields.birth_date == dt.date(1974, 8, 12)
    assert [(r.line, r.position, r.from_char, r.to_char) for r in result.repairs] == [(1, 15, "O", "0")]


def test_a_glyph_that_looks_like_nothing_allowed_drops_the_layout():
    misread = (TD2[0], TD2[1].replace("7408122", "74X8122"))
    assert _parse_reading(_reading(misread), TODAY) is None


def test_a_clean_reading_parses_as_printed():
    result = _parse_reading(_reading(TD2), TODAY)
    assert (result.valid, result.lines, result.repairs) == (True, TD2, ())
