"""The matcher's index of every imported watch list, built once per set of list versions.

Each screening reads the sources' ``(id, version)`` pairs (one small query); when they differ
from the cached index's, the index is rebuilt from the entries. The cache is only a speed-up:
every process reaches the same index from the same rows, so correctness never depends on it.
"""

from __future__ import annotations

import gc
import sys
import threading

from policy.aml.matching import Profile, WatchlistIndex
from policy.aml.models import WatchlistEntry, WatchlistSource

_lock = threading.Lock()
_cached: tuple[tuple[tuple[int, int], ...], WatchlistIndex, dict[str, int]] | None = None


def _build() -> WatchlistIndex:
    names = dict(WatchlistSource.objects.values_list("id", "name"))
    rows = WatchlistEntry.objects.order_by("id").values_list(
        "id", "name", "aliases", "birth_dates", "nationalities", "category", "risk_level", "source_id", "external_id"
    )
    # Codes and dates repeat across a million rows: one shared string each instead of one per row.
    shared = sys.intern
    index = WatchlistIndex.build(
        Profile(key, name, tuple(aliases), tuple(map(shared, dates)), tuple(map(shared, countries)), shared(category),
                shared(risk), names[source], external)
        for key, name, aliases, dates, countries, category, risk, source, external in rows.iterator(chunk_size=10_000)
    )  # fmt: skip
    # A million profiles are millions of objects the cyclic collector would walk on every full
    # collection (seconds each, measured); they live until the next list version, so they are
    # moved out of its sight. A replaced index is then freed by reference counting alone.
    gc.freeze()
    return index


def watchlist_index() -> tuple[WatchlistIndex, dict[str, int]]:
    """The index of the lists as they are now, and their versions by source name."""
    global _cached
    sources = list(WatchlistSource.objects.order_by("id").values_list("id", "version", "name"))
    key = tuple((source_id, version) for source_id, version, _ in sources)
    versions = {name: version for _, version, name in sources}
    with _lock:
        if _cached is None or _cached[0] != key:
            _cached = (key, _build(), versions)
        return _cached[1], _cached[2]


def watchlist_index_reset() -> None:
    """Forget the cached index (tests: a rolled-back import may reuse a version number)."""
    global _cached
    with _lock:
        _cached = None
