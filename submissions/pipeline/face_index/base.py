"""The 1:N face index interface and the vector checks both implementations share.

A face index maps opaque string keys (the orchestration uses ``"<submission id>"`` and
``"<submission id>:selfie"``) to 128-d L2-normalised face embeddings (SFace, ML.md Q3) and answers
"which stored faces are most similar to this one". Similarity is the cosine, so 1.0 is the same
vector and about 0.36 and above is the same person (the OpenCV zoo operating point for SFace).

Deletion must really forget (RELIABILITY.md G19): after ``remove(key)`` no search returns the key
again, and a ``rebuild`` from the database never brings it back because the database no longer
holds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

import numpy as np

DIM = 128


@runtime_checkable
class FaceIndex(Protocol):
    """What the duplicate search needs from an index, exact or approximate."""

    def add(self, key: str, vector: np.ndarray) -> None:
        """Store ``vector`` under ``key``; a key already stored is replaced."""

    def remove(self, key: str) -> bool:
        """Forget ``key``; True when it was stored."""

    def search(self, vector: np.ndarray, *, k: int, min_similarity: float) -> list[tuple[str, float]]:
        """Up to ``k`` (key, cosine similarity) pairs with similarity >= ``min_similarity``, best first."""

    def rebuild(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Replace the whole content with ``items`` (a later duplicate key wins)."""

    def __len__(self) -> int: ...


class KeyedIndex:
    """``len`` and ``in`` over the key map ``_where`` (key -> row or label) both indexes keep."""

    _where: dict[str, int]

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, key: object) -> bool:
        return key in self._where


def unit_vector(vector: np.ndarray, dim: int = DIM) -> np.ndarray:
    """``vector`` as a float32 unit vector of length ``dim``; ValueError when it cannot be one."""
    array = np.asarray(vector, dtype=np.float32).reshape(-1)
    if array.shape[0] != dim:
        raise ValueError(f"a face embedding has {dim} values, got {array.shape[0]}")
    norm = float(np.linalg.norm(array))
    if not np.isfinite(norm) or norm == 0.0:
        raise ValueError("a face embedding must be finite and non-zero")
    return array / np.float32(norm)


def unit_rows(matrix: np.ndarray, dim: int = DIM) -> np.ndarray:
    """Each row of ``matrix`` scaled to unit length, as float32 (rows checked like ``unit_vector``)."""
    array = np.asarray(matrix, dtype=np.float32).reshape(-1, dim)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    if not np.all(np.isfinite(norms)) or np.any(norms == 0.0):
        raise ValueError("a face embedding must be finite and non-zero")
    return array / norms


def collect(items: Iterable[tuple[str, np.ndarray]], dim: int = DIM) -> tuple[list[str], np.ndarray]:
    """The keys and unit-row matrix of ``items``, a later duplicate key replacing the earlier row."""
    keys: list[str] = []
    rows: dict[str, int] = {}
    matrix = np.empty((1024, dim), dtype=np.float32)
    for key, vector in items:
        row = rows.get(key)
        if row is None:
            row = rows[key] = len(keys)
            keys.append(key)
            if row == matrix.shape[0]:
                matrix = np.concatenate([matrix, np.empty_like(matrix)])
        if np.size(vector) != dim:
            raise ValueError(f"a face embedding has {dim} values, got {np.size(vector)}")
        matrix[row] = np.asarray(vector, dtype=np.float32).reshape(-1)
    matrix = matrix[: len(keys)]
    return keys, unit_rows(matrix, dim) if keys else np.empty((0, dim), dtype=np.float32)
