"""Reads of the network app: the IP verdict, the stored clients of submissions, a device's earlier
submissions, and the Preverification pages' lists of a project's checked clients."""

from __future__ import annotations

import datetime as dt
import ipaddress
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from network.addresses import address_key, candidate_starts, parse_address
from network.device import FLAGS
from network.models import IpRange, SubmissionClient
from network.verdicts import ACTIONS, KIND_ORDER, LEVELS, NetworkVerdict, RangeMatch, aggregate, not_checked
from policy.settings import NetworkLevels


def ip_verdict(ip: str | None, *, levels: NetworkLevels | None = None) -> NetworkVerdict:
    """Every imported range that contains ``ip``, aggregated (``network.verdicts``).

    One indexed query: the CIDR starts that could contain the address (33 for IPv4, 129 for
    IPv6, see ``network.addresses``) probed in the ``(start, end)`` index. An address that does
    not parse (or None) is "not checked", never "clean".
    """
    address = parse_address(ip or "")
    if address is None:
        return not_checked()
    began = time.perf_counter()
    rows = IpRange.objects.filter(start__in=candidate_starts(address), end__gte=address_key(address))
    matches = [RangeMatch(kind, source, cidr) for kind, source, cidr in rows.values_list("kind", "source", "cidr")]
    elapsed = round((time.perf_counter() - began) * 1000, 3)
    return aggregate(str(address), matches, levels=levels, lookup_ms=elapsed)


def device_submissions(*, project_id: int, device_hash: str, exclude: str) -> list[str]:
    """Ids of the project's other submissions from the same device fingerprint, oldest first."""
    if not device_hash:
        return []
    found = SubmissionClient.objects.filter(project_id=project_id, device_hash=device_hash).exclude(
        submission_id=exclude
    )
    return list(found.order_by("created_at").values_list("submission_id", flat=True))


def submission_clients(submission_ids: list[str]) -> dict[str, tuple[str | None, dict | None, dict | None]]:
    """Submission id → (IP address, network verdict JSON, device verdict JSON) of the clients stored
    for those submissions, in one query (a page of the API list)."""
    rows = SubmissionClient.objects.filter(submission_id__in=submission_ids).values_list(
        "submission_id", "ip_address", "network_verdict", "device_verdict"
    )
    return {sid: (ip, network, device) for sid, ip, network, device in rows}


# ---------------------------------------------------------------------------------------------
# The dashboard's Preverification pages (docs/preverification.md): a project's checked clients,
# newest first, keyset-paginated by (created_at, id) over ``subclient_project_created_idx``.

DETECTIONS = (*KIND_ORDER, "none")
DECISIONS = ("block", "review", "allow")
DEVICE_VERDICTS = ("pass", "static", "fingerprint", *FLAGS)
SUBNET_BITS = {4: 24, 6: 64}  # "subnet attempts": the project's clients in the same /24 or /64


@dataclass(frozen=True)
class ClientPage:
    items: list[SubmissionClient]
    next_key: SubmissionClient | None  # the last item, when more follow


@dataclass(frozen=True)
class NetworkFilters:
    created_from: dt.datetime | None = None
    created_before: dt.datetime | None = None
    detection: str = ""  # one of DETECTIONS: a kind found, or "none" (looked up, nothing found)
    decision: str = ""  # one of DECISIONS, at the project's levels (``network_decision``)
    ip_prefix: str = ""  # the address as text starts with it ("198.51.100.", "2001:db8:")


@dataclass(frozen=True)
class DeviceFilters:
    created_from: dt.datetime | None = None
    created_before: dt.datetime | None = None
    verdict: str = ""  # one of DEVICE_VERDICTS
    duplicate: bool | None = None  # True: the device fingerprint is shared with another submission


def network_decision(verdict: dict[str, Any] | None, levels: NetworkLevels) -> str:
    """Block, review or allow, as the policy engine treats the kinds found at ``levels`` (the
    stored ``action`` was computed at the default levels when the run looked the address up)."""
    kinds = (verdict or {}).get("kinds") or ()
    level = max((levels.level(kind) for kind in kinds if kind in KIND_ORDER), key=LEVELS.index, default="none")
    return ACTIONS[level]


def network_clients(
    *,
    project_id: int,
    filters: NetworkFilters,
    levels: NetworkLevels,
    count: int,
    after: tuple[dt.datetime, int] | None,
) -> ClientPage:
    """The project's clients whose address was looked up, newest first."""
    clients = _dated(project_id, filters.created_from, filters.created_before).filter(network_verdict__checked=True)
    if filters.detection == "none":
        clients = clients.filter(network_verdict__kinds=[])
    elif filters.detection:
        clients = clients.filter(_has_kind(filters.detection))
    if filters.decision:
        clients = clients.filter(_decision_q(filters.decision, levels))
    if filters.ip_prefix:
        clients = clients.filter(ip_address__startswith=filters.ip_prefix)
    return _page(clients, count=count, after=after)


def device_clients(
    *, project_id: int, filters: DeviceFilters, count: int, after: tuple[dt.datetime, int] | None
) -> ClientPage:
    """The project's clients whose device was judged, newest first."""
    clients = _dated(project_id, filters.created_from, filters.created_before).filter(device_verdict__checked=True)
    if filters.verdict == "pass":
        clients = clients.filter(device_verdict__static_passed=True, device_verdict__fingerprint_flags=[])
    elif filters.verdict == "static":
        clients = clients.filter(device_verdict__static_passed=False)
    elif filters.verdict == "fingerprint":
        clients = clients.exclude(device_verdict__fingerprint_flags=[])
    elif filters.verdict:
        clients = clients.filter(_listed("device_verdict", "fingerprint_flags", filters.verdict))
    if filters.duplicate is not None:
        shared = Q(device_hash__gt="") & Exists(_same_device())
        clients = clients.filter(shared if filters.duplicate else ~shared)
    return _page(clients, count=count, after=after)


def client_get(*, project_id: int, submission_id: str) -> SubmissionClient | None:
    return SubmissionClient.objects.filter(project_id=project_id, submission_id=submission_id).first()


def subnet_attempts(client: SubmissionClient) -> tuple[str, int] | None:
    """(the /24 or /64 of the client's address, how many of the project's clients came from it,
    this one included); None without an address."""
    address = parse_address(client.ip_address or "")
    if address is None:
        return None
    network = ipaddress.ip_network(f"{address}/{SUBNET_BITS[address.version]}", strict=False)
    same = SubmissionClient.objects.filter(project_id=client.project_id)
    if address.version == 4:
        # "a.b.c." as text: the /24 on every database
        same = same.filter(ip_address__startswith=str(network.network_address).rsplit(".", 1)[0] + ".")
    else:
        # inet compares as addresses on PostgreSQL (the embedded SQLite demo compares text)
        same = same.filter(ip_address__range=(str(network.network_address), str(network.broadcast_address)))
    return str(network), same.count()


def device_duplicate_counts(clients: list[SubmissionClient]) -> dict[str, int]:
    """Submission id → how many OTHER submissions of the project share its device, for a page,
    in one query over ``subclient_device_idx``."""
    hashes = {c.device_hash for c in clients if c.device_hash}
    if not hashes:
        return {}
    project_ids = {c.project_id for c in clients}
    rows = SubmissionClient.objects.filter(project_id__in=project_ids, device_hash__in=hashes)
    per_hash = {
        (row["project_id"], row["device_hash"]): row["n"]
        for row in rows.values("project_id", "device_hash").annotate(n=Count("id"))
    }
    return {c.submission_id: per_hash.get((c.project_id, c.device_hash), 1) - 1 for c in clients if c.device_hash}


def _dated(project_id: int, created_from: dt.datetime | None, created_before: dt.datetime | None) -> QuerySet:
    clients = SubmissionClient.objects.filter(project_id=project_id)
    if created_from is not None:
        clients = clients.filter(created_at__gte=created_from)
    if created_before is not None:
        clients = clients.filter(created_at__lt=created_before)
    return clients


def _decision_q(decision: str, levels: NetworkLevels) -> Q:
    def any_kind(level: str) -> Q:
        found = Q(pk__in=[])  # no kind at this level: matches no row
        for kind in KIND_ORDER:
            if levels.level(kind) == level:
                found |= _has_kind(kind)
        return found

    high, medium = any_kind("high"), any_kind("medium")
    if decision == "block":
        return high
    if decision == "review":
        return medium & ~high
    return ~high & ~medium


def _has_kind(kind: str) -> Q:
    return _listed("network_verdict", "kinds", kind)


def _listed(field: str, key: str, value: str) -> Q:
    """The JSON list ``field[key]`` holds ``value``. JSON containment (``@>``) on PostgreSQL; the
    embedded SQLite demo has none, so there the quoted value is looked for in the list's text (no
    kind or flag name holds another)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": {key: [value]}})
    return Q(**{f"{field}__{key}__icontains": f'"{value}"'})


def _same_device() -> QuerySet:
    return SubmissionClient.objects.filter(
        project_id=OuterRef("project_id"), device_hash=OuterRef("device_hash")
    ).exclude(pk=OuterRef("pk"))


def _page(clients: QuerySet, *, count: int, after: tuple[dt.datetime, int] | None) -> ClientPage:
    if after is not None:
        created_at, pk = after
        # the redundant bound lets the index scan start at the cursor instead of filtering every row
        clients = clients.filter(Q(created_at__lte=created_at), Q(created_at__lt=created_at) | Q(id__lt=pk))
    rows = list(clients.order_by("-created_at", "-id")[: count + 1])
    items = rows[:count]
    return ClientPage(items=items, next_key=items[-1] if len(rows) > count else None)


def ip_range_kinds_imported(kinds: tuple[str, ...]) -> frozenset[str]:
    """Which of ``kinds`` have at least one imported range: a look-up for a kind with no list
    cannot find anything, and must not be reported as clean."""
    found = IpRange.objects.filter(kind__in=kinds).values_list("kind", flat=True).distinct()
    return frozenset(found)
