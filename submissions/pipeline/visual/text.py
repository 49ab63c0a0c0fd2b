"""Comparable forms of printed names and numbers, tolerant of OCR and of MRZ conventions."""

from __future__ import annotations

import re
import unicodedata

# ICAO 9303 part 3 transliterations that are not a plain accent strip (Ä may also be A, etc.:
# the plain strip is always tried as well).
_ICAO_SPELLINGS = {"Ä": "AE", "Ö": "OE", "Ü": "UE", "ß": "SS", "Å": "AA", "Æ": "AE", "Ø": "OE", "Œ": "OE", "Þ": "TH"}
# Letters that OCR reads as digits inside a name, and digits read as letters inside a number.
_DIGITS_AS_LETTERS = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G"})
_NUMBER_FOLD = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8"})


def name_words(text: str, *, icao_spelling: bool = False) -> list[str]:
    """Upper-case A–Z words: accents stripped (or spelled out the ICAO way), hyphens,
    apostrophes and MRZ fillers as word breaks, digits read as the letters they resemble."""
    upper = text.upper().replace("<", " ")
    if icao_spelling:
        upper = "".join(_ICAO_SPELLINGS.get(char, char) for char in upper)
    stripped = unicodedata.normalize("NFKD", upper).encode("ascii", "ignore").decode("ascii")
    return re.findall(r"[A-Z]+", stripped.translate(_DIGITS_AS_LETTERS))


def number_key(text: str) -> str:
    """Letters and digits only, with the usual OCR look-alikes folded to one form."""
    return re.sub(r"[^A-Z0-9]", "", text.upper()).translate(_NUMBER_FOLD)


def similarity(a: str, b: str) -> float:
    """1 − edit distance / longer length: 1.0 for equal strings, 0.0 for nothing in common."""
    if not a and not b:
        return 1.0
    return 1 - edit_distance(a, b) / max(len(a), len(b))


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]
