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

# Chosen from `python manage.py bench_face_search --sizes 10000,100000,1000000` on the shared
# 2-core box (uniform random 128-d templates, 300-500 planted duplicates at cosine 0.6-0.9):
#   exact: p50/p95 52/63 ms at 1M (load ~2; 144/316 ms at load ~11), recall 1.000, 628 MB, 5 s build
#   HNSW (M 16, efC 128, ef 256): p50/p95 3.3/3.8 ms at 1M but recall@1 0.683, 982 MB, 2,736 s
#   build; at 100k 5.6/11 ms, recall 0.994, 262 s build.
# Exact meets the 100 ms target up to a million templates and never misses a duplicate, while
# HNSW misses a third of them at 1M on this (worst-case) data; so exact is used up to 1M and HNSW
# only beyond, where exact's linear cost (~50 ms per million) passes the budget.
CROSSOVER_SIZE = 1_000_000

__all__ = ["CROSSOVER_SIZE", "DIM", "ExactIndex", "FaceIndex", "HnswIndex", "choose_index", "unit_vector"]


def choose_index(size: int, dim: int = DIM) -> FaceIndex:
    """The index kind for a project expected to hold ``size`` faces."""
    if size < CROSSOVER_SIZE:
        return ExactIndex(dim)
    return HnswIndex(dim)
