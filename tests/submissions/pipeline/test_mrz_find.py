"""find_mrz: the MRZ among noisy OCR output lines."""

from __future__ import annotations

import datetime as dt

import pytest

from submissions.pipeline.mrz import find_mrz

TODAY = dt.date(2025, 6, 1)
TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")


def _with(line: str, position: int, char: str) -> str:
    return line[:position] + char + line[position + 1 :]


def test_find_mrz_picks_the_mrz_out_of_noisy_ocr_lines():
    # given
    text_lines = [
        "REPUBLIC OF UTOPIA",
        "PASSPORT / PASSEPORT",
        "Surname ERIKSSON",
        "",
        "p<uto eriksson«<anna<maria <<<<<<<<<<<<<<<<<<<",
        " L898902C36 UTO7408122F1204159ZE184226B<<<<<10 ",
        "© 2012",
    ]

    # when
    result = find_mrz(text_lines, today=TODAY)

    # then
    assert result.valid is True
    assert result.kind == "TD3"
    assert result.lines == TD3
    assert result.fields.surname == "ERIKSSON"


def test_find_mrz_prefers_the_valid_window_over_one_with_a_noise_line():
    # given a 30-character noise line just before a TD1
    text_lines = ["IDENTITY CARD OF UTOPIA NO 123", *TD1, "Cyrillic Ε in the last line"]
    text_lines[3] = text_lines[3].replace("E", "Е", 1)  # Cyrillic Ie

    # when
    result = find_mrz(text_lines, today=TODAY)

    # then
    assert result.valid is True
    assert result.lines == TD1


def test_find_mrz_returns_the_window_with_the_most_checks_when_none_is_valid():
    # given
    broken = _with(TD3[1], 15, "9")

    # when
    result = find_mrz(
        [
            "P<UTOTHIS<<IS<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<",
            "NOT AN MRZ AT ALL, ONLY 44 CHARACTERS LONG!",
            *(TD3[0], broken),
        ]
    )

    # then
    assert result.lines == (TD3[0], broken)
    assert [check.name for check in result.checks if not check.passed] == ["birth_date", "composite"]


@pytest.mark.parametrize(
    "text_lines",
    [
        [],
        ["hello", "world"],
        ["THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG AND", "SOME MORE PROSE THAT IS NOT A MACHINE ZONE ATALL"],
        ["<" * 44, "<" * 44],
    ],
)
def test_find_mrz_returns_none_when_nothing_is_plausible(text_lines):
    assert find_mrz(text_lines, today=TODAY) is None
