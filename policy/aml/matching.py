"""Name screening against watch-list profiles (spec §8.12), pure Python: no Django.

**Normalisation.** Every name is transliterated to ASCII with ``anyascii`` (Cyrillic, Hangul,
CJK, Arabic… all land in one alphabet), lower-cased and cut into tokens at anything that is not
a letter or digit. Each Hangul or CJK syllable becomes a token (``習近平`` → ``xi jin ping``), and
a Hangul name is also tried with its surname as Koreans spell it in Latin letters (``박`` is
``bag`` in the Revised Romanisation, ``park`` on passports; :data:`KOREAN_SURNAMES`). Arabic
script is written without short vowels, so a name from it is also compared by its consonant
*skeleton* (``mohammed`` and ``mhmd`` both give ``mhmd``).

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
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_VOWELS = re.compile(r"[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")
# Common Korean surnames and their usual Latin spellings (passports, lists), beside the Revised
# Romanisation anyascii gives (박 → bag).
KOREAN_SURNAMES = {
    "김": ("kim",), "이": ("lee", "yi", "rhee"), "박": ("park",), "최": ("choi",), "정": ("jung", "jeong", "chung"),
    "강": ("kang",), "조": ("cho", "jo"), "윤": ("yoon", "yun"), "장": ("jang", "chang"), "임": ("lim", "im"),
    "한": ("han",), "오": ("oh",), "서": ("seo", "suh"), "신": ("shin",), "권": ("kwon",), "황": ("hwang",),
    "안": ("ahn",), "송": ("song",), "류": ("ryu", "yoo"), "유": ("yoo", "yu"), "전": ("jeon", "jun", "chun"),
    "홍": ("hong",), "고": ("ko", "go"), "문": ("moon", "mun"), "양": ("yang",), "손": ("son", "sohn"),
    "배": ("bae",), "백": ("baek", "paik"), "허": ("heo", "huh"), "노": ("noh", "roh"), "남": ("nam",),
    "심": ("shim", "sim"), "곽": ("kwak",), "성": ("sung", "seong"), "차": ("cha",), "주": ("joo", "ju"),
    "우": ("woo",), "구": ("koo", "gu"), "민": ("min",), "진": ("jin",), "지": ("ji",), "엄": ("um", "eom"),
    "채": ("chae",), "원": ("won",), "천": ("cheon", "chun"), "방": ("bang",), "공": ("kong",), "현": ("hyun",),
    "변": ("byun",), "염": ("yeom",), "여": ("yeo",), "추": ("choo",), "도": ("do",), "석": ("seok", "suk"),
    "선": ("sun", "seon"), "설": ("seol",), "길": ("gil",), "표": ("pyo",), "명": ("myung",), "기": ("ki",),
    "반": ("ban",), "금": ("keum",), "옥": ("ok",), "육": ("yook",), "맹": ("maeng",), "탁": ("tak",),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Name:
    """A name as the matcher compares it: tokens, whether it came from an abjad script, and the
    name as it was spelled (shown as the matched name)."""

    tokens: tuple[str, ...]
    abjad: bool = False
    spelled: str = ""

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def normalise(name: str) -> Name:
    name = name or ""
    if _SYLLABIC.search(name):
        text = anyascii("".join(f" {char} " if _SYLLABIC.match(char) else char for char in name))
    else:
        text = anyascii(name)
    tokens = tuple(sys.intern(token) for token in _NON_ALNUM.split(text.lower()) if token)
    return Name(tokens, abjad=bool(_ABJAD.search(name)), spelled=name)


def variants(name: str) -> tuple[Name, ...]:
    """The normalised name, and for a Hangul name the same with its surname as Koreans write it
    in Latin letters (``박민준`` → ``bag min jun`` and ``park min jun``): the transliteration
    follows the Revised Romanisation, passports and lists mostly do not."""
    base = normalise(name)
    surname = (name or "").strip()[:1]
    if not base.tokens or surname not in KOREAN_SURNAMES:
        return (base,)
    others = (alt for alt in KOREAN_SURNAMES[surname] if alt != base.tokens[0])
    return (base, *(Name((alt, *base.tokens[1:]), spelled=name) for alt in others))


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


def score_profile(
    person: Person, profile: Profile, *, screened: Iterable[Name] | None = None, names: Iterable[Name] | None = None
) -> Match:
    """``person`` against ``profile``: the best pair of the person's and the profile's names
    (``variants`` of each, computed here unless given), then the boosts."""
    screened = tuple(screened) if screened is not None else variants(person.name)
    names = tuple(names) if names is not None else tuple(v for name in profile.names for v in variants(name))
    best, query, listed = max(((name_score(query, name), query, name) for query in screened for name in names),
                              key=lambda triple: triple[0])  # fmt: skip
    dob, dob_points = birth_date_points(person.birth_date, profile.birth_dates)
    nationality, nat_points = nationality_points(person.nationality, profile.nationalities)
    total = min(100, round(NAME_WEIGHT * best + dob_points + nat_points))
    return Match(profile, total, best, listed.spelled, query.text, dob, dob_points, nationality, nat_points)


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
        names = tuple(v for name in profile.names for v in variants(name))
        self.profiles.append(profile)
        self.names.append(names)
        for key in set().union(*(name_keys(name) for name in names)):
            self.postings.setdefault(key, []).append(position)

    def __len__(self) -> int:
        return len(self.profiles)

    def candidates(self, screened: Iterable[Name]) -> list[int]:
        found = set().union(*(name_keys(name) for name in screened))
        keys = sorted((key for key in found if key in self.postings), key=lambda key: len(self.postings[key]))
        usable = [key for key in keys if len(self.postings[key]) <= MAX_POSTING] or keys[:1]
        hits: Counter[int] = Counter()
        for key in usable:
            hits.update(self.postings[key])
        return [position for position, _ in hits.most_common(MAX_CANDIDATES)]

    def screen(self, person: Person, threshold: int) -> list[Match]:
        """The profiles scoring at least ``threshold``, best first (ties by list order)."""
        screened = variants(person.name)
        if not screened[0].tokens:
            return []
        found = [
            score_profile(person, self.profiles[position], screened=screened, names=self.names[position])
            for position in self.candidates(screened)
        ]
        kept = [match for match in found if match.score >= threshold]
        return sorted(kept, key=lambda match: (-match.score, match.profile.key))
