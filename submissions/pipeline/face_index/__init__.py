"""1:N face search for ``duplicated_face`` / ``duplicated_selfie_users`` (issue 4).

``choose_index(size)`` gives one index per project: ``ExactIndex`` (a float32 matrix, exact) below
``CROSSOVER_SIZE`` stored faces, ``HnswIndex`` (usearch HNSW, approximate) from there on. The
orchestration rebuilds it from the database at start, adds each new face, and removes a
submission's faces when the submission is deleted (RELIABILITY.md G19). Plain Python, no Django.
"""

from __future__ import annotations

from .base import DIM, FaceIndex, unit_vector
from .exact import ExactIndex
from .hnsw import HnswIndex

# Chosen from `python manage.py bench_face_search --sizes 10000,100000,1000000` on the 2-core box
# (shared, load average ~10 while measuring): exact search p50 0.17 / 27 / 144 ms at 10k / 100k
# / 1M templates (linear in size: ~5 ms at 25k), HNSW ~0.2-1 ms at any size but with a graph
# build (6.6 s at 10k, minutes at 100k) and recall below 1. Exact is used while it stays around
# 5 ms: it never misses a duplicate and needs no build; past 25,000 HNSW keeps search near 1 ms.
CROSSOVER_SIZE = 25_000

__all__ = ["CROSSOVER_SIZE", "DIM", "ExactIndex", "FaceIndex", "HnswIndex", "choose_index", "unit_vector"]


def choose_index(size: int, dim: int = DIM) -> FaceIndex:
    """The index kind for a project expected to hold ``size`` faces."""
    if size < CROSSOVER_SIZE:
        return ExactIndex(dim)
    return HnswIndex(dim)
