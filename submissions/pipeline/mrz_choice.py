"""Choose the MRZ a photo shows among the reader's candidates, and parse it.

``mrz_reader`` proposes line groups with a score for every character of every cell; here
each candidate is decoded within the ICAO alphabet of each position and the check digits
judge. A portrait photo of a landscape document is tried turned a quarter.
"""

from __future__ import annotations

import datetime as dt

from PIL import Image

from submissions.pipeline.mrz import MrzResult, parse_mrz
from submissions.pipeline.mrz.layouts import ALPHABETS, LETTERS, layout_for
from submissions.pipeline.mrz.repair import TO_DIGIT, TO_LETTER
from submissions.pipeline.mrz_glyphs import ALPHABET
from submissions.pipeline.mrz_reader import MrzReading, read_mrz_text

MAX_MRZ_CANDIDATES = 6  # groups × orientations × line lengths, most confident first
# The character a position's alphabet forces must not be far less likely than what the glyph
# most resembles: below this share the layout, not the glyph, is wrong.
CONTRADICTION_SHARE = 0.001


def read_best_mrz(image: Image.Image, today: dt.date) -> tuple[MrzResult | None, MrzReading | None, Image.Image]:
    """The best MRZ in the photo, the reading it came from, and the photo as read."""
    result, reading = _best_mrz(read_mrz_text(image), today)
    if result is None or not result.valid:
        turned = image.transpose(Image.Transpose.ROTATE_90)
        turned_result, turned_reading = _best_mrz(read_mrz_text(turned), today)
        if turned_result is not None and (result is None or passed_checks(turned_result) > passed_checks(result)):
            result, reading, image = turned_result, turned_reading, turned
    if result is None or not _plausible(result):
        return None, None, image
    return result, reading, image


def passed_checks(result: MrzResult) -> int:
    return sum(check.passed for check in result.checks)


def _plausible(result: MrzResult) -> bool:
    """Text cut from something else (a barcode, a pattern) passes at most a check by chance."""
    return result.valid or passed_checks(result) >= max(2, len(result.checks) - 2)


def _best_mrz(readings: list[MrzReading], today: dt.date) -> tuple[MrzResult | None, MrzReading | None]:
    best: tuple[MrzResult | None, MrzReading | None] = (None, None)
    for reading in readings[:MAX_MRZ_CANDIDATES]:
        result = _parse_reading(reading, today)
        if result is None:
            continue
        if result.valid:
            return result, reading
        if best[0] is None or passed_checks(result) > passed_checks(best[0]):
            best = (result, reading)
    return best


def _parse_reading(reading: MrzReading, today: dt.date) -> MrzResult | None:
    """Decode each cell within its position's alphabet, then let the check digits judge.

    Two-line zones of 44 or 36 are a visa or not by their first letter (V…); when that letter
    is in doubt both layouts are tried. A layout whose alphabets force a character the glyph
    plainly is not (a printed ``<`` read as a check digit) is contradicted and dropped, so a
    check digit is never invented.
    """
    results = []
    for first_char in _first_letters(reading):
        layout = layout_for(len(reading.lines), len(reading.lines[0]), first_char)
        if layout is None:
            continue
        alphabets = [[_sorted(ALPHABETS[name]) for name in row] for row in layout.alphabets]
        if _contradicted(reading, alphabets):
            continue
        result = parse_mrz(_constrained(reading, alphabets), today=today)
        if result is not None:
            results.append(result)
    return max(results, key=lambda result: (result.valid, passed_checks(result)), default=None)


def _contradicted(reading: MrzReading, alphabets: list[list[str]]) -> bool:
    for line, (line_scores, line_alphabets) in enumerate(zip(reading.scores, alphabets, strict=True)):
        for position, (scores, allowed) in enumerate(zip(line_scores, line_alphabets, strict=True)):
            best_allowed = max(scores[ALPHABET.index(char)] for char in allowed)
            if (
                best_allowed < CONTRADICTION_SHARE * scores.max()
                and _lookalike(reading, line, position, allowed) is None
            ):
                return True
    return False


def _constrained(reading: MrzReading, alphabets: list[list[str]]) -> tuple[str, ...]:
    """The best allowed character per cell; where the glyph plainly is the look-alike of an
    allowed one (an O where only digits go), the glyph as read: the classifier is sure of the
    shape, O and 0 share it, and its scores for the other characters are noise. The parser's
    repair then turns it into its twin and reports the change."""
    lines = []
    for line, (text, line_alphabets) in enumerate(zip(reading.constrained(alphabets), alphabets, strict=True)):
        chars = list(text)
        for position, allowed in enumerate(line_alphabets):
            scores = reading.scores[line][position]
            best_allowed = max(scores[ALPHABET.index(char)] for char in allowed)
            if best_allowed < CONTRADICTION_SHARE * scores.max() and _lookalike(reading, line, position, allowed):
                chars[position] = reading.lines[line][position]
        lines.append("".join(chars))
    return tuple(lines)


def _lookalike(reading: MrzReading, line: int, position: int, allowed: str) -> str | None:
    """The allowed look-alike (O/0, I/1, S/5, B/8, Z/2…) of the character the glyph most resembles."""
    best = reading.lines[line][position]
    twin = TO_DIGIT.get(best) or TO_LETTER.get(best)
    return twin if twin is not None and twin in allowed else None


def _first_letters(reading: MrzReading) -> list[str]:
    """The document code's first letter tells a visa (V) from a passport or card."""
    best = reading.best_char(0, 0, _sorted(LETTERS))
    other = reading.best_char(0, 0, _sorted(LETTERS - {"V"})) if best == "V" else "V"
    return [best, other]


def _sorted(chars: frozenset[str]) -> str:
    return "".join(sorted(chars))
