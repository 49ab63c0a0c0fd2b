"""Each worker process's in-memory 1:N face index, one per project, kept in step with the database.

* **Stored**: every submission's document-portrait and selfie embeddings are ``FaceTemplate``
  rows, sealed with the submission's data key (G17). The database is the truth; an index is a
  cache that any process can rebuild.
* **Built lazily**: the first search of a project in a process loads every template of the
  project (unsealing each) into ``choose_index(count)`` (exact below 25,000 faces, HNSW above).
* **Kept up to date across processes**: before each search the index *catches up*: it loads the
  templates with an id above its high-water mark, and applies the ``FaceTemplateRemoval`` rows
  above its removal mark. Ids come from a sequence and are assigned before commit, so a row with
  a lower id can become visible after a higher one: the catch-up also re-reads the ids of rows
  created in the last :data:`LOOKBACK` and loads those it has not seen. A face stored by another
  worker is therefore found by the next search anywhere; a face forgotten in another worker is
  dropped at the next search, and a hit is confirmed against the database before it is reported
  (a forgotten face is never reported, even by a process that has not caught up).
* **Forgotten** (G19): :func:`face_index_forget` deletes the rows, records the removals and
  drops the keys from this process's index. Deletion services call it (no signals).

Keys follow ``submissions.pipeline.face_index``: ``<submission id>`` for the document portrait,
``<submission id>:selfie`` for the selfie. Similarities are cosines here; the 0–100 scale of the
face engine is ``100 · cosine``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db.models import Q
from django.utils import timezone

from idcheck.lib.crypto import DecryptionError
from submissions import vault
from submissions.models import FaceTemplate, FaceTemplateKind, FaceTemplateRemoval, Submission
from submissions.pipeline.face_index import CROSSOVER_SIZE, DIM, ExactIndex, FaceIndex, choose_index, unit_vector

LOOKBACK = dt.timedelta(minutes=5)
SEARCH_K = 20  # per query vector; more hits than this for one face are reported as the best 20


def template_key(submission_id: str, kind: str) -> str:
    return submission_id if kind == FaceTemplateKind.PORTRAIT else f"{submission_id}:{kind}"


def key_submission(key: str) -> str:
    return key.split(":", 1)[0]


def _context(kind: str) -> str:
    return f"submissions.face_template.{kind}"


def seal_embedding(submission: Submission, kind: str, vector: np.ndarray) -> bytes:
    data = unit_vector(vector, DIM).astype("<f4").tobytes()
    return vault.seal_bytes(submission, data, context=_context(kind))


def open_embedding(submission: Submission, kind: str, blob: bytes) -> np.ndarray:
    return np.frombuffer(vault.open_bytes(submission, blob, context=_context(kind)), dtype="<f4").copy()


@dataclass
class _Row:
    id: int
    submission_id: str
    kind: str
    blob: bytes
    wrapped_key: bytes | None
    created_at: dt.datetime


def _rows(query: Q) -> list[_Row]:
    values = FaceTemplate.objects.filter(query).values_list(
        "id", "submission_id", "kind", "sealed_embedding", "submission__wrapped_data_key", "created_at"
    )
    return [_Row(i, s, k, bytes(b), bytes(w) if w else None, c) for i, s, k, b, w, c in values]


def _vectors(rows: Iterable[_Row]) -> Iterable[tuple[str, np.ndarray]]:
    for row in rows:
        owner = Submission(pk=row.submission_id, wrapped_data_key=row.wrapped_key)
        try:
            yield template_key(row.submission_id, row.kind), open_embedding(owner, row.kind, row.blob)
        except DecryptionError:  # crypto-shredded: the face is gone for good
            continue


class ProjectFaceIndex:
    """One project's faces in this process; ``now`` is injectable for tests."""

    def __init__(self, project_id: int) -> None:
        self.project_id = project_id
        self.index: FaceIndex | None = None
        self.high_water = 0  # highest FaceTemplate id loaded
        self.removal_mark = 0  # highest FaceTemplateRemoval id applied
        self._recent: dict[int, dt.datetime] = {}  # ids loaded that are younger than LOOKBACK
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.index) if self.index is not None else 0

    def sync(self, *, now: dt.datetime | None = None) -> None:
        """Build on first use, else catch up with other processes' additions and removals."""
        now = now or timezone.now()
        with self._lock:
            if self.index is None or (isinstance(self.index, ExactIndex) and len(self.index) > 2 * CROSSOVER_SIZE):
                self._build(now)
            else:
                self._catch_up(now)

    def _build(self, now: dt.datetime) -> None:
        self.removal_mark = (
            FaceTemplateRemoval.objects.filter(project_id=self.project_id).order_by("-id").values_list("id", flat=True)
        ).first() or 0
        rows = _rows(Q(project_id=self.project_id))
        index = choose_index(len(rows))
        index.rebuild(_vectors(rows))
        self.index = index
        self._remember(rows, now)

    def _catch_up(self, now: dt.datetime) -> None:
        assert self.index is not None
        since = now - LOOKBACK
        candidates = FaceTemplate.objects.filter(
            Q(id__gt=self.high_water) | Q(created_at__gte=since), project_id=self.project_id
        ).values_list("id", flat=True)
        # Above the mark: never loaded. Below it: a late commit, unless loaded (then it is recent).
        fresh = [row_id for row_id in candidates if row_id not in self._recent]
        if fresh:
            rows = _rows(Q(id__in=fresh))
            for key, vector in _vectors(rows):
                self.index.add(key, vector)
            self._remember(rows, now)
        removals = FaceTemplateRemoval.objects.filter(
            Q(id__gt=self.removal_mark) | Q(created_at__gte=since), project_id=self.project_id
        ).values_list("id", "key")
        for removal_id, key in removals:
            self.index.remove(key)
            self.removal_mark = max(self.removal_mark, removal_id)

    def _remember(self, rows: list[_Row], now: dt.datetime) -> None:
        since = now - LOOKBACK
        for row in rows:
            self.high_water = max(self.high_water, row.id)
            if row.created_at >= since:
                self._recent[row.id] = row.created_at
        self._recent = {row_id: at for row_id, at in self._recent.items() if at >= since}

    def add(self, key: str, vector: np.ndarray) -> None:
        """A face this process just stored (the catch-up would load it too: adding is idempotent)."""
        with self._lock:
            if self.index is not None:
                self.index.add(key, vector)

    def remove(self, key: str) -> None:
        with self._lock:
            if self.index is not None:
                self.index.remove(key)

    def search(self, vector: np.ndarray, *, min_cosine: float, k: int = SEARCH_K) -> list[tuple[str, float]]:
        if self.index is None:
            return []
        return self.index.search(vector, k=k, min_similarity=min_cosine)


_INDEXES: dict[int, ProjectFaceIndex] = {}
_INDEXES_LOCK = threading.Lock()


def project_face_index(project_id: int) -> ProjectFaceIndex:
    """This process's index of ``project_id`` (created empty; built by its first ``sync``)."""
    with _INDEXES_LOCK:
        found = _INDEXES.get(project_id)
        if found is None:
            found = _INDEXES[project_id] = ProjectFaceIndex(project_id)
        return found


def face_indexes_reset() -> None:
    """Drop every in-memory index of this process (tests; a worker may call it to free memory)."""
    with _INDEXES_LOCK:
        _INDEXES.clear()


def face_templates_store(submission: Submission, vectors: dict[str, np.ndarray]) -> None:
    """Store (replace) the submission's faces, ``{kind: embedding}``; excluded kinds are skipped."""
    index = project_face_index(submission.project_id)
    for kind, vector in vectors.items():
        if kind in submission.duplicate_exclusions:
            continue
        sealed = seal_embedding(submission, kind, vector)
        FaceTemplate.objects.filter(submission=submission, kind=kind).delete()
        FaceTemplate.objects.create(project_id=submission.project_id, submission=submission, kind=kind,
                                    sealed_embedding=sealed)  # fmt: skip
        index.add(template_key(submission.pk, kind), vector)


def face_templates_load(submission: Submission) -> dict[str, np.ndarray]:
    """The submission's own stored faces, unsealed."""
    rows = FaceTemplate.objects.filter(submission=submission).values_list("kind", "sealed_embedding")
    return {kind: open_embedding(submission, kind, bytes(blob)) for kind, blob in rows}


def face_index_forget(submission: Submission, kinds: Iterable[str] = tuple(FaceTemplateKind.values)) -> int:
    """Forget the submission's faces of ``kinds`` everywhere (G19): rows deleted, removals recorded
    for the other processes, this process's index updated. Harmless when repeated; returns the
    number of rows deleted. Call it inside the deletion's transaction."""
    kinds = tuple(kinds)
    deleted, _ = FaceTemplate.objects.filter(submission=submission, kind__in=kinds).delete()
    index = project_face_index(submission.project_id)
    for kind in kinds:
        key = template_key(submission.pk, kind)
        FaceTemplateRemoval.objects.create(project_id=submission.project_id, key=key)
        index.remove(key)
    return deleted
