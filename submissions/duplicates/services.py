"""Duplicate look-ups of one submission, applicant grouping, and forgetting on deletion.

Decisions where the spec is silent (§3.1, §8.6, §2.6; see the module docs of ``identity`` and
``face_index`` for the hashing and the index):

* **Scope**: every look-up (DI, Custom DI, face) is within the submission's project. The DI
  *value* is the same in every project (spec: "kept across projects"), but one tenant's
  submissions never change another tenant's decision, and nothing tells a project that a
  person applied elsewhere.
* **Which others count**: for DI and Custom DI, every other submission of the project holding
  the value while this one was never decided; once it was decided (a re-run), only **earlier**
  ones (created before it), so a re-run of an old submission is not caught by a later one. A
  later-created submission can run first (a Liveform submission waits for its photos; two
  workers race): it recorded its DI before this one existed in the index and could not see it,
  so this one must see it, or both would pass. Recording and look-up are serialised per
  (project, DI) with a transaction-scoped advisory lock (``_lock_identities``), so of two runs
  of the same person the second one to record always finds the first. Face look-ups count
  earlier submissions only.
* Every status is reported (the engine counts approved/pending for ``duplicated_user_PII_exact``,
  ``duplicate_user`` and ``duplicated_face``, and approved/rejected with ``decided_at`` for the
  approve/reject prevention periods). DI and Custom DI matches also form ``same_person``, the
  "claimed identity" of the prevention periods (e-mail and IP matching are not done yet).
* **Face duplicates** (``duplicated_selfie_users``): the new submission's selfie and document
  portrait are searched among the project's earlier selfies and portraits; a submission is a
  hit when any pair reaches the face engine's 1:1 threshold (``DEFAULT_THRESHOLD``, 39.4 =
  cosine 0.394); its similarity is the best pair's.
* **applicant_id** is given when a submission is approved: the applicant id of the earliest
  approved submission of the project with the same DI or the same face (above the threshold),
  else a new random id ("random if not comparable"). Project-scoped like the look-ups.
* **Deletion** (§2.5/§2.6): :func:`duplicates_forget` clears the DI, Custom DI, applicant id
  and faces that a full or partial deletion removes and records them in
  ``duplicate_exclusions``: an excluded component is never stored again for the submission, so
  it stays out of every future check even if its data came back.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Iterable
from typing import Any

import numpy as np
from django.db import connection, transaction

from policy.evidence import DocumentEvidence, DuplicateEvidence, DuplicateMatch
from submissions import vault
from submissions.duplicates.face_index import (
    face_index_forget,
    face_templates_load,
    key_submission,
    project_face_index,
)
from submissions.duplicates.identity import (
    CUSTOM_DI_FIELDS,
    DI_DATA_FIELDS,
    custom_di_text,
    di_lookup_values,
    di_text,
    hash_custom_di,
    hash_di,
)
from submissions.models import FaceTemplateKind, ProjectDuplicateSettings, Submission, SubmissionStatus

# 0–100 (100 · cosine). Stricter than the 1:1 threshold (DEFAULT_THRESHOLD, FMR 0.1 % per pair):
# one search compares a face with every stored one, so at 10,000 faces the per-pair false-match
# rate must be near 1e-6 to keep false duplicate alarms rare. 8,160 impostor pairs (evaluate_faces)
# cannot measure that rate; 55 sits well above every impostor pair seen (max 41.5) and below
# the genuine pairs (p5 64.8; different real photos of one man 71-81). Re-measure on real faces.
FACE_DUPLICATE_THRESHOLD = 55.0
_APPLICANT_ALPHABET = string.ascii_lowercase + string.digits

DI, CUSTOM_DI, PORTRAIT, SELFIE = "di", "custom_di", FaceTemplateKind.PORTRAIT.value, FaceTemplateKind.SELFIE.value


def custom_di_fields(project_id: int) -> list[str]:
    found = ProjectDuplicateSettings.objects.filter(project_id=project_id).values_list("custom_di_fields", flat=True)
    return list(found.first() or [])


def custom_di_values(document: DocumentEvidence, metadata: dict[str, Any] | None) -> dict[str, Any]:
    """What Custom DI may combine, in the spec's ``data`` names (see ``identity.CUSTOM_DI_FIELDS``)."""
    fields = document.fields
    values: dict[str, Any] = {
        "first_name": fields.given_names,
        "last_name": fields.surname,
        "date_of_birth": fields.birth_date,
        "gender": fields.sex if fields.sex in ("M", "F", "X") else None,
        "nationality": fields.nationality,
        "documentNumber": fields.document_number,
        "idcard_issuingCountry": fields.issuing_country,
        "idcard_expireDate": fields.expiry_date,
        "idType": document.id_type,
    }
    for name in ("email", "userid", "cf1", "cf2", "cf3"):
        values[name] = (metadata or {}).get(name) or None
    return values


def _match(other: Submission, similarity: float | None = None) -> DuplicateMatch:
    return DuplicateMatch(
        other.pk, other.status, other.decided_at, None if similarity is None else round(similarity, 2)
    )


def _earlier(submission: Submission):
    return Submission.objects.filter(project_id=submission.project_id, created_at__lt=submission.created_at).exclude(
        pk=submission.pk
    )


def _lock_key(project_id: int, kind: str, value: str) -> int:
    digest = hashlib.sha256(f"duplicates:{project_id}:{kind}:{value}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _lock_identities(project_id: int, values: dict[str, str]) -> None:
    """``pg_advisory_xact_lock`` on each (project, kind, hash), in one global order (no deadlock).

    Why: two runs of the same person must not both record their DI and look it up before either
    sees the other's. The recording (an UPDATE) becomes visible to the other run only when its
    transaction commits, so without a lock both transactions can read "no duplicate" and both
    pass. A transaction-scoped lock is released exactly at that commit: the second run waits on
    it, then reads the first one's DI. It is held by whatever transaction encloses the look-up
    (the short one here, or a caller's longer decision transaction), which is what makes the DI
    visible. Locks are per (project, DI hash): other people's runs never wait.
    """
    if connection.vendor != "postgresql":
        return  # SQLite (the one-machine demo) serialises writers by itself
    keys = sorted({_lock_key(project_id, kind, value) for kind, value in values.items() if value})
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _others(submission: Submission):
    """The submissions a DI look-up compares with: earlier ones, and later ones too while this one
    was never decided (module doc: a later submission that ran first could not see this one)."""
    if submission.decided_at is not None:
        return _earlier(submission)
    return Submission.objects.filter(project_id=submission.project_id).exclude(pk=submission.pk)


def duplicates_lookup(submission: Submission, *, document: DocumentEvidence) -> DuplicateEvidence:
    """Compute and store this submission's DI and Custom DI, then find its duplicates (module doc).

    Recording and look-up run in one transaction under a lock per (project, DI) and per
    (project, Custom DI) (:func:`_lock_identities`), so of two runs of the same person at the
    same moment the second always sees the first. The submission's faces must be stored first
    (:func:`face_templates_store`, in the face step).
    """
    di, custom = _identities(submission, document)
    with transaction.atomic():
        _lock_identities(submission.project_id, {"di": hash_di(di) if di else "",
                                                 "custom_di": hash_custom_di(custom) if custom else ""})  # fmt: skip
        di_hits, custom_hits = _record_and_find(submission, di, custom)
    same_person = {m.submission_id: m for m in (*di_hits, *custom_hits)}
    return DuplicateEvidence(
        di=di_hits, custom_di=custom_hits, face=face_duplicates(submission), same_person=tuple(same_person.values())
    )


def _identities(submission: Submission, document: DocumentEvidence) -> tuple[str | None, str | None]:
    """The DI and Custom DI texts (before hashing), None when excluded or incomplete."""
    excluded = set(submission.duplicate_exclusions)
    fields = document.fields
    di = None if DI in excluded else di_text(surname=fields.surname, given_names=fields.given_names,
                                             birth_date=fields.birth_date, sex=fields.sex,
                                             nationality=fields.nationality)  # fmt: skip
    chosen = custom_di_fields(submission.project_id)
    custom = None
    if chosen and CUSTOM_DI not in excluded:
        metadata = vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT)
        custom = custom_di_text(custom_di_values(document, metadata), chosen)
    return di, custom


def _record_and_find(
    submission: Submission, di: str | None, custom: str | None
) -> tuple[tuple[DuplicateMatch, ...], tuple[DuplicateMatch, ...]]:
    """Store the hashes, then find the other submissions that hold them (under the locks).

    The row is locked and its exclusions read again: a deletion that committed after this run
    loaded the submission must not see its DI written back (G19)."""
    current = (
        Submission.objects.select_for_update()
        .filter(pk=submission.pk)
        .values_list("duplicate_exclusions", "decided_at")
        .first()
    )
    if current is None:
        return (), ()
    submission.duplicate_exclusions, submission.decided_at = current
    di = None if DI in submission.duplicate_exclusions else di
    custom = None if CUSTOM_DI in submission.duplicate_exclusions else custom
    submission.duplicated_information = hash_di(di) if di else ""
    submission.custom_duplicated_information = hash_custom_di(custom) if custom else ""
    Submission.objects.filter(pk=submission.pk).update(
        duplicated_information=submission.duplicated_information,
        custom_duplicated_information=submission.custom_duplicated_information,
    )
    others = _others(submission).order_by("created_at", "pk")
    di_hits = tuple(_match(o) for o in others.filter(duplicated_information__in=di_lookup_values(di))) if di else ()
    custom_hits: tuple[DuplicateMatch, ...] = ()
    if custom:
        found = others.filter(custom_duplicated_information__in=di_lookup_values(custom, custom=True))
        custom_hits = tuple(_match(o) for o in found)
    return di_hits, custom_hits


def face_duplicates(
    submission: Submission, *, threshold: float = FACE_DUPLICATE_THRESHOLD
) -> tuple[DuplicateMatch, ...]:
    """The project's submissions whose selfie or portrait matches one of this one's faces: the
    earlier ones, and the later ones too while this one was never decided (``_others``).

    No lock is needed, unlike the DI: the face step commits this submission's templates before
    the search, so of two runs of the same face the one that searches last sees the other's."""
    mine = face_templates_load(submission)
    if not mine:
        return ()
    index = project_face_index(submission.project_id)
    index.sync()
    best: dict[str, float] = {}
    for vector in mine.values():
        for key, cosine in index.search(vector, min_cosine=threshold / 100.0):
            other = key_submission(key)
            if other != submission.pk:
                best[other] = max(best.get(other, -1.0), cosine)
    if not best:
        return ()
    # Confirmed against the database: same project, comparable, a face still stored (G19).
    alive = set(
        _others(submission).filter(pk__in=best, face_templates__isnull=False).values_list("pk", flat=True).distinct()
    )
    others = _others(submission).filter(pk__in=alive).order_by("created_at", "pk")
    return tuple(_match(other, 100.0 * float(np.clip(best[other.pk], 0.0, 1.0))) for other in others)


def _new_applicant_id() -> str:
    return "".join(secrets.choice(_APPLICANT_ALPHABET) for _ in range(20))


def applicant_assign(submission: Submission, duplicates: DuplicateEvidence) -> str:
    """Set (not save) ``applicant_id`` of an approved submission: the earliest approved same person's
    (same DI or face; module doc), else a new one. Call it when a submission becomes approved (the
    run's decision here; a manual approval must call it too)."""
    if submission.status != SubmissionStatus.APPROVED:
        return submission.applicant_id
    if submission.applicant_id or "applicant_id" in submission.duplicate_exclusions:
        return submission.applicant_id
    candidates = {m.submission_id for m in (*duplicates.di, *duplicates.face)}
    earliest = (
        Submission.objects.filter(project_id=submission.project_id, pk__in=candidates, status=SubmissionStatus.APPROVED)
        .exclude(applicant_id="")
        .order_by("created_at", "pk")
        .values_list("applicant_id", flat=True)
        .first()
    )
    submission.applicant_id = earliest or _new_applicant_id()
    return submission.applicant_id


def forgotten_components(
    fields: Iterable[str] | None, data_fields: Iterable[str] | None, custom: list[str]
) -> set[str]:
    """Which duplicate components a deletion removes. ``fields=None``: a full deletion (§2.5);
    else the partial-deletion lists of §2.6 (``data`` without ``data_fields``: all of ``data``)."""
    if fields is None:
        return {DI, CUSTOM_DI, PORTRAIT, SELFIE, "applicant_id"}
    fields = set(fields)
    data = set(data_fields or ()) if "data" in fields else set()
    all_data = "data" in fields and not data
    gone: set[str] = set()
    if "duplicated_information" in fields or all_data or data & set(DI_DATA_FIELDS):
        gone.add(DI)
    names = {"first_name", "last_name"} if data & {"full_name", "name"} else set()
    removed = (set(CUSTOM_DI_FIELDS) - {"email", "userid"} if all_data else data | names) | (
        fields & {"email", "userid"}
    )
    if "custom_duplicated_information" in fields or set(custom) & removed:
        gone.add(CUSTOM_DI)
    if "id_image" in fields:
        gone.add(PORTRAIT)
    if "selfie_image" in fields:
        gone.add(SELFIE)
    if "applicant_id" in fields:
        gone.add("applicant_id")
    return gone


def duplicates_forget(
    submission: Submission, *, fields: Iterable[str] | None = None, data_fields: Iterable[str] | None = None
) -> set[str]:
    """Remove the duplicate components a full (``fields=None``) or partial deletion takes away and
    keep them out of future checks (spec §2.6). Idempotent; call it from the deletion services
    inside their transaction. Returns the components removed."""
    gone = forgotten_components(fields, data_fields, custom_di_fields(submission.project_id))
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    exclusions = sorted(set(locked.duplicate_exclusions) | gone)
    changes: dict[str, Any] = {"duplicate_exclusions": exclusions}
    if DI in gone:
        changes["duplicated_information"] = ""
    if CUSTOM_DI in gone:
        changes["custom_duplicated_information"] = ""
    if "applicant_id" in gone:
        changes["applicant_id"] = ""
    Submission.objects.filter(pk=submission.pk).update(**changes)
    for name, value in changes.items():
        setattr(submission, name, value)
    faces = [kind for kind in (PORTRAIT, SELFIE) if kind in gone]
    if faces:
        face_index_forget(submission, faces)
    return gone


def match_embeddings(match: Any) -> dict[str, np.ndarray]:
    """The embeddings of the two faces a 1:1 match compared (``FaceMatch.embeddings``), for the 1:N index."""
    portrait, selfie = match.embeddings
    return {PORTRAIT: portrait, SELFIE: selfie}


def selfie_embeddings(selfie: np.ndarray) -> dict[str, np.ndarray]:
    """The embedding of a selfie checked alone (Knowledge-Based: no portrait), for the 1:N index."""
    return {SELFIE: selfie}
