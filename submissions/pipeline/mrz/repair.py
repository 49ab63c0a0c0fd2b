"""Repair OCR'd MRZ text with the field alphabets, the filler structure and the check digits.

Rules, applied in this order (each changed character is reported by the caller):

1. Characters: NFKC and upper-case one character at a time (so positions never move), then
   lookalikes: Cyrillic/Greek capitals, and ``« ‹ 〈 く ＜ ( {`` for the filler ``<``.
2. Alphabets: a character that is not allowed at its position is mapped by the position's
   alphabet: to a digit ``O Q D U→0, I L→1, Z→2, S→5, G→6, B→8, T→7`` (dates, check digits),
   to a letter ``0→O, 1→I, 2→Z, 5→S, 6→G, 8→B`` (codes, states, names), ``K→<`` where a
   filler is allowed and K is not (sex, dates, check digits that may be ``<``). A character
   valid for its position is never changed here.
3. Fillers read as K. K and ``<`` differ by 20, so no check digit can tell them apart: only
   structure decides, and a K that could be a letter of the data is kept.
   * Names: components are separated by one ``<``, surname from given names by ``<<``; the
     name ends at the first ``<<`` after that separator (or right at it when the given names
     are empty). A K after that end, in a tail made only of ``<`` and K, is a filler.
     ``SMITH<<JOHN<K<<`` is kept (the given names may be "JOHN K"); ``SMITH<<JOHN<<K<``
     becomes ``SMITH<<JOHN<<<<``.
   * Other fields (states, document and personal numbers, optional data) are left-aligned and
     padded: in the field's trailing run of ``<``/K, a K preceded by a ``<`` of that run is a
     filler; a K touching the data (``AB12K<<``) is kept. A TD3 personal number whose check
     digit is ``<`` must be all fillers, so its Ks are fillers.
4. Check digits. A document or personal number (both alphanumeric) that fails its check
   digit is searched for the swaps ``O/0 I/1 S/5 B/8 Z/2 T/7 D/0 Q/0``, fewest swaps first, up
   to ``MAX_SWAPS`` (1, see below). A candidate must be the only one at the smallest count
   that satisfies the field's check digit, and must then satisfy the composite too. Then it
   is applied (warning ``check_digit_repair``); otherwise nothing changes (two or more
   candidates: warning ``check_digit_ambiguous_repair``).
   * Uniqueness is judged on the field's own check digit, without the composite's help: where
     the composite weighs the field differently (the TD1 long number) a wrong swap could
     otherwise be picked because it cancels an error elsewhere in the composite.
   * ``G/6`` (and ``K/<``, ``L/1``, ``U/0``) differ by a multiple of 10: invisible to every
     check digit, never swapped.
   * The search is only as safe as its confusion list: an error it does not know (a digit
     read as another digit) fails the check digit and may then be "explained" by a wrong swap
     elsewhere; such results carry the warning ``check_digit_repair``. Measured on random
     9-character numbers, a digit misread as another digit comes out valid and wrong 26–33 %
     of the time with one swap allowed, 40–45 % with two or three, while two swaps recover
     only 4–22 % of double confusions (and two confusions in one field are wrong ~42 % of the
     time either way). Hence ``MAX_SWAPS = 1``.
   * Fields covered by the composite alone (TD1/TD2 optional data) are not searched: one
     digit over ~50 characters cannot single out a repair.
"""

from __future__ import annotations

import functools
import itertools
import unicodedata

from submissions.pipeline.mrz.layouts import (
    ALNUM,
    ALPHABETS,
    DIGIT,
    DIGIT_OR_FILLER,
    DIGITS,
    FILLER,
    LETTER,
    LETTER_OR_FILLER,
    MRZ_CHARS,
    SEX,
    VALUES,
    WEIGHTS,
    Layout,
    Pos,
    Span,
)

Grid = list[list[str]]

LOOKALIKES = {
    **dict(zip("АВЕКМНОРСТХУІЈЅ", "ABEKMHOPCTXYIJS", strict=True)),  # Cyrillic capitals
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX", strict=True)),  # Greek capitals
    **dict.fromkeys("«‹〈〈⟨くク(｛{", FILLER),
    "|": "I",
}
TO_DIGIT = dict(zip("OQDUILZSGBT", "00001125687", strict=True))
TO_LETTER = dict(zip("012568", "OIZSGB", strict=True))
BY_ALPHABET = {
    LETTER: TO_LETTER,
    LETTER_OR_FILLER: TO_LETTER,
    DIGIT: TO_DIGIT,
    DIGIT_OR_FILLER: TO_DIGIT | {"K": FILLER},
    ALNUM: {},
    SEX: {"K": FILLER},
}
# O/0 I/1 S/5 B/8 Z/2 T/7 D/0 Q/0; not G/6, which no check digit can see
SWAPS = {
    **dict.fromkeys("ODQ", "0"),
    "0": "ODQ",
    **dict(zip("ISBZT", "15827", strict=True)),
    **dict(zip("15827", "ISBZT", strict=True)),
}
# A swap chosen by a check digit is right for the confusions it knows, but an unknown misread
# (one digit for another) can be "explained" by a wrong swap: flagged for the policy.
CHECK_DIGIT_WARNINGS = {"repaired": "check_digit_repair", "ambiguous": "check_digit_ambiguous_repair"}
MAX_SWAPS = 1  # more swaps turn misreads the search does not know into wrong numbers
FILLER_OR_K = frozenset("<K")


def repair(grid: Grid, layout: Layout) -> list[str]:
    """Apply rules 2-4 to ``grid`` (already normalised, rule 1) in place; return the warnings."""
    repair_alphabets(grid, layout)
    repair_fillers(grid, layout)
    positions, (line, position), long_form = number_positions(grid, layout)
    if long_form and grid[line][position] in TO_DIGIT:  # a check digit in the optional data field
        grid[line][position] = TO_DIGIT[grid[line][position]]
    searches = [(positions, (line, position))]
    if layout.personal_check:
        personal_line, start, end = layout.optional[0]
        searches.append(([(personal_line, index) for index in range(start, end)], layout.personal_check))
    warnings = []
    for field_positions, check in searches:
        outcome = repair_by_check_digit(grid, layout, field_positions, check)
        if outcome in CHECK_DIGIT_WARNINGS:
            warnings.append(CHECK_DIGIT_WARNINGS[outcome])
    return warnings


@functools.cache
def normalise_char(char: str) -> str:
    """One character in, one out: NFKC, upper case, lookalikes; left alone if that gives several."""
    if char in MRZ_CHARS:
        return char
    if char in LOOKALIKES:
        return LOOKALIKES[char]
    folded = unicodedata.normalize("NFKC", char).upper()
    if len(folded) != 1:
        return char
    return LOOKALIKES.get(folded, folded)


def normalise(line: str) -> str:
    if MRZ_CHARS.issuperset(line):
        return line
    return "".join(normalise_char(char) for char in line)


def repair_alphabets(grid: Grid, layout: Layout) -> None:
    for line, row in enumerate(grid):
        alphabets = layout.alphabets[line]
        for position, char in enumerate(row):
            alphabet = alphabets[position]
            if char not in ALPHABETS[alphabet]:
                row[position] = BY_ALPHABET[alphabet].get(char, char)


def repair_name_fillers(grid: Grid, span: Span) -> None:
    line, start, end = span
    text = "".join(grid[line][start:end])
    separator = text.find("<<")
    if separator < 0:
        return
    given = separator + 2
    stop = given if text.startswith(FILLER, given) else text.find("<<", given)
    if stop < 0 or not FILLER_OR_K.issuperset(text[stop:]):
        return
    for position in range(start + stop, end):
        grid[line][position] = FILLER


def repair_trailing_fillers(grid: Grid, span: Span) -> None:
    line, start, end = span
    row = grid[line]
    run = end
    while run > start and row[run - 1] in FILLER_OR_K:
        run -= 1
    while run < end and row[run] == "K":  # touching the data (or the field start): may be a letter
        run += 1
    for position in range(run, end):
        row[position] = FILLER


def repair_fillers(grid: Grid, layout: Layout) -> None:
    repair_name_fillers(grid, layout.name)
    for span in (layout.country, layout.nationality, layout.number, *layout.optional):
        repair_trailing_fillers(grid, span)
    if layout.personal_check and grid[layout.personal_check[0]][layout.personal_check[1]] == FILLER:
        line, start, end = layout.optional[0]
        if FILLER_OR_K.issuperset(grid[line][start:end]):
            grid[line][start:end] = [FILLER] * (end - start)


def number_positions(grid: Grid, layout: Layout) -> tuple[list[Pos], Pos, bool]:
    """The document number's positions, its check digit's position, and whether it is in long form.

    TD1/TD2 (ICAO 9303-5 §4.2.2, -6): a number over 9 characters puts ``<`` in the check digit
    position; the rest continues at the start of the optional data, then the check digit
    (over the whole number), then ``<``.
    """
    line, start, end = layout.number
    positions = [(line, position) for position in range(start, end)]
    check_line, check_position = layout.number_check
    if not layout.long_number or grid[check_line][check_position] != FILLER:
        return positions, layout.number_check, False
    optional_line, optional_start, optional_end = layout.optional[0]
    row = grid[optional_line]
    stop = optional_start
    while stop < optional_end and row[stop] != FILLER:
        stop += 1
    if stop - optional_start < 2:  # no continuation: a filler where the check digit belongs
        return positions, layout.number_check, False
    positions += [(optional_line, position) for position in range(optional_start, stop - 1)]
    return positions, (optional_line, stop - 1), True


def _weighted(chars: list[str]) -> int | None:
    try:
        return sum(VALUES[char] * WEIGHTS[index % 3] for index, char in enumerate(chars))
    except KeyError:
        return None


def _target(total: int | None, check: str) -> int | None:
    if total is None or check not in DIGITS:
        return None
    return (int(check) - total) % 10


def repair_by_check_digit(grid: Grid, layout: Layout, positions: list[Pos], check: Pos) -> str:
    """Swap confusable characters of one field until its check digit and the composite agree.

    Returns "valid" (nothing to do), "repaired", "ambiguous" or "unrepairable".
    """
    chars = [grid[line][position] for line, position in positions]
    field_target = _target(_weighted(chars), grid[check[0]][check[1]])
    if field_target is None:
        return "unrepairable"
    if field_target == 0:
        return "valid"
    composite_target = 0
    if layout.composite_check:
        composite = [grid[line][position] for line, start, end in layout.composite for position in range(start, end)]
        composite_target = _target(_weighted(composite), grid[layout.composite_check[0]][layout.composite_check[1]])
        if composite_target is None:
            return "unrepairable"
    options: list[list[tuple[int, str, int, int]]] = []
    for index, (pos, char) in enumerate(zip(positions, chars, strict=True)):
        composite_weight = WEIGHTS[layout.composite_index[pos] % 3] if layout.composite_check else 0
        choices = []
        for other in SWAPS.get(char, ""):
            change = VALUES[other] - VALUES[char]
            choices.append((index, other, change * WEIGHTS[index % 3] % 10, change * composite_weight % 10))
        if choices:
            options.append(choices)
    found: list[tuple[tuple[int, str, int, int], ...]] = []
    for count in range(1, min(MAX_SWAPS, len(options)) + 1):
        for subset in itertools.combinations(options, count):
            for swaps in itertools.product(*subset):
                if sum(swap[2] for swap in swaps) % 10 == field_target:
                    found.append(swaps)
                    if len(found) > 1:
                        return "ambiguous"
        if found:
            if sum(swap[3] for swap in found[0]) % 10 != composite_target:
                return "unrepairable"
            for index, other, _, _ in found[0]:
                line, position = positions[index]
                grid[line][position] = other
            return "repaired"
    return "unrepairable"
