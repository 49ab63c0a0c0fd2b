"""Reads of the network app: the IP verdict, the stored clients of submissions, a device's earlier submissions."""

from __future__ import annotations

import time

from network.addresses import address_key, candidate_starts, parse_address
from network.models import IpRange, SubmissionClient
from network.verdicts import NetworkVerdict, RangeMatch, aggregate, not_checked
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
