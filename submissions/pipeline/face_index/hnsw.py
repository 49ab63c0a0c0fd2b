"""Approximate 1:N search with an HNSW graph (usearch), for projects past the exact crossover.

Why usearch (2.26, Apache-2.0, a 2.3 MB cp311 manylinux wheel; numpy, tqdm and numkong): hnswlib
0.8.0 publishes only an sdist, so every install would compile C++ (a compiler on every worker
image); faiss-cpu's ``IndexHNSWFlat`` cannot remove a vector at all, so a deleted face could only
be filtered out of results, never dropped from the index. usearch removes by key and reuses the
slot, and ran with numpy 2.4.6 here.

usearch keys are integers, so each string key gets a fresh integer label; ``_where`` and
``_key_of`` map between them. Replacing a key removes its old label first. ``remove`` takes the
label out of the graph at once (searches never return it again, and the key maps forget it);
the removed vector's bytes stay in the graph's buffer only until the next compaction, which
rebuilds the graph from the live vectors when removals pass a quarter of the stored faces, and
on every ``rebuild``. Vectors are unit length, so the inner-product metric is the cosine
(usearch's ``ip`` distance is ``1 - dot``).

Import order: ``import usearch.index`` followed by ``import onnxruntime`` kills the process with
a segmentation fault inside onnxruntime's extension (usearch 2.26.6 with onnxruntime 1.30 and
1.32, reproduced with ``python -c "import usearch.index, onnxruntime"``); onnxruntime first works,
and so does faiss-cpu in either order. This module is the only importer of usearch, so it loads
onnxruntime first; ``test_face_index`` guards the order in a fresh interpreter.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import numpy as np

try:  # onnxruntime must be loaded before usearch: the other order segfaults (see below)
    import onnxruntime  # noqa: F401
except ImportError:  # pragma: no cover - a worker without the ONNX engines
    pass
from usearch.index import Index

from .base import DIM, KeyedIndex, collect, unit_vector

# M = 16 neighbours per node. Uniform random 128-d vectors (the bench's worst case) with planted
# duplicates at cosine 0.6-0.9: efConstruction 64 / ef 64 gave recall@1 0.986 at 10k and 0.780 at
# 100k; at 30k, efConstruction 128 gave 0.977 / 1.000 / 1.000 at ef 64 / 128 / 256 (p50 0.4 /
# 0.5 / 1.1 ms). With ef 256: recall@1 1.000 at 10k, 0.994 at 100k, but 0.683 at 1M (build
# 2,736 s on the loaded box), so above 1M these need retuning (M 32, larger ef) before use.
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 256
_COMPACT_FRACTION = 0.25
_COMPACT_MIN = 1000


class HnswIndex(KeyedIndex):
    """Approximate cosine search: sub-millisecond at a million faces, recall measured by the bench."""

    def __init__(self, dim: int = DIM, *, threads: int = 0) -> None:
        self.dim = dim
        self.threads = threads  # for batch builds; 0 = all cores
        self._lock = threading.Lock()
        self._index = self._new_index()
        self._where: dict[str, int] = {}
        self._key_of: dict[int, str] = {}
        self._next_label = 0
        self._removed = 0

    @property
    def nbytes(self) -> int:
        """Bytes usearch reports for the graph and its vectors."""
        return int(self._index.memory_usage)

    def add(self, key: str, vector: np.ndarray) -> None:
        unit = unit_vector(vector, self.dim)
        with self._lock:
            self._forget(key)
            label = self._next_label
            self._next_label += 1
            self._index.add(label, unit, threads=1)
            self._where[key] = label
            self._key_of[label] = key

    def remove(self, key: str) -> bool:
        with self._lock:
            if not self._forget(key):
                return False
            if self._removed >= max(_COMPACT_MIN, _COMPACT_FRACTION * len(self._where)):
                self._compact()
            return True

    def search(self, vector: np.ndarray, *, k: int, min_similarity: float) -> list[tuple[str, float]]:
        query = unit_vector(vector, self.dim)
        with self._lock:
            if not self._where or k <= 0:
                return []
            matches = self._index.search(query, min(k, len(self._where)), threads=1)
            found: list[tuple[str, float]] = []
            for label, distance in zip(matches.keys.tolist(), matches.distances.tolist(), strict=True):
                key = self._key_of.get(label)
                similarity = 1.0 - distance
                if key is not None and similarity >= min_similarity:
                    found.append((key, similarity))
            return found

    def rebuild(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        keys, matrix = collect(items, self.dim)
        index = self._new_index()
        labels = np.arange(len(keys), dtype=np.uint64)
        if keys:
            index.add(labels, matrix, threads=self.threads)
        with self._lock:
            self._install(index, keys)

    def _forget(self, key: str) -> bool:
        label = self._where.pop(key, None)
        if label is None:
            return False
        del self._key_of[label]
        self._index.remove(label)
        self._removed += 1
        return True

    def _compact(self) -> None:
        """A new graph from the live vectors only (called with the lock held)."""
        keys = list(self._where)
        index = self._new_index()
        if keys:
            old = np.fromiter((self._where[key] for key in keys), dtype=np.uint64, count=len(keys))
            vectors = np.asarray(self._index.get(old), dtype=np.float32).reshape(len(keys), self.dim)
            index.add(np.arange(len(keys), dtype=np.uint64), vectors, threads=self.threads)
        self._install(index, keys)

    def _install(self, index: Index, keys: list[str]) -> None:
        self._index = index
        self._where = {key: label for label, key in enumerate(keys)}
        self._key_of = dict(enumerate(keys))
        self._next_label = len(keys)
        self._removed = 0

    def _new_index(self) -> Index:
        return Index(
            ndim=self.dim,
            metric="ip",
            dtype="f32",
            connectivity=CONNECTIVITY,
            expansion_add=EXPANSION_ADD,
            expansion_search=EXPANSION_SEARCH,
        )
