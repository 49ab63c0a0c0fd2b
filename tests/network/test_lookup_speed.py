"""How fast ``ip_verdict`` is over 100k ranges (``make bench-network`` runs it).

Not part of the regular run: it inserts 100k rows. It prints p50/p95/max of the look-up's own
timing (one query) for addresses inside, between and outside the ranges, IPv4 and IPv6.
"""

from __future__ import annotations

import random
import statistics
import time

import pytest

from network.importer import import_ranges
from network.selectors import ip_verdict

RANGES = 100_000


@pytest.mark.bench
def test_lookup_speed_over_100k_ranges(db):
    rng = random.Random(5)
    v4 = {f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.0/{rng.choice((24, 24, 28, 32))}"
          for _ in range(RANGES * 8 // 10)}  # fmt: skip
    v4 = {cidr if not cidr.endswith("/32") else cidr.replace(".0/32", f".{rng.randrange(256)}/32") for cidr in v4}
    v6 = {f"2001:db8:{rng.randrange(65536):x}:{rng.randrange(65536):x}::/64" for _ in range(RANGES - len(v4))}
    began = time.perf_counter()
    for kind, cidrs in (("vpn", sorted(v4)[::2]), ("hosting", sorted(v4)[1::2]), ("proxy", sorted(v6))):
        import_ranges(cidrs, kind=kind, source=f"bench-{kind}")
    imported = time.perf_counter() - began
    probes = [f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"
              for _ in range(300)]  # fmt: skip
    probes += [cidr.split("/")[0] for cidr in rng.sample(sorted(v4), 300)]
    probes += [f"2001:db8:{rng.randrange(65536):x}:{rng.randrange(65536):x}::1" for _ in range(200)]
    probes += [cidr.split("/")[0] for cidr in rng.sample(sorted(v6), 200)]
    ip_verdict(probes[0])  # warm
    timings, hits = [], 0
    for ip in probes:
        t = time.perf_counter()
        verdict = ip_verdict(ip)
        timings.append((time.perf_counter() - t) * 1000)
        hits += bool(verdict.kinds)
    timings.sort()
    p50, p95 = statistics.median(timings), timings[int(len(timings) * 0.95)]
    summary = (
        f"{RANGES} ranges imported in {imported:.1f} s; {len(probes)} look-ups ({hits} hits): "
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {timings[-1]:.2f} ms"
    )
    print(f"\n{summary}")  # noqa: T201
    assert hits >= 500
