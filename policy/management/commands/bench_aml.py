"""``manage.py bench_aml [--entries 1000000] [--queries 200]``: the speed of one screening.

Builds the matcher's index (``policy.aml.matching.WatchlistIndex``) over synthetic profiles in
memory (names from random syllables: 3,000 given names, 30,000 surnames, a middle name for a
third, an alias for a fifth), then screens people of whom half are listed (with a typo or the
words reversed) and half are not, and prints the build time and the per-screening p50, p95 and
maximum. The database is not used: this measures the matcher, which is what grows with the lists.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand

from policy.aml.matching import Person, Profile, WatchlistIndex

# Every synthetic profile and person has ICAO's fictitious "Utopia", the specimens' country.
SYNTHETIC_NATIONALITY = "UTO"

SYLLABLES = ("ka", "lo", "mi", "ra", "sen", "to", "vi", "an", "el", "dor", "ber", "gu", "ha", "jo", "ne", "ric",
             "sa", "ti", "ul", "wen", "yan", "zo", "mar", "kin", "lev", "ov", "ski", "son", "ez", "li")  # fmt: skip
CATEGORIES = ("SAN", "PEP", "REL", "RRE", "POI", "INS", "DD")


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def synthetic_profiles(count: int, seed: int = 7) -> list[Profile]:
    rng = random.Random(seed)
    given = [_word(rng, 2) for _ in range(3_000)]
    surnames = [_word(rng, 3) for _ in range(30_000)]
    profiles = []
    for key in range(count):
        words = [rng.choice(given), *([rng.choice(given)] if rng.random() < 0.33 else []), rng.choice(surnames)]
        aliases = (f"{words[-1]} {words[0]}",) if rng.random() < 0.2 else ()
        year = rng.randint(1930, 2005)
        profiles.append(Profile(key, " ".join(words), aliases, (f"{year}-{rng.randint(1, 12):02d}-01",), (SYNTHETIC_NATIONALITY,),
                                rng.choice(CATEGORIES), "HIGH"))  # fmt: skip
    return profiles


def queries(profiles: list[Profile], count: int, seed: int = 11) -> list[Person]:
    rng = random.Random(seed)
    people = []
    for number in range(count):
        if number % 2:
            people.append(Person(f"{_word(rng, 2)} {_word(rng, 3)}", "1970-01-01", SYNTHETIC_NATIONALITY))
            continue
        profile = rng.choice(profiles)
        name = " ".join(reversed(profile.name.split())) if rng.random() < 0.5 else profile.name[:-1] + "x"
        people.append(Person(name, profile.birth_dates[0], SYNTHETIC_NATIONALITY))
    return people


class Command(BaseCommand):
    help = "Measure one AML screening against a large synthetic watch list (in memory)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--entries", type=int, default=1_000_000)
        parser.add_argument("--queries", type=int, default=200)
        parser.add_argument("--threshold", type=int, default=90)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        profiles = synthetic_profiles(options["entries"])
        generated = time.perf_counter()
        index = WatchlistIndex.build(profiles)
        gc.freeze()  # as policy.aml.index does after a build
        built = time.perf_counter()
        self.stdout.write(f"{len(index):,} profiles generated in {generated - started:.1f} s, "
                          f"indexed in {built - generated:.1f} s ({len(index.postings):,} keys)")  # fmt: skip
        timings, flagged = [], 0
        for person in queries(profiles, options["queries"]):
            begin = time.perf_counter()
            flagged += bool(index.screen(person, options["threshold"]))
            timings.append((time.perf_counter() - begin) * 1000)
        timings.sort()
        p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
        self.stdout.write(f"{len(timings)} screenings: p50 {statistics.median(timings):.1f} ms, "
                          f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms; {flagged} flagged")  # fmt: skip
