"""``policy.aml.matching``: names across scripts, aliases, word order and typos, with birth date
and nationality as boosts (exact scores: the weights are the module's documented ones)."""

from __future__ import annotations

import pytest

from policy.aml.matching import Person, Profile, WatchlistIndex, name_score, normalise, variants

PUTIN_LIKE = Profile(1, "Ivan Petrovich Sidorov", ("Иван Сидоров",), ("1952-10-07",), ("RUS",), "PEP", "MEDIUM")
XI_LIKE = Profile(2, "Wang Weiqiang", ("王伟强",), ("1953-06-15",), ("CHN",), "SAN", "HIGH")
KIM_LIKE = Profile(3, "Park Min Jun", ("박민준",), ("1984-01-08",), ("PRK",), "SAN", "HIGH")
ARAB_LIKE = Profile(4, "Khalid Al-Haddad", ("خالد الحداد",), ("1985-08-31",), ("SAU",), "PEP", "MEDIUM")
MARIA = Profile(5, "Maria Lopez", (), ("1970",), ("ESP",), "RRE", "LOW")
INDEX = WatchlistIndex.build([PUTIN_LIKE, XI_LIKE, KIM_LIKE, ARAB_LIKE, MARIA])


def scores(person: Person, threshold: int = 0) -> list[tuple[int, int]]:
    return [(match.profile.key, match.score) for match in INDEX.screen(person, threshold)]


def test_it_transliterates_every_script_to_ascii_tokens():
    assert normalise("Иван Сидоров").tokens == ("ivan", "sidorov")
    assert normalise("王伟强").tokens == ("wang", "wei", "qiang")
    assert normalise("박민준").tokens == ("bag", "min", "jun")
    assert normalise("خالد الحداد").tokens == ("khld", "lhdd")
    assert normalise("  O'Brien-Smith, Seán ").tokens == ("o", "brien", "smith", "sean")


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        # exact name, birth date and nationality: 80 + 15 + 5
        (Person("Ivan Petrovich Sidorov", "1952-10-07", "RUS"), [(1, 100)]),
        # word order does not matter
        (Person("Sidorov Ivan Petrovich", "1952-10-07", "RUS"), [(1, 100)]),
        # the Cyrillic alias, nothing else known: 80 + 8 + 3
        (Person("Иван Сидоров"), [(1, 91)]),
        # a middle name left out (aligned tokens: 100) and only the year: 80 + 10 + 5
        (Person("Ivan Sidorov", "1952", "RUS"), [(1, 95)]),
        # a typo costs a few points
        (Person("Ivan Petrovich Sidorrov", "1952-10-07", "RUS"), [(1, 98)]),
        # Hanzi alias and its spaced-out Pinyin
        (Person("王伟强", "1953-06-15"), [(2, 98)]),
        (Person("WANG WEI QIANG", "1953-06-15", "CHN"), [(2, 100)]),
        # Hangul alias
        (Person("박민준", "1984-01-08", "PRK"), [(3, 100)]),
        # Arabic script against the Latin name, compared by consonant skeleton (95 % of 100)
        (Person("خالد الحداد", "1985-08-31", "SAU"), [(4, 100)]),
        (Person("Khaled Alhaddad", "1985-08-31"), [(4, 94)]),
    ],
)  # fmt: skip
def test_it_scores_listed_people_across_scripts_aliases_order_and_typos(person, expected):
    assert scores(person, threshold=90) == expected


def test_a_different_birth_date_keeps_an_exact_name_below_the_default_threshold():
    # 80 + 0 (different date) + 5 (same nationality)
    assert scores(Person("Ivan Petrovich Sidorov", "1980-01-01", "RUS")) == [(1, 85)]
    assert scores(Person("Ivan Petrovich Sidorov", "1980-01-01", "RUS"), threshold=90) == []


def test_an_unrelated_name_has_no_candidate_at_all():
    assert scores(Person("Hong Gildong", "1952-10-07", "RUS")) == []


def test_a_closer_name_ranks_first():
    index = WatchlistIndex.build([Profile(1, "Maria Lopez"), Profile(2, "Mario Lopes"), Profile(3, "Marta Lopez")])
    ranked = [(match.profile.key, match.name_score) for match in index.screen(Person("Maria Lopez"), 0)]
    assert ranked == [(1, 100), (3, 91), (2, 82)]


def test_the_match_explains_its_score():
    (match,) = INDEX.screen(Person("Иван Сидоров", "1952", ""), 0)
    assert match.explanation() == {
        "score": 93,
        "name_score": 100,
        "name_weight": 0.8,
        "matched_name": "Иван Сидоров",
        "screened_name": "ivan sidorov",
        "birth_date": "year",
        "birth_date_points": 10,
        "nationality": "missing",
        "nationality_points": 3,
    }


def test_name_score_is_symmetric_enough_for_extra_tokens():
    short, long = normalise("Ivan Sidorov"), normalise("Ivan Petrovich Sidorov")
    assert name_score(short, long) == name_score(long, short) == 95


def test_a_hangul_name_meets_its_passport_spelling_both_ways():
    # given profiles listed only in Latin letters or only in Hangul
    index = WatchlistIndex.build([Profile(1, "Lee Ji Ho"), Profile(2, "박서연")])

    # when the person's name is written the other way, then the usual surname spelling matches (80 + 8 + 3)
    assert [(m.profile.key, m.score, m.screened_name) for m in index.screen(Person("이지호"), 90)] == [
        (1, 91, "lee ji ho")
    ]
    assert [(m.profile.key, m.score, m.matched_name) for m in index.screen(Person("PARK SEO YEON"), 90)] == [
        (2, 91, "박서연")
    ]
    assert variants("정은지")[0].tokens == ("jeong", "eun", "ji")
    assert [name.tokens[0] for name in variants("정은지")] == ["jeong", "jung", "chung"]
