"""Client addresses and CIDR allow-lists (G22).

The client address is ``REMOTE_ADDR`` unless the operator declares how many reverse proxies
stand in front of us. With ``depth`` trusted proxies the client is the ``depth``-th entry from
the *right* of ``X-Forwarded-For``: entries further left were written by the client itself
and can say anything. Never the leftmost value.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class InvalidNetwork(ValueError):
    pass


def parse_address(text: str) -> IPAddress | None:
    """An address with IPv4-mapped IPv6 folded to IPv4; ``None`` when it is not one."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            return None
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
    return address


def client_address(meta: Mapping[str, str], *, trusted_proxy_depth: int) -> IPAddress | None:
    if trusted_proxy_depth <= 0:
        return parse_address(meta.get("REMOTE_ADDR", ""))
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < trusted_proxy_depth:
        # The request did not pass through every proxy we were told about: nothing in it
        # can be trusted to name the client, so there is no client address.
        return None
    return parse_address(hops[-trusted_proxy_depth])


def parse_network(text: str) -> IPNetwork:
    """Strict CIDR parsing for allow-lists: host bits set is an error, not a silent fix."""
    candidate = text.strip()
    if not candidate:
        raise InvalidNetwork("empty entry")
    try:
        network = ipaddress.ip_network(candidate, strict=True)
    except ValueError as exc:
        raise InvalidNetwork(f"{candidate!r} is not a valid IPv4 or IPv6 network: {exc}") from exc
    if isinstance(network, ipaddress.IPv6Network) and network.network_address.ipv4_mapped:
        if network.prefixlen < 96:
            raise InvalidNetwork(f"{candidate!r} mixes IPv4-mapped and plain IPv6 space")
        mapped = network.network_address.ipv4_mapped
        return ipaddress.ip_network(f"{mapped}/{network.prefixlen - 96}")
    return network


def normalise_networks(entries: Iterable[str]) -> list[str]:
    """Parse, de-duplicate and render each entry in canonical form (raises on the first bad one)."""
    seen: dict[str, None] = {}
    for entry in entries:
        seen[str(parse_network(entry))] = None
    return list(seen)


def address_allowed(address: IPAddress | None, networks: Iterable[str]) -> bool:
    """An empty allow-list admits everyone; otherwise the address must fall in one network."""
    network_list = list(networks)
    if not network_list:
        return True
    if address is None:
        return False
    return any(_contains(network, address) for network in network_list)


def _contains(network: str, address: IPAddress) -> bool:
    """Membership; an entry that is not a network (never saved so, but stored data can rot) admits nobody."""
    try:
        parsed = ipaddress.ip_network(network)
    except ValueError:
        return False
    return parsed.version == address.version and address in parsed
