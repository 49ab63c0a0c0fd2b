"""The third-party data provider contract (pure: no Django, no I/O).

A provider receives the document's identity, normalised (:class:`IdentityQuery`), and answers
with a :class:`ThirdPartyResult`: ``match``, ``no_match`` or ``unavailable``, with evidence
naming which fields it compared and which matched (field names only, never values, so the
result may be stored and shown without exposing PII). A provider that cannot answer (service
down, registry missing, required fields not read from the document) says ``unavailable``; it
never raises for those.

Providers are named in the project setting ``third_party_providers`` by an id ``KIND:NAME``;
the only kind today is ``registry`` (an operator-imported identity registry, see
``registry.importer``), so ``registry:gov-2025`` checks the registry imported as ``gov-2025``.

Normalising (the same for the imported records and the document's fields):

* names: Unicode NFKD with combining marks dropped, upper case, every run of characters other
  than letters and digits made one space (``O'Brien-Smith`` → ``O BRIEN SMITH``, ``Müller`` →
  ``MULLER``, the MRZ's ``ANNA<MARIA`` → ``ANNA MARIA``);
* document number: upper case, letters and digits only (``L 898-902 C3`` → ``L898902C3``);
* birth date: ISO 8601 ``YYYY-MM-DD``;
* nationality and issuing country: three capital letters (ISO 3166-1 alpha-3), else no value.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

STATUSES = ("match", "no_match", "unavailable")
FIELDS = ("surname", "given_names", "birth_date", "document_number", "nationality", "issuing_country")
PROVIDER_KINDS = ("registry",)
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
_ALPHA3 = re.compile(r"[A-Z]{3}")
_PROVIDER_ID = re.compile(r"(?P<kind>[a-z]+):(?P<name>[a-z0-9][a-z0-9_.-]{0,63})")


def normalise_name(value: str | None) -> str:
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).upper()
    return _NOT_ALNUM.sub(" ", text).strip()


def normalise_document_number(value: str | None) -> str:
    return _NOT_ALNUM.sub("", (value or "").upper())


def normalise_country(value: str | None) -> str:
    text = (value or "").strip().upper()
    return text if _ALPHA3.fullmatch(text) else ""


@dataclass(frozen=True)
class IdentityQuery:
    """Normalised identity fields; "" means the document gave no value."""

    surname: str = ""
    given_names: str = ""
    birth_date: str = ""  # YYYY-MM-DD
    document_number: str = ""
    nationality: str = ""
    issuing_country: str = ""

    @classmethod
    def from_fields(
        cls,
        *,
        surname: str | None = None,
        given_names: str | None = None,
        birth_date: dt.date | None = None,
        document_number: str | None = None,
        nationality: str | None = None,
        issuing_country: str | None = None,
    ) -> IdentityQuery:
        return cls(
            surname=normalise_name(surname),
            given_names=normalise_name(given_names),
            birth_date=birth_date.isoformat() if birth_date else "",
            document_number=normalise_document_number(document_number),
            nationality=normalise_country(nationality),
            issuing_country=normalise_country(issuing_country),
        )

    def present(self) -> tuple[str, ...]:
        return tuple(name for name in FIELDS if getattr(self, name))


@dataclass(frozen=True)
class ThirdPartyResult:
    provider: str  # the provider id, e.g. registry:gov-2025
    status: str  # match | no_match | unavailable
    checked_at: dt.datetime
    evidence: dict[str, Any] = field(default_factory=dict)  # matched, compared (field names), reason

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"third-party status {self.status!r} is not one of {', '.join(STATUSES)}")

    @property
    def matched(self) -> tuple[str, ...]:
        return tuple(self.evidence.get("matched", ()))

    @property
    def compared(self) -> tuple[str, ...]:
        return tuple(self.evidence.get("compared", ()))

    @property
    def reason(self) -> str | None:
        return self.evidence.get("reason")

    def summary(self) -> dict[str, Any]:
        """JSON for the ``third_party`` CheckResult (names only, no values)."""
        return {"provider": self.provider, "status": self.status, "checked_at": self.checked_at.isoformat(),
                **self.evidence}  # fmt: skip


class Provider(Protocol):
    def __call__(self, query: IdentityQuery, *, now: dt.datetime) -> ThirdPartyResult: ...


def unavailable(provider: str, reason: str, now: dt.datetime) -> ThirdPartyResult:
    return ThirdPartyResult(provider, "unavailable", now, {"matched": [], "compared": [], "reason": reason})


def parse_provider_id(text: str) -> tuple[str, str]:
    """``registry:gov-2025`` -> ``("registry", "gov-2025")``; ValueError when malformed or unknown."""
    found = _PROVIDER_ID.fullmatch(text)
    if found is None:
        raise ValueError(f"{text!r} is not a provider id KIND:NAME (name: 1–64 of a-z, 0-9, '.', '_', '-')")
    if found["kind"] not in PROVIDER_KINDS:
        raise ValueError(f"{text!r}: unknown provider kind {found['kind']!r}; one of {', '.join(PROVIDER_KINDS)}")
    return found["kind"], found["name"]


def run_providers(
    provider_ids: list[str] | tuple[str, ...],
    query: IdentityQuery,
    resolve: Callable[[str], Provider | None],
    *,
    now: dt.datetime,
) -> tuple[ThirdPartyResult, ...]:
    """Each configured provider's answer, in order. An unknown id or a provider that raises
    answers ``unavailable`` (the reason names the exception type only: no PII in messages)."""
    results = []
    for provider_id in provider_ids:
        provider = resolve(provider_id)
        if provider is None:
            results.append(unavailable(provider_id, "provider not found", now))
            continue
        try:
            results.append(provider(query, now=now))
        except Exception as exc:  # noqa: BLE001 (a failing provider must not fail the verification run)
            results.append(unavailable(provider_id, f"provider failed: {type(exc).__name__}", now))
    return tuple(results)


def overall_status(results: tuple[ThirdPartyResult, ...]) -> str:
    """The step's outcome: ``no_match`` if any provider said so, else ``unavailable`` if any
    could not answer, else ``match``."""
    statuses = {result.status for result in results}
    for status in ("no_match", "unavailable"):
        if status in statuses:
            return status
    return "match"
