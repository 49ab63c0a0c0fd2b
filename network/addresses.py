"""IP ranges as fixed-width keys that sort like the addresses they stand for (pure).

Every address lives in ONE 128-bit space: IPv6 as it is, IPv4 as its IPv4-mapped IPv6 address
(``::ffff:a.b.c.d``), so a single pair of columns and a single index serve both families. A key
is the address as 32 lower-case hex digits: equal length and the alphabet ``0-9a-f`` make text
order the numeric order in PostgreSQL and SQLite alike (no ``inet`` type needed, ``make run``
works on SQLite).

Lookup exploits that the ranges are CIDR blocks: a block containing an address starts at that
address with its low bits cleared, so the only starts to look for are the address masked to
each prefix length (33 for IPv4, 129 for IPv6). ``start IN (…) AND end >= key`` is a handful
of equality probes in the ``start`` index, however many ranges are stored, and it stays exact
when blocks nest or overlap (several lists, several kinds).
"""

from __future__ import annotations

import ipaddress

from idcheck.lib.netaddr import InvalidNetwork, IPAddress, IPNetwork, parse_address, parse_network

KEY_WIDTH = 32
_V4_MAPPED = 0xFFFF << 32
_V4_OFFSET = 96  # an IPv4 prefix length in the 128-bit space
_ALL_ONES = (1 << 128) - 1

__all__ = ["IPAddress", "IPNetwork", "InvalidNetwork", "address_key", "candidate_starts", "network_keys",
           "parse_address", "parse_entry"]  # fmt: skip


def _value(address: IPAddress) -> int:
    return int(address) | _V4_MAPPED if address.version == 4 else int(address)


def _key(value: int) -> str:
    return f"{value:0{KEY_WIDTH}x}"


def address_key(address: IPAddress) -> str:
    return _key(_value(address))


def network_keys(network: IPNetwork) -> tuple[str, str]:
    """(first, last) address of ``network`` as keys."""
    return address_key(network.network_address), address_key(network.broadcast_address)


def candidate_starts(address: IPAddress) -> list[str]:
    """The start key of every CIDR block that could contain ``address``, widest first."""
    value = _value(address)
    lowest = _V4_OFFSET if address.version == 4 else 0
    return [_key(value & (_ALL_ONES ^ ((1 << (128 - prefix)) - 1))) for prefix in range(lowest, 129)]


def parse_entry(text: str) -> list[IPNetwork]:
    """One list entry: ``CIDR``, a bare address (a /32 or /128) or ``first-last`` (split into the
    fewest CIDR blocks). Host bits set in a CIDR are an error, never silently cleared."""
    text = text.strip()
    if "-" in text and "/" not in text:
        first_text, _, last_text = text.partition("-")
        first, last = parse_address(first_text), parse_address(last_text)
        if first is None or last is None or first.version != last.version or first > last:
            raise InvalidNetwork(f"{text!r} is not a range of two addresses of one family, first <= last")
        return list(ipaddress.summarize_address_range(first, last))  # type: ignore[arg-type]
    return [parse_network(text)]
