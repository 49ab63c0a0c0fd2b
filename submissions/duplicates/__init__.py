"""Duplicate detection (spec §8.6): DI and Custom DI keyed hashes, the 1:N face search over the
project's faces, ``applicant_id`` grouping, and forgetting on deletion (G19).

``identity`` hashes, ``face_index`` keeps each worker's in-memory index in step with the
database, ``services`` does the look-ups the verification run calls and the deletion hooks.
"""

from __future__ import annotations

from submissions.duplicates.face_index import (
    face_index_forget,
    face_indexes_reset,
    face_templates_store,
    project_face_index,
)
from submissions.duplicates.services import (
    FACE_DUPLICATE_THRESHOLD,
    applicant_assign,
    duplicates_forget,
    duplicates_lookup,
    face_duplicates,
    match_embeddings,
    selfie_embeddings,
)

__all__ = [
    "FACE_DUPLICATE_THRESHOLD",
    "applicant_assign",
    "duplicates_forget",
    "duplicates_lookup",
    "face_duplicates",
    "face_index_forget",
    "face_indexes_reset",
    "face_templates_store",
    "match_embeddings",
    "project_face_index",
    "selfie_embeddings",
]
