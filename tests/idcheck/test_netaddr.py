"""Client address and CIDR allow-list matching (G22): a table, strict parsing, a property."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idcheck.lib.netaddr import (
    InvalidNetwork,
    address_allowed,
    client_address,
    normalise_networks,
    parse_address,
    parse_network,
)

PROXY = "172.16.0.1"
TEN = ["10.0.0.0/8"]
V6_64 = ["2001:db8:1:2::/64"]

# (REMOTE_ADDR, X-Forwarded-For or None, trusted proxy depth, allow-list, client address, allowed)
CASES = [
    # depth 0: REMOTE_ADDR only, whatever X-Forwarded-For says
    ("10.1.2.3", None, 0, TEN, "10.1.2.3", True),
    ("192.168.1.1", None, 0, TEN, "192.168.1.1", False),
    ("192.168.1.1", "10.1.2.3", 0, TEN, "192.168.1.1", False),
    ("192.168.1.1", "10.1.2.3, 10.9.9.9", 0, TEN, "192.168.1.1", False),
    ("10.1.2.3", "192.168.1.1", 0, TEN, "10.1.2.3", True),
    ("10.255.255.255", None, 0, TEN, "10.255.255.255", True),
    ("11.0.0.0", None, 0, TEN, "11.0.0.0", False),
    ("9.255.255.255", None, 0, TEN, "9.255.255.255", False),
    # IPv4-mapped IPv6 is folded to IPv4
    ("::ffff:10.1.2.3", None, 0, TEN, "10.1.2.3", True),
    ("::ffff:192.168.1.1", None, 0, TEN, "192.168.1.1", False),
    # IPv6 /64
    ("2001:db8:1:2::1", None, 0, V6_64, "2001:db8:1:2::1", True),
    ("2001:db8:1:2:ffff:ffff:ffff:ffff", None, 0, V6_64, "2001:db8:1:2:ffff:ffff:ffff:ffff", True),
    ("2001:db8:1:3::1", None, 0, V6_64, "2001:db8:1:3::1", False),
    ("2001:db8:1:1:ffff:ffff:ffff:ffff", None, 0, V6_64, "2001:db8:1:1:ffff:ffff:ffff:ffff", False),
    ("2001:0DB8:0001:0002:0000:0000:0000:0001", None, 0, V6_64, "2001:db8:1:2::1", True),
    # families never cross
    ("10.1.2.3", None, 0, V6_64, "10.1.2.3", False),
    ("2001:db8:1:2::1", None, 0, TEN, "2001:db8:1:2::1", False),
    ("2001:db8:1:2::1", None, 0, [*TEN, *V6_64], "2001:db8:1:2::1", True),
    # garbage and missing addresses: no client, denied by any allow-list, allowed by none
    ("garbage", None, 0, TEN, None, False),
    ("", None, 0, TEN, None, False),
    ("10.1.2.3.4", None, 0, TEN, None, False),
    ("fe80::1%eth0", None, 0, ["fe80::/10"], None, False),
    ("garbage", None, 0, [], None, True),
    ("192.168.1.1", None, 0, [], "192.168.1.1", True),
    # depth 1: the right-hand entry; whatever the client wrote to its left is ignored
    (PROXY, "10.1.2.3", 1, TEN, "10.1.2.3", True),
    (PROXY, "10.1.2.3, 192.168.1.1", 1, TEN, "192.168.1.1", False),
    (PROXY, "192.168.1.1, 10.1.2.3", 1, TEN, "10.1.2.3", True),
    (PROXY, " 6.6.6.6 ,, 10.1.2.3 ", 1, TEN, "10.1.2.3", True),
    (PROXY, "::ffff:10.1.2.3", 1, TEN, "10.1.2.3", True),
    (PROXY, "10.1.2.3, garbage", 1, TEN, None, False),
    (PROXY, "10.1.2.3:443", 1, TEN, None, False),
    # depth 2: the second entry from the right, never the leftmost
    (PROXY, "10.9.9.9, 192.168.1.1, 10.1.2.3", 2, TEN, "192.168.1.1", False),
    (PROXY, "192.168.1.1, 10.1.2.3, 172.16.0.2", 2, TEN, "10.1.2.3", True),
    (PROXY, "2001:db8:1:2::7, 172.16.0.2", 2, V6_64, "2001:db8:1:2::7", True),
    # fewer hops than proxies: nothing can be trusted, so no client address
    ("10.1.2.3", None, 1, TEN, None, False),
    ("10.1.2.3", "", 1, TEN, None, False),
    ("10.1.2.3", " , ", 1, TEN, None, False),
    ("10.1.2.3", "10.1.2.3", 2, TEN, None, False),
    ("10.1.2.3", "10.1.2.3", 2, [], None, True),
]


@pytest.mark.parametrize(("remote_addr", "forwarded_for", "depth", "allowlist", "expected_client", "allowed"), CASES)
def test_it_finds_the_client_and_applies_the_allowlist(
    remote_addr, forwarded_for, depth, allowlist, expected_client, allowed
):
    # given
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for

    # when
    client = client_address(meta, trusted_proxy_depth=depth)

    # then
    assert (str(client) if client is not None else None) == expected_client
    assert address_allowed(client, allowlist) is allowed


def test_it_has_no_client_without_remote_addr():
    assert client_address({}, trusted_proxy_depth=0) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.0.0.0/8", "10.0.0.0/8"),
        (" 192.168.0.0/16 ", "192.168.0.0/16"),
        ("10.1.2.3", "10.1.2.3/32"),
        ("2001:0db8:0000::/32", "2001:db8::/32"),
        ("2001:DB8:1:2::/64", "2001:db8:1:2::/64"),
        ("::ffff:10.0.0.0/104", "10.0.0.0/8"),
        ("::ffff:10.1.2.3/128", "10.1.2.3/32"),
        ("::ffff:0:0/96", "0.0.0.0/0"),
        ("::/0", "::/0"),
    ],
)
def test_it_parses_networks_canonically(text, expected):
    assert str(parse_network(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "10.0.0.1/8",
        "192.168.1.1/24",
        "2001:db8::1/32",
        "::ffff:10.0.0.1/104",
        "garbage",
        "10.0.0.0/33",
        "2001:db8::/129",
        "10.0.0.0/8/8",
        "010.0.0.0/8",
        "10.0.0.0/-1",
        "",
        "   ",
    ],
)
def test_it_refuses_a_bad_network(text):
    with pytest.raises(InvalidNetwork):
        parse_network(text)


def test_it_normalises_and_deduplicates_networks():
    # given
    entries = ["10.0.0.0/8", " 10.0.0.0/8", "::ffff:10.0.0.0/104", "2001:0db8::/32", "2001:db8::/32", "10.1.2.3"]

    # when
    networks = normalise_networks(entries)

    # then
    assert networks == ["10.0.0.0/8", "2001:db8::/32", "10.1.2.3/32"]


def test_it_refuses_the_whole_list_on_one_bad_entry():
    with pytest.raises(InvalidNetwork):
        normalise_networks(["10.0.0.0/8", "10.0.0.1/8"])


def test_an_empty_list_normalises_to_empty():
    assert normalise_networks([]) == []


def _network(address: ipaddress.IPv4Address | ipaddress.IPv6Address, prefix: int) -> str:
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


ipv4_networks = st.builds(_network, st.ip_addresses(v=4), st.integers(0, 32))
ipv6_networks = st.builds(_network, st.ip_addresses(v=6), st.integers(0, 128))


@given(address=st.ip_addresses(v=4), network=ipv4_networks)
def test_property_ipv4_matching_agrees_with_ipaddress(address, network):
    assert address_allowed(address, [network]) is (address in ipaddress.ip_network(network))


@given(address=st.ip_addresses(v=6), network=ipv6_networks)
def test_property_ipv6_matching_agrees_with_ipaddress(address, network):
    assert address_allowed(address, [network]) is (address in ipaddress.ip_network(network))


@given(
    address=st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)),
    networks=st.lists(st.one_of(ipv4_networks, ipv6_networks), min_size=1, max_size=5),
)
def test_property_a_list_admits_what_any_same_family_network_contains(address, networks):
    expected = any(
        address in network for network in map(ipaddress.ip_network, networks) if network.version == address.version
    )
    assert address_allowed(address, networks) is expected


@given(address=st.ip_addresses(v=4), network=ipv4_networks)
def test_property_mapped_addresses_match_like_their_ipv4_form(address, network):
    mapped = parse_address(f"::ffff:{address}")
    assert mapped == address
    assert address_allowed(mapped, normalise_networks([network])) is (address in ipaddress.ip_network(network))
