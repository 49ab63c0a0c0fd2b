"""The five ICAO 9303 MRZ formats: field positions, per-position alphabets, the check digit.

Positions are 0-based and spans end-exclusive; the ICAO documents count from 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DIGITS = frozenset("0123456789")
LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
FILLER = "<"
MRZ_CHARS = DIGITS | LETTERS | {FILLER}

# Alphabet classes, one per character position.
LETTER = "letter"  # first character of the document code
LETTER_OR_FILLER = "letter<"  # document code, states, names
DIGIT = "digit"  # check digits that are never a filler
DIGIT_OR_FILLER = "digit<"  # dates (ICAO allows unknown day/month as <<), check digits that may be <
ALNUM = "alnum<"  # document numbers, optional data, personal numbers
SEX = "sex"

ALPHABETS: dict[str, frozenset[str]] = {
    LETTER: LETTERS,
    LETTER_OR_FILLER: LETTERS | {FILLER},
    DIGIT: DIGITS,
    DIGIT_OR_FILLER: DIGITS | {FILLER},
    ALNUM: MRZ_CHARS,
    SEX: frozenset("MFX<"),
}

VALUES: dict[str, int] = {char: value for value, char in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")} | {
    FILLER: 0
}
WEIGHTS = (7, 3, 1)

Span = tuple[int, int, int]  # (line, start, end)
Pos = tuple[int, int]  # (line, position)


def check_digit(value: str) -> str:
    """The ICAO 9303 check digit of ``value``: weights 7-3-1, ``<`` = 0, A = 10 … Z = 35, modulo 10.

    Raises ValueError on a character outside the MRZ alphabet.
    """
    total = 0
    for index, char in enumerate(value):
        try:
            total += VALUES[char] * WEIGHTS[index % 3]
        except KeyError:
            raise ValueError(f"not an MRZ character: {char!r}") from None
    return str(total % 10)


@dataclass(frozen=True)
class Layout:
    kind: str
    rows: int
    width: int
    code: Span
    country: Span
    name: Span
    number: Span
    number_check: Pos
    nationality: Span
    birth: Span
    birth_check: Pos
    sex: Pos
    expiry: Span
    expiry_check: Pos
    optional: tuple[Span, ...]  # TD3: the personal number
    personal_check: Pos | None = None  # TD3 only
    composite: tuple[Span, ...] = ()  # visas have none
    composite_check: Pos | None = None
    long_number: bool = False  # TD1/TD2: numbers over 9 characters continue in the optional data
    alphabets: tuple[tuple[str, ...], ...] = field(init=False, repr=False)
    field_names: tuple[tuple[str, ...], ...] = field(init=False, repr=False)
    composite_index: dict[Pos, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        alphabets = [[""] * self.width for _ in range(self.rows)]
        names = [[""] * self.width for _ in range(self.rows)]

        def put(span: Span | Pos, alphabet: str, name: str) -> None:
            line, start, end = span if len(span) == 3 else (span[0], span[1], span[1] + 1)
            for position in range(start, end):
                alphabets[line][position] = alphabet
                names[line][position] = name

        optional_name = "personal_number" if self.personal_check else "optional_data"
        put(self.code, LETTER_OR_FILLER, "document_code")
        put((self.code[0], self.code[1]), LETTER, "document_code")
        put(self.country, LETTER_OR_FILLER, "issuing_country")
        put(self.name, LETTER_OR_FILLER, "name")
        put(self.number, ALNUM, "document_number")
        put(self.number_check, DIGIT_OR_FILLER if self.long_number else DIGIT, "document_number_check")
        put(self.nationality, LETTER_OR_FILLER, "nationality")
        put(self.birth, DIGIT_OR_FILLER, "birth_date")
        put(self.birth_check, DIGIT, "birth_date_check")
        put(self.sex, SEX, "sex")
        put(self.expiry, DIGIT_OR_FILLER, "expiry_date")
        put(self.expiry_check, DIGIT, "expiry_date_check")
        for span in self.optional:
            put(span, ALNUM, optional_name)
        if self.personal_check:
            put(self.personal_check, DIGIT_OR_FILLER, "personal_number_check")
        if self.composite_check:
            put(self.composite_check, DIGIT, "composite_check")
        assert all(all(row) for row in alphabets), f"{self.kind}: every position needs an alphabet"
        index = {}
        for line, start, end in self.composite:
            for position in range(start, end):
                index[(line, position)] = len(index)
        object.__setattr__(self, "alphabets", tuple(tuple(row) for row in alphabets))
        object.__setattr__(self, "field_names", tuple(tuple(row) for row in names))
        object.__setattr__(self, "composite_index", index)


def _two_line(
    kind: str, width: int, optional_end: int, *, composite: bool, personal: bool, long_number: bool
) -> Layout:
    """TD2, TD3 and the visas share their first 28 positions of line 2 (ICAO 9303-4, -6, -7)."""
    return Layout(
        kind=kind,
        rows=2,
        width=width,
        code=(0, 0, 2),
        country=(0, 2, 5),
        name=(0, 5, width),
        number=(1, 0, 9),
        number_check=(1, 9),
        nationality=(1, 10, 13),
        birth=(1, 13, 19),
        birth_check=(1, 19),
        sex=(1, 20),
        expiry=(1, 21, 27),
        expiry_check=(1, 27),
        optional=((1, 28, optional_end),),
        personal_check=(1, 42) if personal else None,
        composite=((1, 0, 10), (1, 13, 20), (1, 21, width - 1)) if composite else (),
        composite_check=(1, width - 1) if composite else None,
        long_number=long_number,
    )


TD1 = Layout(  # ICAO 9303-5
    kind="TD1",
    rows=3,
    width=30,
    code=(0, 0, 2),
    country=(0, 2, 5),
    number=(0, 5, 14),
    number_check=(0, 14),
    optional=((0, 15, 30), (1, 18, 29)),
    birth=(1, 0, 6),
    birth_check=(1, 6),
    sex=(1, 7),
    expiry=(1, 8, 14),
    expiry_check=(1, 14),
    nationality=(1, 15, 18),
    composite=((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)),
    composite_check=(1, 29),
    name=(2, 0, 30),
    long_number=True,
)
TD2 = _two_line("TD2", 36, 35, composite=True, personal=False, long_number=True)  # ICAO 9303-6
TD3 = _two_line("TD3", 44, 42, composite=True, personal=True, long_number=False)  # ICAO 9303-4
MRVA = _two_line("MRVA", 44, 44, composite=False, personal=False, long_number=False)  # ICAO 9303-7
MRVB = _two_line("MRVB", 36, 36, composite=False, personal=False, long_number=False)

WIDTHS = {30: 3, 36: 2, 44: 2}  # line width -> number of lines


def layout_for(rows: int, width: int, first_char: str) -> Layout | None:
    """The format of an MRZ with ``rows`` lines of ``width``; visas are told apart by their code 'V'."""
    if rows == 3 and width == 30:
        return TD1
    if rows == 2 and width == 36:
        return MRVB if first_char == "V" else TD2
    if rows == 2 and width == 44:
        return MRVA if first_char == "V" else TD3
    return None
