"""1:N face index: exact and HNSW find planted duplicates, forget removed keys, replace re-added ones."""

from __future__ import annotations

import subprocess
import sys
import threading

import numpy as np
import pytest

from submissions.pipeline.face_index import CROSSOVER_SIZE, ExactIndex, FaceIndex, HnswIndex, choose_index
from submissions.pipeline.face_index.bench import random_unit, run_bench, table

STORED = 10_000
KINDS = (ExactIndex, HnswIndex)


def _near(vector: np.ndarray, cosine: float, rng: np.random.Generator) -> np.ndarray:
    """A unit vector whose cosine with the unit ``vector`` is exactly ``cosine``."""
    noise = rng.standard_normal(vector.shape[0]).astype(np.float32)
    noise -= noise.dot(vector) * vector
    noise /= np.linalg.norm(noise)
    return (cosine * vector + np.sqrt(1 - cosine**2) * noise).astype(np.float32)


@pytest.fixture(scope="module")
def stored() -> np.ndarray:
    return random_unit(np.random.default_rng(4), STORED)


@pytest.fixture(scope="module", params=KINDS, ids=lambda kind: kind.__name__)
def full_index(request: pytest.FixtureRequest, stored: np.ndarray) -> FaceIndex:
    index = request.param()
    index.rebuild((f"sub-{row}", vector) for row, vector in enumerate(stored))
    return index


def test_it_finds_a_planted_duplicate_among_10000_templates(full_index: FaceIndex, stored: np.ndarray) -> None:
    # given
    rng = np.random.default_rng(5)
    query = _near(stored[1234], 0.7, rng)
    # when
    found = full_index.search(query, k=5, min_similarity=0.5)
    # then: random 128-d impostors stay below 0.5, so the duplicate is the only hit
    assert len(full_index) == STORED
    assert [key for key, _ in found] == ["sub-1234"]
    assert found[0][1] == pytest.approx(0.7, abs=1e-5)


def test_it_returns_k_hits_best_first_above_the_threshold(full_index: FaceIndex, stored: np.ndarray) -> None:
    # when
    found = full_index.search(stored[42], k=3, min_similarity=-1.0)
    # then
    assert len(found) == 3
    assert found[0] == ("sub-42", pytest.approx(1.0, abs=1e-5))
    assert found[0][1] >= found[1][1] >= found[2][1]


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_it_forgets_a_removed_key_also_after_rebuild(kind: type, stored: np.ndarray) -> None:
    # given
    index = kind()
    items = {f"sub-{row}": stored[row] for row in range(2000)}
    index.rebuild(items.items())
    # when
    assert index.remove("sub-7") is True
    del items["sub-7"]
    # then
    assert index.remove("sub-7") is False
    assert len(index) == 1999
    assert "sub-7" not in [key for key, _ in index.search(stored[7], k=10, min_similarity=-1.0)]
    index.rebuild(items.items())
    assert len(index) == 1999
    assert "sub-7" not in [key for key, _ in index.search(stored[7], k=10, min_similarity=-1.0)]
    assert index.search(stored[8], k=1, min_similarity=0.9) == [("sub-8", pytest.approx(1.0, abs=1e-5))]


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_it_forgets_many_removals_through_compaction(kind: type, stored: np.ndarray) -> None:
    # given
    index = kind()
    for row in range(3000):
        index.add(f"sub-{row}", stored[row])
    # when: removing 1500 passes HnswIndex's compaction threshold
    for row in range(0, 3000, 2):
        index.remove(f"sub-{row}")
    # then
    assert len(index) == 1500
    assert index.search(stored[10], k=5, min_similarity=0.5) == []
    assert index.search(stored[11], k=1, min_similarity=0.5) == [("sub-11", pytest.approx(1.0, abs=1e-5))]


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_re_adding_a_key_replaces_its_vector(kind: type, stored: np.ndarray) -> None:
    # given
    index = kind()
    index.add("sub-1", stored[0])
    index.add("sub-2", stored[1])
    # when
    index.add("sub-1", stored[2])
    # then
    assert len(index) == 2
    assert index.search(stored[0], k=5, min_similarity=0.5) == []
    assert index.search(stored[2], k=5, min_similarity=0.5) == [("sub-1", pytest.approx(1.0, abs=1e-5))]


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_an_empty_index_finds_nothing(kind: type, stored: np.ndarray) -> None:
    index = kind()
    assert len(index) == 0
    assert index.search(stored[0], k=5, min_similarity=-1.0) == []
    index.add("sub-1", stored[0])
    index.remove("sub-1")
    assert index.search(stored[0], k=5, min_similarity=-1.0) == []
    index.rebuild([])
    assert index.search(stored[0], k=5, min_similarity=-1.0) == []


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_it_refuses_a_vector_of_the_wrong_shape_or_zero(kind: type) -> None:
    index = kind()
    with pytest.raises(ValueError, match="128 values"):
        index.add("sub-1", np.ones(64, dtype=np.float32))
    with pytest.raises(ValueError, match="non-zero"):
        index.add("sub-1", np.zeros(128, dtype=np.float32))
    assert len(index) == 0


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_threads_can_share_an_index(kind: type, stored: np.ndarray) -> None:
    # given
    index = kind()
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            for row in range(offset, 1600, 4):
                index.add(f"sub-{row}", stored[row])
                if row % 8 == offset:
                    index.remove(f"sub-{row}")
                index.search(stored[row], k=3, min_similarity=0.0)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    # when
    threads = [threading.Thread(target=writer, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: rows with row % 8 < 4 were removed by their writer, the others stay
    assert errors == []
    assert len(index) == 800
    assert index.search(stored[4], k=1, min_similarity=0.9) == [("sub-4", pytest.approx(1.0, abs=1e-5))]
    assert index.search(stored[0], k=1, min_similarity=0.9) == []


def test_choose_index_switches_to_hnsw_at_the_crossover() -> None:
    assert isinstance(choose_index(0), ExactIndex)
    assert isinstance(choose_index(CROSSOVER_SIZE - 1), ExactIndex)
    assert isinstance(choose_index(CROSSOVER_SIZE), HnswIndex)
    assert isinstance(choose_index(0), FaceIndex)


def test_importing_the_index_then_onnxruntime_does_not_crash() -> None:
    # usearch loaded before onnxruntime segfaults the interpreter; hnsw.py loads onnxruntime first
    code = "import submissions.pipeline.face_index, onnxruntime, usearch.index; print('ok')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout) == (0, "ok\n")


def test_the_bench_reports_each_kind_with_exact_recall_for_exact_search() -> None:
    # when
    lines: list[str] = []
    rows = run_bench([600], queries=40, progress=lines.append)
    # then
    assert [(row.kind, row.size, row.queries) for row in rows] == [("exact", 600, 40), ("hnsw", 600, 40)]
    assert rows[0].recall_at_1 == 1.0
    assert rows[0].p50_ms <= rows[0].p95_ms
    assert "recall@1" in table(rows)
    assert len(lines) == 5
