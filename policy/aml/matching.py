"""Name screening against watch-list profiles (spec §8.12), pure Python: no Django.

**Normalisation.** Every name is transliterated to ASCII with ``anyascii`` (Cyrillic, Hangul,
CJK, Arabic… all land in one alphabet), lower-cased and cut into tokens at anything that is not
a letter or digit. Hangul and CJK come out of ``anyascii`` as capitalised syllables run together
(``習近平`` → ``XiJinPing``), so for those scripts the syllables become tokens. Arabic script is
written without short vowels, so a name from it is also compared by its consonant *skeleton*
(``mohammed`` and ``mhmd`` both give ``mhmd``).

**Name score** (0–100), the best over the profile's name and aliases, of three comparisons, so
that word order, spacing and extra middle names matter little and typos cost a few points each:

* ``token_sort_ratio`` of the sorted tokens (order independence);
* the ratio of the sorted tokens run together (``jin ping`` = ``jinping``);
* when both sides have at least two tokens: each token of the shorter name aligned with its
  best token of the longer one, averaged, minus :data:`EXTRA_TOKEN_PENALTY` per unaligned token
  (``Vladimir Putin`` against ``Vladimir Vladimirovich Putin``).

**Score** = ``NAME_WEIGHT`` × name score + birth-date points + nationality points, rounded:
the birth date exact :data:`DOB_EXACT`, same year (or only a year known) :data:`DOB_YEAR`,
unknown on either side :data:`DOB_MISSING`, different 0; the nationality the same
:data:`NATIONALITY_MATCH`, unknown :data:`NATIONALITY_MISSING`, different 0. So an exact name
with nothing else known scores 91 (a Red Flag at the default threshold 90), and an exact name
whose birth date differs scores at most 85 (clean).

**Candidates** come from an inverted index (:class:`WatchlistIndex`) of every token and every
token's skeleton: only profiles sharing a key with the person are scored, rarest keys first,
so one screening against a million profiles scores a few thousand at most.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from anyascii import anyascii
from rapidfuzz import fuzz

NAME_WEIGHT = 0.8
DOB_EXACT, DOB_YEAR, DOB_MISSING = 15, 10, 8
NATIONALITY_MATCH, NATIONALITY_MISSING = 5, 3
EXTRA_TOKEN_PENALTY = 5
SKELETON_FACTOR = 0.95  # a skeleton comparison is weaker evidence than the spelled-out name
MAX_POSTING = 50_000  # a key shared by more profiles says little; it is used only if nothing rarer is
MAX_CANDIDATES = 3_000  # profiles scored per screening, those sharing the most keys first

_SYLLABIC = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_ABJAD = re.compile(r"[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_VOWELS = re.compile(r"[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")


@dataclass(frozen=True, slots=True)
class Name:
    """A name as the matcher compares it: tokens, and whether it came from an abjad script."""

    tokens: tuple[str, ...]
    abjad: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def normalise(name: str) -> Name:
    text = anyascii(name or "")
    if _SYLLABIC.search(name or ""):
        text = _CAMEL.sub(" ", text)
    tokens = tuple(sys.intern(token) for token in _NON_ALNUM.split(text.lower()) if token)
    return Name(tokens, abjad=bool(_ABJAD.search(name or "")))


def skeleton(token: str) -> str:
    """The token's consonants with repeats collapsed (``mohammed`` → ``mhmd``); digits stay."""
    return _REPEATS.sub(r"\1", _VOWELS.sub("", token))


def name_keys(name: Name) -> set[str]:
    keys = set()
    for token in name.tokens:
        if len(token) >= 2:
            keys.add(f"t:{token}")
        bones = skeleton(token)
        if len(bones) >= 2:
            keys.add(f"s:{bones}")
    return keys


def _aligned(short: tuple[str, ...], long: tuple[str, ...]) -> float:
    remaining = list(long)
    total = 0.0
    for token in short:
        best = max(range(len(remaining)), key=lambda i: fuzz.ratio(token, remaining[i]))
        total += fuzz.ratio(token, remaining.pop(best))
    return total / len(short) - EXTRA_TOKEN_PENALTY * len(remaining)


def _compare(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if not a or not b:
        return 0.0
    scores = [
        fuzz.token_sort_ratio(" ".join(a), " ".join(b)),
        fuzz.ratio("".join(sorted(a)), "".join(sorted(b))),
    ]
    if len(a) >= 2 and len(b) >= 2:
        short, long = (a, b) if len(a) <= len(b) else (b, a)
        scores.append(_aligned(short, long))
    return max(scores)


def name_score(a: Name, b: Name) -> int:
    score = _compare(a.tokens, b.tokens)
    if a.abjad or b.abjad:
        bones = _compare(tuple(skeleton(t) for t in a.tokens), tuple(skeleton(t) for t in b.tokens))
        score = max(score, SKELETON_FACTOR * bones)
    return round(max(score, 0.0))


@dataclass(frozen=True, slots=True)
class Person:
    """The screened person: a full name, the birth date (``YYYY-MM-DD``) and nationality (alpha-3)."""

    name: str
    birth_date: str = ""
    nationality: str = ""


@dataclass(frozen=True, slots=True)
class Profile:
    """A watch-list entry as the matcher sees it; ``key`` is the caller's id for it."""

    key: int
    name: str
    aliases: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()
    category: str = ""
    risk_level: str = ""
    source: str = ""  # the list's name (``--source``)
    external_id: str = ""  # the list's own id of the entry

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class Match:
    """One profile at or above the threshold, with how its score came about."""

    profile: Profile
    score: int
    name_score: int
    matched_name: str  # the profile's name or alias that matched best, as the list spells it
    screened_name: str  # the person's name, normalised (the form that was compared)
    birth_date: str  # exact | year | missing | different
    birth_date_points: int
    nationality: str  # match | missing | different
    nationality_points: int

    def explanation(self) -> dict[str, object]:
        return {
            "score": self.score,
            "name_score": self.name_score,
            "name_weight": NAME_WEIGHT,
            "matched_name": self.matched_name,
            "screened_name": self.screened_name,
            "birth_date": self.birth_date,
            "birth_date_points": self.birth_date_points,
            "nationality": self.nationality,
            "nationality_points": self.nationality_points,
        }


def birth_date_points(birth_date: str, listed: Iterable[str]) -> tuple[str, int]:
    listed = [value for value in listed if value]
    if not birth_date or not listed:
        return "missing", DOB_MISSING
    if birth_date in listed:
        return "exact", DOB_EXACT
    if any(value[:4] == birth_date[:4] for value in listed):
        return "year", DOB_YEAR
    return "different", 0


def nationality_points(nationality: str, listed: Iterable[str]) -> tuple[str, int]:
    listed = [value for value in listed if value]
    if not nationality or not listed:
        return "missing", NATIONALITY_MISSING
    return ("match", NATIONALITY_MATCH) if nationality in listed else ("different", 0)


def score_profile(person: Person, screened: Name, profile: Profile, names: Iterable[Name] | None = None) -> Match:
    normalised = list(names) if names is not None else [normalise(name) for name in profile.names]
    best, spelled = max(((name_score(screened, name), text) for name, text in zip(normalised, profile.names, strict=True)),
                        key=lambda pair: pair[0])  # fmt: skip
    dob, dob_points = birth_date_points(person.birth_date, profile.birth_dates)
    nationality, nat_points = nationality_points(person.nationality, profile.nationalities)
    total = min(100, round(NAME_WEIGHT * best + dob_points + nat_points))
    return Match(profile, total, best, spelled, screened.text, dob, dob_points, nationality, nat_points)


@dataclass
class WatchlistIndex:
    """Profiles with their normalised names and the inverted index of their keys."""

    profiles: list[Profile] = field(default_factory=list)
    names: list[tuple[Name, ...]] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, profiles: Iterable[Profile]) -> WatchlistIndex:
        index = cls()
        for profile in profiles:
            index.add(profile)
        return index

    def add(self, profile: Profile) -> None:
        position = len(self.profiles)
        names = tuple(normalise(name) for name in profile.names)
        self.profiles.append(profile)
        self.names.append(names)
        for key in set().union(*(name_keys(name) for name in names)):
            self.postings.setdefault(key, []).append(position)

    def __len__(self) -> int:
        return len(self.profiles)

    def candidates(self, screened: Name) -> list[int]:
        keys = sorted((key for key in name_keys(screened) if key in self.postings),
                      key=lambda key: len(self.postings[key]))  # fmt: skip
        usable = [key for key in keys if len(self.postings[key]) <= MAX_POSTING] or keys[:1]
        hits: Counter[int] = Counter()
        for key in usable:
            hits.update(self.postings[key])
        return [position for position, _ in hits.most_common(MAX_CANDIDATES)]

    def screen(self, person: Person, threshold: int) -> list[Match]:
        """The profiles scoring at least ``threshold``, best first (ties by list order)."""
        screened = normalise(person.name)
        if not screened.tokens:
            return []
        found = [
            score_profile(person, screened, self.profiles[position], self.names[position])
            for position in self.candidates(screened)
        ]
        kept = [match for match in found if match.score >= threshold]
        return sorted(kept, key=lambda match: (-match.score, match.profile.key))
