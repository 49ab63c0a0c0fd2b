"""Watch-list files as entries, pure Python: the three formats ``import_watchlist`` reads.

* ``ftm``: OpenSanctions FollowTheMoney JSON lines, one entity per line. Only ``Person``
  entities are kept; ``name`` (first is the primary name, the others aliases), ``alias``,
  ``weakAlias``, ``birthDate``, ``nationality``/``citizenship``/``country`` and ``topics``.
* ``simple``: the OpenSanctions simplified CSV (``targets.simple.csv``: ``id,schema,name,
  aliases,birth_date,countries,…,sanctions,…``), ``;`` separating values; Person rows only.
* ``csv``: the plain CSV ``name,aliases,birth_date,nationality,category,source`` with aliases
  ``;``-separated; every row must be valid (its line is named otherwise).

OpenSanctions topics give the category (``sanction`` → SAN, ``role.pep``/``role.rca`` → PEP,
``reg.*`` → REL, ``crime*``/``wanted`` → RRE, ``poi`` → POI, ``corp.disqual`` → DD); an entity
with none takes the importer's default category. Countries become alpha-3.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from policy.aml.countries import alpha3

FORMATS = ("ftm", "simple", "csv")
CATEGORIES = ("PEP", "SAN", "REL", "RRE", "POI", "INS", "DD")
RISK_OF_CATEGORY = {"SAN": "HIGH", "PEP": "MEDIUM", "REL": "MEDIUM", "DD": "MEDIUM", "RRE": "LOW", "POI": "LOW",
                    "INS": "LOW"}  # fmt: skip
PLAIN_HEADER = ("name", "aliases", "birth_date", "nationality", "category", "source")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_TOPICS = (("sanction", "SAN"), ("role.pep", "PEP"), ("role.rca", "PEP"), ("corp.disqual", "DD"), ("reg.", "REL"),
           ("crime", "RRE"), ("wanted", "RRE"), ("poi", "POI"))  # fmt: skip


class WatchlistFormatError(ValueError):
    """The file cannot be read as the format said; ``line`` is 1-based (0: the whole file)."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.line, self.reason = line, reason


@dataclass(frozen=True)
class ParsedEntry:
    external_id: str
    name: str
    aliases: tuple[str, ...]
    birth_dates: tuple[str, ...]
    nationalities: tuple[str, ...]
    category: str
    risk_level: str


def _dates(values: Iterable[str]) -> tuple[str, ...]:
    """The dates a list gives, cut to ``YYYY-MM-DD``/``YYYY-MM``/``YYYY``; others are dropped."""
    found = []
    for value in values:
        match = _DATE.match(value.strip())
        if match and match.group(0) not in found:
            found.append(match.group(0))
    return tuple(found)


def _unique(values: Iterable[str], *, besides: str = "") -> tuple[str, ...]:
    seen = {besides}
    kept = []
    for value in values:
        value = value.strip()
        if value and value not in seen:
            seen.add(value)
            kept.append(value)
    return tuple(kept)


def category_of_topics(topics: Iterable[str], default: str) -> str:
    for topic in topics:
        for prefix, category in _TOPICS:
            if topic.startswith(prefix):
                return category
    return default


def _entry(external_id: str, names: list[str], aliases: Iterable[str], dates: Iterable[str],
           countries: Iterable[str], category: str) -> ParsedEntry:  # fmt: skip
    primary = names[0].strip()
    return ParsedEntry(
        external_id=external_id[:200],
        name=primary[:500],
        aliases=_unique([*names[1:], *aliases], besides=primary),
        birth_dates=_dates(dates),
        nationalities=_unique(alpha3(code) for code in countries),
        category=category,
        risk_level=RISK_OF_CATEGORY[category],
    )


def parse_ftm(lines: Iterable[str], default_category: str) -> Iterator[ParsedEntry]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entity = json.loads(line)
        except json.JSONDecodeError as exc:
            raise WatchlistFormatError(number, f"not JSON ({exc.msg})") from None
        if not isinstance(entity, dict) or entity.get("schema") != "Person":
            continue
        props = entity.get("properties") or {}
        names = [name for name in props.get("name", []) if str(name).strip()] or [str(entity.get("caption", ""))]
        if not names[0].strip():
            continue
        countries = [*props.get("nationality", []), *props.get("citizenship", []), *props.get("country", [])]
        category = category_of_topics(props.get("topics", []), default_category)
        yield _entry(str(entity.get("id", number)), names, [*props.get("alias", []), *props.get("weakAlias", [])],
                     props.get("birthDate", []), countries, category)  # fmt: skip


def _split(value: str | None) -> list[str]:
    return [part for part in (value or "").split(";") if part.strip()]


def parse_simple(lines: Iterable[str], default_category: str) -> Iterator[ParsedEntry]:
    reader = csv.DictReader(lines)
    missing = {"id", "schema", "name"} - set(reader.fieldnames or ())
    if missing:
        raise WatchlistFormatError(1, f"not the OpenSanctions simplified CSV (no {', '.join(sorted(missing))} column)")
    for row in reader:
        if row.get("schema") != "Person" or not (row.get("name") or "").strip():
            continue
        category = "SAN" if (row.get("sanctions") or "").strip() else default_category
        yield _entry(row["id"], [row["name"]], _split(row.get("aliases")), _split(row.get("birth_date")),
                     _split(row.get("countries")), category)  # fmt: skip


def parse_plain(lines: Iterable[str]) -> Iterator[ParsedEntry]:
    reader = csv.reader(lines)
    header = tuple(cell.strip().lower() for cell in next(reader, []))
    if header != PLAIN_HEADER:
        raise WatchlistFormatError(1, f"the header must be {','.join(PLAIN_HEADER)}")
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(PLAIN_HEADER):
            raise WatchlistFormatError(line, f"{len(row)} columns instead of {len(PLAIN_HEADER)}")
        name, aliases, birth_date, nationality, category, _source = (cell.strip() for cell in row)
        if not name:
            raise WatchlistFormatError(line, "the name is empty")
        if birth_date and not _DATE.fullmatch(birth_date):
            raise WatchlistFormatError(line, f"the birth date {birth_date!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
        if nationality and len(alpha3(nationality)) != 3:
            raise WatchlistFormatError(line, f"the nationality {nationality!r} is not an ISO country code")
        if category.upper() not in CATEGORIES:
            raise WatchlistFormatError(line, f"the category {category!r} is not one of {', '.join(CATEGORIES)}")
        yield _entry(f"row-{line}", [name], _split(aliases), [birth_date], [nationality], category.upper())


def parse(
    stream: io.TextIOBase | Iterable[str], file_format: str, *, default_category: str = "SAN"
) -> Iterator[ParsedEntry]:
    if file_format == "ftm":
        return parse_ftm(stream, default_category)
    if file_format == "simple":
        return parse_simple(stream, default_category)
    if file_format == "csv":
        return parse_plain(stream)
    raise WatchlistFormatError(0, f"unknown format {file_format!r} (one of {', '.join(FORMATS)})")
