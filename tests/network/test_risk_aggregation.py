"""Risk aggregation (spec §8.10 levels; combination rules in ``network.verdicts``)."""

from __future__ import annotations

import pytest

from network.verdicts import RangeMatch, aggregate
from policy.settings import NetworkLevels


@pytest.mark.parametrize(
    ("kinds", "level", "score", "action", "connection"),
    [
        ((), "none", 0.0, "allow", None),
        (("proxy",), "medium", 60.0, "review", None),  # §8.10: Proxy → Medium
        (("vpn",), "medium", 60.0, "review", None),  # §8.10: VPN → Medium
        (("hosting",), "high", 90.0, "block", "Data Center"),  # §8.10: Hosting provider → High
        (("tor",), "high", 90.0, "block", None),  # not in §8.10: like hosting
        (("vpn", "proxy"), "medium", 65.0, "review", None),  # +5 per further kind
        (("vpn", "hosting"), "high", 95.0, "block", "Data Center"),  # the highest level wins
        (("vpn", "proxy", "tor", "hosting"), "high", 100.0, "block", "Data Center"),  # capped at 100
    ],
)
def test_the_default_levels(kinds, level, score, action, connection):
    verdict = aggregate("192.0.2.1", [RangeMatch(kind, "list", "192.0.2.0/24") for kind in kinds])

    assert (verdict.level, verdict.risk_score, verdict.action, verdict.connection_type) == (
        level, score, action, connection,
    )  # fmt: skip


def test_a_kind_in_several_lists_counts_once_and_names_every_list():
    matches = [RangeMatch("vpn", "b", "10.0.0.0/8"), RangeMatch("vpn", "a", "10.1.0.0/16")]

    verdict = aggregate("10.1.2.3", matches)

    assert (verdict.kinds, verdict.sources, verdict.risk_score) == (("vpn",), ("a", "b"), 60.0)


def test_the_project_levels_replace_the_defaults():
    verdict = aggregate("10.0.0.1", [RangeMatch("vpn", "list", "10.0.0.0/8")], levels=NetworkLevels(vpn="high"))

    assert (verdict.level, verdict.action) == ("high", "block")  # "Commercial VPN → High"
