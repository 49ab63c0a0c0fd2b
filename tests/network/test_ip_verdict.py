"""``ip_verdict``: the first and last address of IPv4 and IPv6 ranges, nesting, mapped addresses."""

from __future__ import annotations

import pytest

from network.importer import import_ranges
from network.selectors import ip_verdict


@pytest.fixture
def lists(db):
    import_ranges(["192.0.2.0/24", "2001:db8::/126", "0.0.0.0/32"], kind="vpn", source="vpn-list")
    import_ranges(["192.0.2.128/25", "203.0.113.5"], kind="hosting", source="dc-list")
    import_ranges(["2001:db8::/32"], kind="proxy", source="proxy-list")


@pytest.mark.parametrize(
    ("ip", "kinds"),
    [
        ("192.0.2.0", ("vpn",)),  # first address of the /24
        ("192.0.2.127", ("vpn",)),  # last before the nested /25
        ("192.0.2.128", ("vpn", "hosting")),  # first of the nested /25: both lists
        ("192.0.2.255", ("vpn", "hosting")),  # last of both
        ("192.0.3.0", ()),  # one past the end
        ("192.0.1.255", ()),  # one before the start
        ("203.0.113.5", ("hosting",)),  # a single address
        ("203.0.113.6", ()),
        ("0.0.0.0", ("vpn",)),  # the lowest IPv4 address
        ("::ffff:192.0.2.1", ("vpn",)),  # IPv4-mapped IPv6 is the IPv4 address
        ("2001:db8::", ("vpn", "proxy")),  # first of the /126 inside the /32
        ("2001:db8::3", ("vpn", "proxy")),  # last of the /126
        ("2001:db8::4", ("proxy",)),
        ("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", ("proxy",)),  # last of the /32
        ("2001:db9::", ()),
        ("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", ()),
        ("::", ()),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ()),
    ],
)
def test_range_edges(lists, ip, kinds):
    verdict = ip_verdict(ip)

    assert verdict.checked
    assert verdict.kinds == kinds


def test_the_verdict_names_the_lists_and_blocks(lists):
    verdict = ip_verdict("192.0.2.200")

    assert verdict.sources == ("dc-list", "vpn-list")
    assert [(m.kind, m.cidr) for m in verdict.matches] == [("vpn", "192.0.2.0/24"), ("hosting", "192.0.2.128/25")]
    assert (verdict.level, verdict.risk_score, verdict.action, verdict.connection_type) == (
        "high", 95.0, "block", "Data Center",
    )  # fmt: skip
    assert verdict.lookup_ms is not None


@pytest.mark.parametrize("ip", [None, "", "not-an-ip", "fe80::1%eth0"])
def test_no_usable_address_is_not_checked_rather_than_clean(db, ip):
    verdict = ip_verdict(ip)

    assert (verdict.checked, verdict.kinds) == (False, ())
