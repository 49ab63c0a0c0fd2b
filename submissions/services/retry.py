"""Which failures of a run the end user can fix by taking the photos again (spec §8.3, §4.3).

Only a Liveform submission retries: an API submission has no one to ask, and is decided at once.
A run whose evidence shows one of the failures below sends the submission back to
``incomplete`` (``retry`` Event Log entry and webhook, §4.3) instead of being decided, until
``policy.engine`` counts ``max_attempts`` failures (3 by default) and rejects ``too_many_retry``.

``retryCode`` values (the spec names only ``face_compare_underscore``, the legacy face code;
the document ones are the §8.4 reject codes of the same failure, so an integrator who knows
the reject codes knows these), first match wins:

============================== =============================================================
``id_image_error``             the document photo could not be decoded at all
``id_image_invalidImage``      no document outline in the photo
``id_image_badImage``          nothing read, and the photo is blurred, dark or glared; also a
                               document portrait without a detectable face
``id_image_invalidId``         nothing read from a clear photo (not an identity document)
``face_compare_underscore``    no usable face on the selfie, or the selfie does not match the
                               document portrait (Knowledge-Based: no usable face only)
``face_liveness_fail``         the live selfie's challenge was not verified (a step not seen,
                               a second face, a screen or print cue); our name, the spec has
                               none ([UNKNOWN], docs/liveform.md). A selfie from a file input
                               is "not performed", which no new photo fixes: not a retry
============================== =============================================================

Everything else (expired document, under age, blacklisted country, duplicates, network…) is
not fixable by a new photo and is decided as for the API.
"""

from __future__ import annotations

from policy.evidence import Evidence

FACE_RETRY_CODE = "face_compare_underscore"
LIVENESS_RETRY_CODE = "face_liveness_fail"
SELFIE_RETRY_CODES = (FACE_RETRY_CODE, LIVENESS_RETRY_CODE)
RETRY_CODES = (
    "id_image_error",
    "id_image_invalidImage",
    "id_image_badImage",
    "id_image_invalidId",
    FACE_RETRY_CODE,
    LIVENESS_RETRY_CODE,
)


def retry_code(evidence: Evidence) -> str | None:
    """The ``retryCode`` of the first failure the user can fix, None when there is none."""
    document = evidence.document
    if document.intake_error is not None:
        return "id_image_error"
    if not document.detected:
        return "id_image_invalidImage"
    if document.kind == "unknown":
        quality = any(w.code.startswith("quality_") for w in document.warnings)
        return "id_image_badImage" if quality else "id_image_invalidId"
    face = evidence.face
    if face is not None:
        if face.refusal is not None and face.refusal.startswith("portrait_"):
            return "id_image_badImage"
        if face.refusal is not None or (not face.match and not evidence.knowledge_based):  # KB: nothing to match
            return FACE_RETRY_CODE
    if evidence.liveness.decision == "failed":
        return LIVENESS_RETRY_CODE
    return None
