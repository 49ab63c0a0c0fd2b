"""Exact 1:N search: one contiguous float32 matrix, one matrix-vector product per search.

Rows ``0 .. len-1`` of ``_matrix`` hold the stored unit vectors; ``_keys[row]`` names each row and
``_where`` maps a key back to its row. Capacity doubles when full (amortised O(1) ``add``); ``remove``
moves the last row into the hole (swap-remove, O(1)) and zeroes the vacated last row, so the
removed face's values do not linger in the buffer. Memory is ``capacity x 128 x 4`` bytes: 512 MB
at one million faces (up to twice that just after a doubling; ``rebuild`` sizes it exactly).

One lock guards every operation, so Celery worker threads can share an index. A search holds it
for one matrix-vector product (about 1 ms per 20,000 faces here, see ``bench_face_search``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import numpy as np

from .base import DIM, KeyedIndex, collect, unit_vector

_MIN_CAPACITY = 1024


class ExactIndex(KeyedIndex):
    """Brute-force cosine search over every stored face: recall is exactly 1."""

    def __init__(self, dim: int = DIM) -> None:
        self.dim = dim
        self._lock = threading.Lock()
        self._matrix = np.zeros((_MIN_CAPACITY, dim), dtype=np.float32)
        self._keys: list[str] = []
        self._where: dict[str, int] = {}

    @property
    def nbytes(self) -> int:
        """Bytes held by the vector buffer (capacity, not only the used rows)."""
        return self._matrix.nbytes

    def add(self, key: str, vector: np.ndarray) -> None:
        unit = unit_vector(vector, self.dim)
        with self._lock:
            row = self._where.get(key)
            if row is None:
                row = len(self._keys)
                if row == self._matrix.shape[0]:
                    grown = np.zeros((2 * row, self.dim), dtype=np.float32)
                    grown[:row] = self._matrix
                    self._matrix = grown
                self._keys.append(key)
                self._where[key] = row
            self._matrix[row] = unit

    def remove(self, key: str) -> bool:
        with self._lock:
            row = self._where.pop(key, None)
            if row is None:
                return False
            last = len(self._keys) - 1
            if row != last:
                moved = self._keys[last]
                self._matrix[row] = self._matrix[last]
                self._keys[row] = moved
                self._where[moved] = row
            self._matrix[last] = 0.0
            self._keys.pop()
            return True

    def search(self, vector: np.ndarray, *, k: int, min_similarity: float) -> list[tuple[str, float]]:
        query = unit_vector(vector, self.dim)
        with self._lock:
            size = len(self._keys)
            if size == 0 or k <= 0:
                return []
            similarities = self._matrix[:size] @ query
            top = min(k, size)
            if top < size:
                best = np.argpartition(similarities, size - top)[size - top :]
            else:
                best = np.arange(size)
            best = best[np.argsort(-similarities[best], kind="stable")]
            return [(self._keys[row], float(similarities[row])) for row in best if similarities[row] >= min_similarity]

    def rebuild(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        keys, matrix = collect(items, self.dim)
        buffer = np.zeros((max(_MIN_CAPACITY, len(keys)), self.dim), dtype=np.float32)
        buffer[: len(keys)] = matrix
        with self._lock:
            self._matrix = buffer
            self._keys = keys
            self._where = {key: row for row, key in enumerate(keys)}
