"""The captions that introduce each field in a visual zone, and which value each one labels.

Captions are matched as whole words after accents are stripped, longest first, so "Given
names" is not read as "Name" and "Date of expiry" not as "Date". Numbers alone ("1", "4d")
are the AAMVA/ISO 18013 field numbers printed on driving licences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from submissions.pipeline.visual.ocr import TextLine
from submissions.pipeline.visual.text import name_words

FIELD_CAPTIONS: dict[str, tuple[str, ...]] = {
    field: tuple(captions.split("|"))
    for field, captions in {
        "surname": "SURNAME|NOM|FAMILY NAME|LAST NAME|NACHNAME|FAMILIENNAME|NAME|APELLIDOS|APELLIDO|COGNOME"
        "|SOBRENOME|ACHTERNAAM|NAZWISKO",
        "given_names": "GIVEN NAMES|GIVEN NAME|PRENOMS|PRENOM|FIRST NAME|FORENAMES|VORNAMEN|VORNAME|NOMBRES"
        "|NOMBRE|NOME|VOORNAMEN|IMIONA",
        "birth_date": "DATE OF BIRTH|DATE DE NAISSANCE|BIRTH DATE|DOB|GEBURTSDATUM|GEBURTSTAG|FECHA DE NACIMIENTO"
        "|DATA DI NASCITA|DATA DE NASCIMENTO|GEBOORTEDATUM",
        "expiry_date": "DATE OF EXPIRY|DATE D EXPIRATION|EXPIRY DATE|EXPIRY|EXPIRES|EXP|GUELTIG BIS|GULTIG BIS"
        "|FECHA DE CADUCIDAD|DATA DI SCADENZA|VALID UNTIL|UNTIL|GELDIG TOT",
        "document_number": "DOCUMENT NO|NO DU DOCUMENT|DOCUMENT NUMBER|PASSPORT NO|CARD NO|DLN|LICENCE NO"
        "|LICENSE NO|LIC NO|DOKUMENTENNUMMER|NUMERO DE DOCUMENTO",
        "sex": "SEX|SEXE|GESCHLECHT|SEXO|SESSO|GESLACHT",
    }.items()
}
# Licence field numbers (AAMVA DL/ID card design standard): a caption of its own.
FIELD_NUMBERS = {"1": "surname", "2": "given_names", "3": "birth_date", "4B": "expiry_date", "4D": "document_number"}
# Captions that mean a field but must not win over a closer one on the same document: on a visa
# "Passport No." is the bearer's passport, not the document read.
WEAK_CAPTIONS = frozenset({"PASSPORT NO", "NAME"})
_CAPTIONS = sorted(
    ((caption, field) for field, captions in FIELD_CAPTIONS.items() for caption in captions),
    key=lambda pair: -len(pair[0]),
)
# Other captions, recognised so that they are not mistaken for values.
OTHER_CAPTIONS = tuple(
    "NATIONALITY|NATIONALITE|PLACE OF BIRTH|LIEU DE NAISSANCE|DATE OF ISSUE|DATE DE DELIVRANCE|AUTHORITY|AUTORITE"
    "|TYPE|CODE|HEIGHT|TAILLE|ISSUED IN|DELIVRE A|VALID FROM|DU|AU|CLASS|ISS|HGT|EYES|SIGNATURE".split("|")
)


@dataclass(frozen=True)
class Caption:
    field: str | None  # None for captions of fields the cross-check does not use
    weak: bool
    rest: str  # text after the caption on the same line (a value printed beside it), or ""


# A licence caption starts with its field number: "4b EXP", "15 SEX", "3DOB".
_FIELD_NUMBER_PREFIX = re.compile(r"^\s*(\d{1,2}[A-Da-d]?)(?:\s+|(?=[A-Z]{2}))")


def caption_of(line: TextLine) -> Caption | None:
    stripped = line.text.strip()
    number = _FIELD_NUMBER_PREFIX.match(stripped)
    styled = number is not None or _looks_like_caption(stripped)
    if number is not None:
        if number.end() >= len(stripped) and number.group(1).upper() in FIELD_NUMBERS:
            return Caption(FIELD_NUMBERS[number.group(1).upper()], False, "")
        stripped = stripped[number.end() :]
    elif stripped.upper() in FIELD_NUMBERS:
        return Caption(FIELD_NUMBERS[stripped.upper()], False, "")
    text = " ".join(name_words(stripped))
    for caption, field in _CAPTIONS:
        match = re.search(rf"(?:^| ){caption}(?: |$)", text)
        # Values are printed in capitals: a caption word deep inside an all-capitals line is
        # more likely part of a value (a place called "NOME") than a caption.
        if match is not None and (match.start() <= 4 or styled):
            return Caption(field, caption in WEAK_CAPTIONS, _rest_after_captions(stripped))
    for caption in OTHER_CAPTIONS:
        if styled and re.match(rf"{caption}(?: |$)", text):
            return Caption(None, False, "")
    return None


def _looks_like_caption(text: str) -> bool:
    return "/" in text or any(char.islower() for char in text)


def _rest_after_captions(text: str) -> str:
    """``Surname / Nom: DUPONT`` → ``DUPONT``; a caption alone → ``""``."""
    if ":" in text:
        return text.split(":", 1)[1].strip()
    return ""


def value_line(caption_line: TextLine, lines: list[TextLine], captions: dict[int, Caption | None]) -> TextLine | None:
    """The value a caption introduces: just below it, left-aligned, or right beside it."""
    box = caption_line.box
    best: tuple[float, TextLine] | None = None
    for index, line in enumerate(lines):
        if line is caption_line or captions.get(index) is not None:
            continue
        other = line.box
        below = other.top - box.bottom
        beside = other.left - box.right
        same_row = abs((other.top + other.bottom) - (box.top + box.bottom)) / 2 < box.height * 0.6
        if -box.height * 0.5 < below < box.height * 2.5 and abs(other.left - box.left) < box.height * 2.5:
            distance = below + abs(other.left - box.left) * 0.3
        elif same_row and 0 <= beside < box.height * 4:
            distance = beside
        else:
            continue
        if best is None or distance < best[0]:
            best = (distance, line)
    return best[1] if best else None
