"""Third-party data look-ups: the project's providers and the registry provider (reads only)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from projects.models import Project
from registry.models import IdentityRecord, IdentityRegistry, ProjectThirdParty
from registry.providers import IdentityQuery, Provider, ThirdPartyResult, parse_provider_id, run_providers, unavailable
from registry.records import MATCH_FIELDS, MATCH_RULE, RECORD_FIELDS, field_lookup_hashes, is_match, matched_fields

MAX_CANDIDATES = 50


def third_party_providers(project: Project) -> list[str]:
    """The project's provider ids (setting ``third_party_providers``), [] when none."""
    row = ProjectThirdParty.objects.filter(project=project).first()
    return list(row.providers) if row is not None else []


def registry_check(name: str, query: IdentityQuery, *, now: dt.datetime) -> ThirdPartyResult:
    """The registry provider (match rule in ``registry.records``)."""
    provider = f"registry:{name}"
    missing = [field for field in MATCH_FIELDS if not getattr(query, field)]
    if missing:
        return unavailable(provider, f"the document gave no {', '.join(missing)}", now)
    registry = IdentityRegistry.objects.filter(name=name).first()
    if registry is None:
        return unavailable(provider, f"no registry named {name} has been imported", now)
    hashes = {field: field_lookup_hashes(field, getattr(query, field)) for field in RECORD_FIELDS}
    candidates = IdentityRecord.objects.filter(registry=registry).filter(
        Q(document_number_hash__in=hashes["document_number"])
        | Q(surname_hash__in=hashes["surname"], birth_date_hash__in=hashes["birth_date"])
    )[:MAX_CANDIDATES]
    best: tuple[str, ...] = ()
    for record in candidates:
        matched = matched_fields(hashes, {field: getattr(record, f"{field}_hash") for field in RECORD_FIELDS})
        if is_match(matched) and not is_match(best):
            best = matched
        elif is_match(matched) == is_match(best) and len(matched) > len(best):
            best = matched
    compared = [field for field in RECORD_FIELDS if getattr(query, field)]
    status = "match" if is_match(best) else "no_match"
    return ThirdPartyResult(provider, status, now, {"matched": list(best), "compared": compared, "rule": MATCH_RULE})


def resolve_provider(provider_id: str) -> Provider | None:
    try:
        kind, name = parse_provider_id(provider_id)
    except ValueError:
        return None
    if kind == "registry":
        return lambda query, *, now: registry_check(name, query, now=now)
    return None


def third_party_results(project: Project, query: IdentityQuery, *, now: dt.datetime) -> tuple[ThirdPartyResult, ...]:
    """Every configured provider's answer, in the setting's order; () when none is configured."""
    return run_providers(third_party_providers(project), query, resolve_provider, now=now)
